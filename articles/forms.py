"""Admin forms for the editors' workflow; they validate, the services write."""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.urls import reverse
from markdownx.widgets import AdminMarkdownxWidget, MarkdownxWidget

from articles.models import Article, ArticleVersion, Reviewer
from articles.rendering import render_problems
from articles.sources import MAX_SUMMARY, MAX_TITLE, SLUG_RE, normalize_body, text_problems

EDITOR_FIELDS = ["title", "summary", "about", "body", "change_note"]


class ArticleMarkdownWidget(AdminMarkdownxWidget):
    """markdownx's editor whose live preview is the page's own render of this article.

    The preview goes to the staff-only wrapper with the article's slug, which call-to-action
    links carry; upload goes to the wrapper that refuses it.
    """

    class Media:
        # Not markdownx's admin stylesheet, which restyles the preview: the site's own
        # stylesheet, scoped to the preview, does (see ArticleVersionAdmin.media).
        extend = False
        js = MarkdownxWidget.Media.js

    def __init__(self, *, source: str = "", attrs=None):
        super().__init__(attrs)
        self.source = source

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        url = reverse("articles_staff:markdownify")
        if self.source:
            url += "?" + urlencode({"source": self.source})
        context["widget"]["attrs"]["data-markdownx-urls-path"] = url
        context["widget"]["attrs"]["data-markdownx-upload-urls-path"] = reverse(
            "articles_staff:upload"
        )
        return context


def body_help_text(intro: str) -> str:
    """The body field's help, with the size limit every layer enforces."""
    return f"{intro} At most {settings.ARTICLES_MAX_BODY_BYTES // 1024:,} KB."


def add_text_errors(form: forms.Form, cleaned: dict) -> None:
    """The loader's rules for these fields, so what an editor saves can be exported; then a
    trial render, so a body that cannot be rendered is refused on the field."""
    body = cleaned.get("body") or ""
    problems = text_problems(
        title=cleaned.get("title") or "",
        summary=cleaned.get("summary") or "",
        about=cleaned.get("about") or "",
        body=body,
    )
    if "body" not in problems and "body" not in form.errors and body.strip():
        problems["body"] = render_problems(normalize_body(body))
    for field, messages in problems.items():
        if field in form.fields and field not in form.errors:
            for message in messages:
                form.add_error(field, message)


class DraftForm(forms.ModelForm):
    """A draft's text; the change note is required so the reviewer knows what changed."""

    class Meta:
        model = ArticleVersion
        fields = EDITOR_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "body" in self.fields:
            self.fields["body"].strip = False
            self.fields["body"].widget = ArticleMarkdownWidget(source=self.instance.article.slug)
            self.fields["body"].help_text = body_help_text("Markdown.")
        if "change_note" in self.fields:
            self.fields["change_note"].required = True

    def clean(self):
        cleaned = super().clean()
        add_text_errors(self, cleaned)
        return cleaned


class NewArticleForm(forms.ModelForm):
    """A new article: its slug (its address, fixed for good) and the first draft's text."""

    title = forms.CharField(max_length=MAX_TITLE)
    summary = forms.CharField(
        max_length=MAX_SUMMARY, help_text="One or two sentences, shown in lists and searches."
    )
    about = forms.CharField(
        max_length=MAX_TITLE, required=False, help_text="The medical condition it is about."
    )
    body = forms.CharField(widget=forms.Textarea, strip=False)
    change_note = forms.CharField(max_length=500, initial="New article")

    class Meta:
        model = Article
        fields = ["slug"]
        help_texts = {"slug": "The page's address, /articles/<slug>/; it cannot change later."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = body_help_text(
            "Markdown. The live preview appears once the draft is saved."
        )

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if not SLUG_RE.match(slug):
            raise forms.ValidationError(
                "Use lowercase letters, digits and single hyphens, like 'my-article'."
            )
        return slug

    def clean(self):
        cleaned = super().clean()
        add_text_errors(self, cleaned)
        return cleaned


class DraftReviewersForm(DraftForm):
    """A draft's text and the clinicians who must approve it (each signs separately)."""

    listed_reviewers = forms.ModelMultipleChoiceField(
        queryset=Reviewer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Reviewers who must approve",
        help_text="Clinicians with a staff account. Each one approves this exact text; with "
        "none ticked, the first medical reviewer who approves it reviews it.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["listed_reviewers"]
        field.queryset = Reviewer.objects.filter(user__isnull=False).exclude(credentials="")
        if self.instance.pk:
            field.initial = [r.pk for r in self.instance.ordered_reviewers]
