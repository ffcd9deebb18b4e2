"""The editors' workflow in the admin: drafts, review, publishing, history, compare.

Every button is a step of the workflow table (`articles.workflow`): its label, and the service
it calls, which checks the same permission rules the buttons are shown by
(`articles.permissions`); hiding a button is never the only guard.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import (
    Http404,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import smart_split, unescape_string_literal

from articles import editorial, permissions, services, workflow
from articles.diffing import count_changes, diff_lines, with_context
from articles.forms import EDITOR_FIELDS, DraftReviewersForm, NewArticleForm
from articles.models import (
    REVIEW_DUE_WITHIN_DAYS,
    Article,
    ArticleVersion,
    Reviewer,
    VersionEvent,
)

DIFF_FIELDS = ["title", "summary", "about", "body"]


class ReviewDueFilter(admin.SimpleListFilter):
    title = "review due"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("due", f"Overdue or due within {REVIEW_DUE_WITHIN_DAYS} days"),
            ("overdue", "Overdue"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "due":
            return queryset.review_due(today)
        if self.value() == "overdue":
            return queryset.review_due(today, within_days=-1)
        return queryset


def version_admin_url(version: ArticleVersion) -> str:
    return reverse("admin:articles_articleversion_change", args=[version.pk])


def done_message(step: str, version: ArticleVersion) -> str:
    """What the admin says after `step` (the table's words); `version` is the one it left.

    Messages start with a word, never the slug: the admin capitalises a message's first letter.
    """
    taken = workflow.step(step)
    base = version.based_on.number if version.based_on_id else version.number
    fields = {"number": version.number, "slug": version.article.slug, "base": base}
    if taken.pending and taken.target and version.state != taken.target:
        awaited = ", ".join(str(r) for r in services.awaited_reviewers(version))
        return taken.pending.format(awaited=awaited, **fields)
    return taken.done.format(**fields)


def problem_text(error: Exception) -> str:
    """A refused step's reasons, each naming its field when it has one."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        fields = error.message_dict.items()
        return "; ".join(f"{field}: {message}" for field, items in fields for message in items)
    return "; ".join(getattr(error, "messages", [str(error)]))


def reviewed_by(version: ArticleVersion) -> str:
    return ", ".join(str(r) for r in version.ordered_reviewers) or "—"


@admin.register(Reviewer)
class ReviewerAdmin(admin.ModelAdmin):
    list_display = ["name", "credentials", "user"]
    search_fields = ["name", "credentials"]
    # A searchable list of accounts, not a numeric id box (the user admin has search fields).
    autocomplete_fields = ["user"]


class VersionInline(admin.TabularInline):
    """The article's history: every version the user may see, newest first."""

    model = ArticleVersion
    fields = ["version", "state", "created_by", "created_at", "change_note", "reviewer_names"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-number"]
    verbose_name_plural = "Versions"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .select_related("created_by")
            .prefetch_related("reviewer_links__reviewer")
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Version")
    def version(self, obj):
        url = version_admin_url(obj)
        return format_html('<a href="{}">v{}: {}</a>', url, obj.number, obj.title)

    @admin.display(description="Reviewed by")
    def reviewer_names(self, obj):
        return reviewed_by(obj)


class WorkflowHistoryMixin:
    """The admin's History page lists the workflow's events (who created, submitted,
    approved, published … and when), which the services record, beside any admin log rows."""

    object_history_template = "admin/articles/object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        if hasattr(response, "context_data"):
            obj = response.context_data["object"]
            response.context_data["events"] = self.workflow_events(request, obj)
        return response

    def workflow_events(self, request, obj):
        versions = ArticleVersion.objects.visible_to(request.user).filter(**self.history_of(obj))
        return (
            VersionEvent.objects.filter(version__in=versions)
            .select_related("version__article", "by")
            .order_by("-at", "-pk")
        )


@admin.register(Article)
class ArticleAdmin(WorkflowHistoryMixin, admin.ModelAdmin):
    list_display = ["slug", "title", "published_number", "published_at", "next_review_due"]
    list_filter = [ReviewDueFilter]
    search_fields = ["slug"]  # and the titles of versions the user may see: get_search_results
    search_help_text = "Search by address (slug) or by the title of any version you can see."
    readonly_fields = ["slug", "published_version", "published_at", "published_by", "created_at"]
    inlines = [VersionInline]
    change_form_template = "admin/articles/article/change_form.html"

    class Media:
        css = {"all": ["articles/admin.css"]}

    def get_queryset(self, request):
        # The list, its counts, searches, pages and "view on site" all start here.
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .select_related("published_version")
        )

    def get_search_results(self, request, queryset, search_term):
        # As the admin's own search (every word must match), but a title only matches in a
        # version the user may see: a draft's title must not turn up, even as a count.
        versions = ArticleVersion.objects.visible_to(request.user)
        for word in search_words(search_term):
            titled = versions.filter(title__icontains=word).values("article")
            queryset = queryset.filter(Q(slug__icontains=word) | Q(pk__in=titled))
        return queryset, False

    def view_on_site(self, obj):
        # Only a published article has a page to show.
        return obj.get_absolute_url() if obj.published_version_id else None

    def history_of(self, obj):
        return {"article": obj}

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = NewArticleForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["slug", *EDITOR_FIELDS]
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_add_permission(self, request):
        return permissions.can_create_articles(request.user)

    def has_change_permission(self, request, obj=None):
        # The slug is the page's address and the text lives in versions: nothing to change.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Published title", ordering="published_version__title")
    def title(self, obj):
        return obj.published_version.title if obj.published_version else "—"

    @admin.display(description="Published version")
    def published_number(self, obj):
        return f"v{obj.published_version.number}" if obj.published_version else "—"

    @admin.display(description="Next review due", ordering="published_version__next_review_due")
    def next_review_due(self, obj):
        return obj.published_version.next_review_due if obj.published_version else None

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in EDITOR_FIELDS}
        version = services.create_article(slug=form.cleaned_data["slug"], by=request.user, **data)
        obj.pk = version.article_id
        obj.refresh_from_db()

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(request, f"Created {obj}: v1 is a draft.", messages.SUCCESS)
        return HttpResponseRedirect(version_admin_url(obj.versions.get(number=1)))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/new-draft/",
                view(self.new_draft_view),
                name="articles_article_new_draft",
            ),
            path(
                "<path:object_id>/compare/",
                view(self.compare_view),
                name="articles_article_compare",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_start_drafts": permissions.can_start_drafts(request.user),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _article_or_404(self, request, object_id) -> Article:
        if not self.has_view_permission(request):
            raise PermissionDenied
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("No such article.")
        return article

    def new_draft_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_or_404(request, object_id)
        try:
            draft = services.create_draft(article, by=request.user)
        except services.WorkflowError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))
        messages.success(request, done_message("new_draft", draft))
        return HttpResponseRedirect(version_admin_url(draft))

    def compare_view(self, request, object_id):
        article = self._article_or_404(request, object_id)
        versions = list(
            ArticleVersion.objects.visible_to(request.user).for_article(article).latest_first()
        )
        if not versions:
            raise Http404("No versions to compare.")
        by_number = {v.number: v for v in versions}
        try:
            old_number, new_number = compare_numbers(request.GET, article, versions)
        except ValueError as error:
            return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
        if old_number not in by_number or new_number not in by_number:
            raise Http404("No such version of this article.")
        old, new = by_number[old_number], by_number[new_number]
        full = request.GET.get("full") == "1"
        diffs = field_diffs(old, new, full=full)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Compare versions of {article}",
            "article": article,
            "versions": versions,
            "old": old,
            "new": new,
            "diffs": diffs,
            "full": full,
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)


def search_words(search_term: str) -> list[str]:
    """The words of an admin search, quoted phrases kept whole (as ModelAdmin's own search)."""
    words = []
    for word in smart_split(search_term):
        if word[0] in "\"'" and word[0] == word[-1]:
            word = unescape_string_literal(word)
        if word:
            words.append(word)
    return words


def field_diffs(old: ArticleVersion | None, new: ArticleVersion, *, full=False, reviewers=False):
    """Line diffs of each text field (and, with `reviewers`, of who reviewed) from `old` to
    `new`; `old` None (nothing published yet) diffs against nothing."""
    pairs = [(name, getattr(old, name) if old else "", getattr(new, name)) for name in DIFF_FIELDS]
    if reviewers:
        pairs.append(("reviewers", reviewer_lines(old), reviewer_lines(new)))
    diffs = []
    for name, before, after in pairs:
        lines = diff_lines(before, after)
        shown = lines if full else with_context(lines)
        diffs.append({"name": name, "lines": shown, "changes": count_changes(lines)})
    return diffs


def reviewer_lines(version: ArticleVersion | None) -> str:
    """One line per clinician the version names (as signed, or awaited)."""
    if version is None:
        return ""
    people = services.signatories(version)
    return "\n".join(f"{p.name}, {p.credentials}" if p.credentials else p.name for p in people)


def checks_html(version: ArticleVersion):
    """The editorial checks of `version`, as a list."""
    checks = editorial.run_checks(
        summary=version.summary,
        body_html=version.body_html,
        next_review_due=version.next_review_due,
        today=timezone.localdate(),
        published_slugs=set(Article.objects.published().values_list("slug", flat=True)),
    )
    rows = format_html_join(
        "",
        '<li class="check-{}"><strong>{}</strong> {}: {}</li>',
        (("ok" if c.ok else "warn", "✓" if c.ok else "⚠", c.label, c.result) for c in checks),
    )
    return format_html('<ul class="editorial-checks">{}</ul>', rows)


def compare_numbers(query, article: Article, versions: list[ArticleVersion]) -> tuple[int, int]:
    """The version numbers to compare: ?a= (old) and ?b= (new); by default the published
    version against the newest. ValueError names the parameter that is not a number."""
    newest = versions[0]
    published = article.published_version
    default_old = published if published and published.pk != newest.pk else versions[-1]
    numbers = []
    for name, default in (("a", default_old.number), ("b", newest.number)):
        value = query.get(name, "").strip().lstrip("v")
        if not value:
            numbers.append(default)
        elif value.isdigit() and len(value) < 10:
            numbers.append(int(value))
        else:
            raise ValueError(f"{name}: expected a version number, like 3")
    return numbers[0], numbers[1]


@admin.register(ArticleVersion)
class ArticleVersionAdmin(WorkflowHistoryMixin, admin.ModelAdmin):
    form = DraftReviewersForm
    list_display = [
        "__str__",
        "title",
        "state",
        "created_by",
        "created_at",
        "change_note",
        "reviewer_names",
    ]
    # Only articles with a version the user may see are offered (not every slug there is).
    list_filter = ["state", ("article", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["article", "created_by"]
    search_fields = ["title", "article__slug", "change_note"]
    change_form_template = "admin/articles/articleversion/change_form.html"
    view_on_site = False  # the page shows the published version; "Preview" shows this one
    META_FIELDS = [
        "article",
        "number",
        "state",
        "based_on",
        "source",
        "created_by",
        "created_at",
        "review_record",
        "last_reviewed",
        "next_review_due",
        "content_sha256",
        "editorial_checks",
        "history",
    ]
    fieldsets = [
        (None, {"fields": [*EDITOR_FIELDS, "listed_reviewers"]}),
        (
            "Version",
            {"fields": ["article", "number", "state", "based_on", "source", "created_by"]},
        ),
        (
            "Medical review",
            {"fields": ["review_record", "last_reviewed", "next_review_due", "content_sha256"]},
        ),
        ("Editorial checks", {"fields": ["editorial_checks"]}),
        ("History", {"fields": ["created_at", "history"]}),
    ]

    @property
    def media(self):
        # Defining `media` replaces `class Media`: the admin's styles, then the site's
        # stylesheet scoped to markdownx's live preview (a staff URL, so reversed here).
        styles = ["articles/admin.css", reverse("articles_staff:preview_stylesheet")]
        return super().media + forms.Media(css={"all": styles})

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .prefetch_related("reviewer_links__reviewer")
        )

    def history_of(self, obj):
        return {"pk": obj.pk}

    def get_readonly_fields(self, request, obj=None):
        return self.META_FIELDS

    def has_add_permission(self, request):
        return False  # drafts start from an article ("New draft") or a version ("Revert")

    def has_change_permission(self, request, obj=None):
        return permissions.can_edit(request.user) and (obj is None or obj.is_draft)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        text = {name: form.cleaned_data[name] for name in EDITOR_FIELDS}
        reviewers = list(form.cleaned_data["listed_reviewers"])
        services.update_draft(obj, by=request.user, reviewers=reviewers, **text)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.WorkflowError as error:
            # Another person moved the version on while this one was editing it.
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        version = self.get_object(request, unquote(object_id))
        if version is not None:
            extra_context = {
                **(extra_context or {}),
                "steps": permissions.allowed_steps(request.user, version),
                "returned": version.events.filter(action=VersionEvent.Action.RETURNED)
                .select_related("by")
                .last()
                if version.is_draft
                else None,
                "preview_url": reverse("articles_staff:version_preview", args=[version.pk]),
                "compare_url": reverse("admin:articles_article_compare", args=[version.article_id])
                + f"?b={version.number}",
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/step/<slug:step>/",
                self.admin_site.admin_view(self.step_view),
                name="articles_articleversion_step",
            ),
            *super().get_urls(),
        ]

    def step_view(self, request, object_id, step):
        buttons = {s.name: s for s in workflow.buttons()}
        confirmable = step in buttons and buttons[step].confirm
        if request.method != "POST" and not (confirmable and request.method == "GET"):
            return HttpResponseNotAllowed(["GET", "POST"] if confirmable else ["POST"])
        version = self.get_object(request, unquote(object_id))
        if version is None or step not in buttons:
            raise Http404("No such version or step.")
        if request.method == "GET":
            return self.confirm_view(request, version, buttons[step])
        service = getattr(services, buttons[step].service)
        kwargs = {"note": request.POST.get("note", "")[:500]} if buttons[step].reason else {}
        try:
            result = service(version, by=request.user, **kwargs)
        except (services.WorkflowError, ValidationError) as error:
            messages.error(request, problem_text(error))
            return HttpResponseRedirect(version_admin_url(version))
        target = result if isinstance(result, ArticleVersion) else version
        target.refresh_from_db()
        messages.success(request, done_message(step, target))
        return HttpResponseRedirect(version_admin_url(target))

    def confirm_view(self, request, version: ArticleVersion, step: workflow.Step):
        """What taking `step` would make true, shown before anyone signs: the diff against the
        published version, the editorial checks, and one POST button. Changes nothing."""
        if not permissions.may(request.user, step.name, version):
            if version.state not in step.sources:
                messages.error(request, f"{version} is {version.get_state_display().lower()}.")
                return HttpResponseRedirect(version_admin_url(version))
            if step.clinician and permissions.signed(request.user, version):
                messages.info(request, f"You have already approved this text of {version}.")
                return HttpResponseRedirect(version_admin_url(version))
            raise PermissionDenied
        published = version.article.published_version
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{step.label}: {version.article.slug} v{version.number}",
            "version": version,
            "step": step,
            "published": published if published and published.pk != version.pk else None,
            "diffs": field_diffs(
                published if published and published.pk != version.pk else None,
                version,
                reviewers=True,
            ),
            "checks": checks_html(version),
            "awaited": services.awaited_reviewers(version),
        }
        return TemplateResponse(request, "admin/articles/articleversion/confirm_step.html", context)

    # Not named `reviewers`: the admin would print the model's many-to-many field of that name.
    @admin.display(description="Reviewed by")
    def reviewer_names(self, obj):
        return reviewed_by(obj)

    @admin.display(description="Reviewers who must approve")
    def listed_reviewers(self, obj):
        """Each listed clinician and whether they have signed this text (read-only view)."""
        signed = {a.reviewer_id for a in services.current_approvals(obj)}
        rows = format_html_join(
            "",
            "<li>{} — {}</li>",
            (
                (reviewer, "approved" if reviewer.pk in signed else "not yet approved")
                for reviewer in obj.ordered_reviewers
            ),
        )
        return format_html('<ul class="listed-reviewers">{}</ul>', rows) if rows else "—"

    @admin.display(description="Review record")
    def review_record(self, obj):
        text = obj.text_sha256()
        approvals = obj.approvals.select_related("approved_by").order_by("approved_at", "pk")
        if approvals:
            return format_html_join(
                mark_safe("<br>"),  # noqa: S308 (a constant)
                "Approved by {} (account “{}”) on {}. Text sha256 {}: {}.",
                (
                    (
                        approval.signed_as,
                        approval.approved_by.get_username(),
                        timezone.localtime(approval.approved_at).strftime("%Y-%m-%d %H:%M %Z"),
                        approval.text_sha256[:16] + "…",
                        "matches the text"
                        if approval.text_sha256 == text
                        else "DOES NOT match the text (void)",
                    )
                    for approval in approvals
                ),
            )
        if obj.from_file:
            return format_html(
                "Reviewed in its content file ({}): {}, last reviewed {}.",
                obj.source,
                reviewed_by(obj),
                obj.last_reviewed,
            )
        return "Not reviewed yet: a medical reviewer approves it after it is submitted."

    @admin.display(description="Checks")
    def editorial_checks(self, obj):
        return checks_html(obj)

    @admin.display(description="History")
    def history(self, obj):
        rows = format_html_join(
            "",
            "<li>{} — {}{}{}</li>",
            (
                (
                    timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M"),
                    event.get_action_display(),
                    f" by {event.by.get_username()}" if event.by else "",
                    f": {event.note}" if event.note else "",
                )
                for event in obj.events.select_related("by")
            ),
        )
        return format_html('<ul class="version-history">{}</ul>', rows)
