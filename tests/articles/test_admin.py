"""The editors' workflow in the admin: forms, buttons by role, steps, history, compare."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleVersion, VersionState
from articles.services import (
    approve_version,
    create_article,
    publish_version,
    submit_for_review,
)
from tests.factories import (
    make_approved,
    make_article,
    make_draft,
    make_staff,
)
from tests.html import parse, text_of
from tests.staff import login_staff

State = VersionState


def change_url(version) -> str:
    return reverse("admin:articles_articleversion_change", args=[version.pk])


def step_url(version, step: str) -> str:
    return reverse("admin:articles_articleversion_step", args=[version.pk, step])


def step_buttons(client, version) -> list[str]:
    soup = parse(client.get(change_url(version)).content.decode())
    steps = soup.find(class_="workflow-steps")
    return [b["value"] for b in steps.find_all("button")] if steps else []


def draft_form_data(version, **changes) -> dict:
    data = {
        "title": version.title,
        "summary": version.summary,
        "about": version.about,
        "body": version.body,
        "change_note": "Clearer wording",
    }
    return {**data, **changes}


# --- drafts ---


def test_editor_starts_a_new_draft_from_the_article_page(client, article, editor):
    login_staff(client, editor)
    page = parse(
        client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    )
    button_form = page.find(
        "form", action=reverse("admin:articles_article_new_draft", args=[article.pk])
    )
    assert button_form is not None and button_form["method"] == "post"

    response = client.post(reverse("admin:articles_article_new_draft", args=[article.pk]))

    draft = article.versions.get(number=2)
    assert response.status_code == 302 and response["Location"] == change_url(draft)
    assert draft.state == State.DRAFT and draft.body == "Published text.\n"


def test_new_draft_needs_post_and_the_permission(client, article, reviewer):
    login_staff(client, reviewer)
    url = reverse("admin:articles_article_new_draft", args=[article.pk])

    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert article.versions.count() == 1
    page = parse(
        client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    )
    assert page.find("form", action=url) is None


def test_draft_body_uses_the_markdownx_widget_previewing_this_article(client, article, editor):
    draft = make_draft(article, by=editor)
    login_staff(client, editor)

    soup = parse(client.get(change_url(draft)).content.decode())

    body = soup.find("textarea", attrs={"name": "body"})
    assert "markdownx-editor" in body["class"]
    assert body["data-markdownx-urls-path"] == "/staff/markdownx/markdownify/?source=test-article"
    assert body["data-markdownx-upload-urls-path"] == "/staff/markdownx/upload/"
    assert soup.find(class_="markdownx-preview") is not None
    scripts = [s.get("src", "") for s in soup.find_all("script")]
    assert any("markdownx/js/markdownx" in src for src in scripts)


def test_editor_saves_a_draft_in_the_admin(client, article, editor):
    draft = make_draft(article, by=editor)
    login_staff(client, editor)

    response = client.post(change_url(draft), draft_form_data(draft, body="Saved words.\n"))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.body == "Saved words.\n" and "Saved words." in draft.body_html
    assert draft.events.last().action == "edited"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"change_note": ""}, "change_note"),
        ({"body": '!!! cta "Heading"\nNot indented.\n'}, "body"),
        ({"summary": "x" * 161}, "summary"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_draft_form_names_the_field_and_saves_nothing(client, article, editor, changes, field):
    draft = make_draft(article, by=editor)
    login_staff(client, editor)

    response = client.post(change_url(draft), draft_form_data(draft, **changes))

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert ArticleVersion.objects.get(pk=draft.pk).body == draft.body


def test_submitted_version_shows_no_form_and_refuses_a_post(client, article, editor):
    draft = make_draft(article, by=editor)
    submit_for_review(draft, by=editor)
    login_staff(client, editor)

    soup = parse(client.get(change_url(draft)).content.decode())
    response = client.post(change_url(draft), draft_form_data(draft, body="Late.\n"))

    assert soup.find("textarea", attrs={"name": "body"}) is None
    assert response.status_code == 403
    assert ArticleVersion.objects.get(pk=draft.pk).body == draft.body


# --- buttons and steps by role ---


def test_buttons_show_only_the_steps_each_role_may_take(client, article, editor, reviewer):
    draft = make_draft(article, by=editor)

    login_staff(client, editor)
    assert step_buttons(client, draft) == ["submit"]
    login_staff(client, reviewer)
    assert client.get(change_url(draft)).status_code == 302  # a draft is not theirs to see

    submit_for_review(draft, by=editor)
    assert step_buttons(client, draft) == ["approve", "return"]
    login_staff(client, editor)
    assert step_buttons(client, draft) == ["return"]

    approve_version(draft, by=reviewer)
    assert step_buttons(client, draft) == []
    login_staff(client, reviewer)
    assert step_buttons(client, draft) == ["publish"]

    publish_version(draft, by=reviewer)
    assert step_buttons(client, draft) == []
    login_staff(client, editor)
    assert step_buttons(client, draft) == ["revert"]


def test_no_approve_button_on_a_reviewers_own_draft(client, article, settings):
    settings.ARTICLES_ALLOW_SELF_APPROVAL = False
    both = make_staff("both", "Editors", "Medical reviewers")
    from articles.models import Reviewer

    Reviewer.objects.create(name="Bo Th", credentials="DO", user=both)
    draft = make_draft(article, by=both)
    submit_for_review(draft, by=both)
    login_staff(client, both)

    assert step_buttons(client, draft) == ["return"]
    assert client.post(step_url(draft, "approve")).status_code == 403
    settings.ARTICLES_ALLOW_SELF_APPROVAL = True
    assert step_buttons(client, draft) == ["approve", "return"]


@pytest.mark.parametrize("step", ["approve", "publish"])
def test_editor_posting_a_reviewers_step_gets_403(client, article, editor, reviewer, step):
    version = make_draft(article, by=editor)
    submit_for_review(version, by=editor)
    if step == "publish":
        approve_version(version, by=reviewer)
    before = ArticleVersion.objects.get(pk=version.pk).state
    login_staff(client, editor)

    assert client.post(step_url(version, step)).status_code == 403
    assert ArticleVersion.objects.get(pk=version.pk).state == before


def test_a_step_the_state_does_not_allow_is_reported_not_taken(client, article, editor, reviewer):
    draft = make_draft(article, by=editor)
    login_staff(client, reviewer)
    submit_for_review(draft, by=editor)
    approve_version(draft, by=reviewer)

    response = client.post(step_url(draft, "approve"), follow=True)

    assert response.status_code == 200
    assert "only a version that is in review can be approved" in text_of(
        parse(response.content.decode())
    )


def test_steps_need_post_and_a_known_step(client, article, editor):
    draft = make_draft(article, by=editor)
    login_staff(client, editor)

    assert client.get(step_url(draft, "submit")).status_code == 405
    assert client.post(step_url(draft, "delete")).status_code == 404


def test_editor_and_reviewer_publish_through_the_admin(client, article, editor, reviewer):
    url = article.get_absolute_url()
    login_staff(client, editor)
    client.post(reverse("admin:articles_article_new_draft", args=[article.pk]))
    draft = article.versions.get(number=2)
    client.post(change_url(draft), draft_form_data(draft, body="Admin words.\n"))
    client.post(step_url(draft, "submit"))

    login_staff(client, reviewer)
    client.post(step_url(draft, "return"), {"note": "Say who it is for."})
    login_staff(client, editor)
    client.post(change_url(draft), draft_form_data(draft, body="Admin words for you.\n"))
    client.post(step_url(draft, "submit"))
    login_staff(client, reviewer)
    client.post(step_url(draft, "approve"))
    assert b"Admin words" not in client.get(url).content

    response = client.post(step_url(draft, "publish"))

    assert response.status_code == 302
    assert b"Admin words for you." in client.get(url).content
    soup = parse(client.get(change_url(draft)).content.decode())
    history = text_of(soup.find(class_="version-history"))
    for expected in ["Created by edna", "Returned to draft by rhea: Say who it is for.",
                     "Approved by rhea", "Published by rhea"]:  # fmt: skip
        assert expected in history


def test_revert_button_makes_a_draft_from_an_old_version(client, article, editor, reviewer):
    v1 = article.published_version
    publish_version(make_approved(article, editor=editor, reviewer=reviewer), by=reviewer)
    login_staff(client, editor)

    response = client.post(step_url(v1, "revert"))

    draft = article.versions.get(number=3)
    assert response["Location"] == change_url(draft)
    assert draft.body == v1.body and draft.state == State.DRAFT


@pytest.mark.parametrize("group", ["Intake staff", None])
def test_staff_without_article_permissions_get_403_in_the_admin(client, article, group):
    login_staff(client, make_staff("ivy", *([group] if group else [])))

    for url in (
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin:articles_articleversion_changelist"),
        reverse("admin:articles_article_compare", args=[article.pk]),
    ):
        assert client.get(url).status_code == 403, url


# --- version list, checks, history ---


def test_article_page_lists_every_version_with_its_record(client, article, editor, reviewer):
    approved = make_approved(article, editor=editor, reviewer=reviewer)
    login_staff(client, editor)

    soup = parse(
        client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    )

    rows = [
        [text_of(td) for td in tr.find_all("td", class_=lambda c: c and c.startswith("field-"))]
        for tr in soup.find(id="versions-group").find("tbody").find_all("tr")
    ]
    v2, v1 = rows
    assert v2[:3] == [f"v2: {approved.title}", "Approved", "edna"]
    assert v2[4:] == ["Clearer wording", "Rhea Medic, MD"]
    assert v1[:2] == ["v1: Test article", "Published"]
    assert v1[-1] == "Ada Reviewer, MD"


def test_version_page_shows_editorial_checks(client, article, editor):
    body = "## Start\n\n#### Skipped a level\n\nSee [missing](/articles/nowhere/).\n"
    draft = make_draft(article, by=editor, body=body)
    login_staff(client, editor)

    checks = text_of(
        parse(client.get(change_url(draft)).content.decode()).find(class_="editorial-checks")
    )

    assert "Word count" in checks and "Reading grade" in checks and "Reading time" in checks
    assert "h4 “Skipped a level” follows h2" in checks
    assert "missing: /articles/nowhere/" in checks


def test_version_page_shows_the_approval_record(client, article, editor, reviewer):
    approved = make_approved(article, editor=editor, reviewer=reviewer)
    login_staff(client, reviewer)

    soup = parse(client.get(change_url(approved)).content.decode())

    record = text_of(soup.find("div", class_="field-review_record"))
    assert "Approved by Rhea Medic, MD (account “rhea”)" in record
    assert "matches the text" in record


# --- compare ---


def test_compare_marks_changed_lines_and_escapes_html(client, article, editor):
    make_draft(article, by=editor, body="Published text.\n\n<script>alert(1)</script>\n")
    login_staff(client, editor)

    response = client.get(reverse("admin:articles_article_compare", args=[article.pk]))

    assert response.status_code == 200
    soup = parse(response.content.decode())
    body_diff = soup.find("section", id="diff-body")
    assert body_diff.find("script") is None and soup.find("script", string="alert(1)") is None
    added = [text_of(ins) for ins in body_diff.find_all("ins")]
    assert "+ <script>alert(1)</script>" in added
    assert "Published text." in text_of(body_diff.find("tr", class_="diff-same"))
    assert "unchanged" in text_of(soup.find("section", id="diff-title"))


def test_compare_any_two_versions(client, article, editor, reviewer):
    publish_version(
        make_approved(article, editor=editor, reviewer=reviewer, body="Two.\n"), by=reviewer
    )
    make_draft(article, by=editor, body="Three.\n")
    login_staff(client, editor)

    response = client.get(reverse("admin:articles_article_compare", args=[article.pk]) + "?a=3&b=1")

    removed = [
        text_of(d) for d in parse(response.content.decode()).find(id="diff-body").find_all("del")
    ]
    assert removed == ["− Three."]


@pytest.mark.parametrize(
    "query, status, message",
    [("?a=abc", 400, b"a: expected a version number"), ("?b=1e9", 400, b"b:"), ("?a=99", 404, b"")],
)
def test_compare_names_bad_parameters(client, article, editor, query, status, message):
    login_staff(client, editor)

    response = client.get(reverse("admin:articles_article_compare", args=[article.pk]) + query)

    assert response.status_code == status
    assert message in response.content


# --- new articles, review-due filter ---


def test_editor_adds_an_article_as_a_first_draft(client, editor):
    login_staff(client, editor)
    data = {
        "slug": "naloxone",
        "title": "Naloxone",
        "summary": "How naloxone reverses an overdose.",
        "about": "",
        "body": "Naloxone can save a life.\n",
        "change_note": "New article",
    }

    response = client.post(reverse("admin:articles_article_add"), data)

    draft = ArticleVersion.objects.get(article__slug="naloxone")
    assert response.status_code == 302 and response["Location"] == change_url(draft)
    assert draft.state == State.DRAFT and draft.created_by == editor
    assert client.get("/articles/naloxone/").status_code == 404


@pytest.mark.parametrize("slug", ["Has Spaces", "under_score", "ok--no"])
def test_adding_an_article_with_a_bad_slug_names_the_field(client, editor, slug):
    login_staff(client, editor)

    response = client.post(
        reverse("admin:articles_article_add"),
        {"slug": slug, "title": "T", "summary": "S", "body": "B.\n", "change_note": "n"},
    )

    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert not Article.objects.exists()


def test_reviewers_cannot_add_articles(client, reviewer):
    login_staff(client, reviewer)

    assert client.get(reverse("admin:articles_article_add")).status_code == 403


def test_review_due_filter_lists_overdue_and_soon_due_articles(client, editor):
    today = timezone.localdate()
    make_article(
        slug="overdue",
        last_reviewed=today - datetime.timedelta(days=400),
        next_review_due=today - datetime.timedelta(days=1),
    )
    make_article(
        slug="soon",
        last_reviewed=today - datetime.timedelta(days=300),
        next_review_due=today + datetime.timedelta(days=30),
    )
    make_article(
        slug="later",
        last_reviewed=today,
        next_review_due=today + datetime.timedelta(days=31),
    )
    login_staff(client, editor)
    url = reverse("admin:articles_article_changelist")

    def slugs(query: str) -> list[str]:
        soup = parse(client.get(url + query).content.decode())
        return sorted(text_of(th) for th in soup.select("#result_list tbody th"))

    assert slugs("?review=due") == ["overdue", "soon"]
    assert slugs("?review=overdue") == ["overdue"]
    assert slugs("") == ["later", "overdue", "soon"]


# --- what a search shows each role ---


@pytest.fixture
def secret_draft(article, editor):
    """An article that is only an editor's draft, and a draft of a published one."""
    make_draft(article, by=editor, title="Zebrafish dosing draft")
    create_article(
        slug="zebra-secret",
        title="Zebra secret",
        summary="S.",
        body="B.\n",
        change_note="n",
        by=editor,
    )


@pytest.mark.parametrize(
    "role, found",
    [
        ("editor", {"articles": 2, "versions": 2}),
        ("reviewer", {"articles": 0, "versions": 0}),
        ("superuser", {"articles": 2, "versions": 2}),
    ],
)
def test_search_finds_and_counts_only_what_the_role_may_see(
    client, secret_draft, editor, reviewer, role, found
):
    users = {
        "editor": editor,
        "reviewer": reviewer,
        "superuser": make_staff("sue", is_superuser=True),
    }
    login_staff(client, users[role])

    lists = {
        "articles": client.get(reverse("admin:articles_article_changelist"), {"q": "zebra"}),
        "versions": client.get(reverse("admin:articles_articleversion_changelist"), {"q": "zebra"}),
    }

    counted = {}
    for name, response in lists.items():
        changelist = response.context["cl"]
        counted[name] = changelist.result_count
        visible = changelist.root_queryset.count()
        assert changelist.full_result_count == visible
        shown = text_of(parse(response.content).find(id="changelist-search")).replace(" ", "")
        if changelist.result_count != visible:  # the admin shows "N results (M total)"
            assert f"({visible}total)" in shown
    assert counted == found
    if role == "reviewer":
        for response in lists.values():
            assert parse(response.content).find(id="result_list") is None


def test_a_reviewer_does_not_see_an_article_that_is_only_a_draft(
    client, article, secret_draft, reviewer
):
    login_staff(client, reviewer)

    listing = client.get(reverse("admin:articles_article_changelist"))
    versions = client.get(reverse("admin:articles_articleversion_changelist"))

    assert [a.slug for a in listing.context["cl"].result_list] == [article.slug]
    article_choices = [
        label
        for spec in versions.context["cl"].filter_specs
        if getattr(spec, "field_path", "") == "article"
        for _, label in spec.lookup_choices
    ]
    assert "zebra-secret" not in article_choices
    assert "zebra-secret" not in versions.content.decode()


# --- admin defects: list columns, history page, messages ---


def test_versions_list_names_each_versions_reviewers(client, article, editor, reviewer):
    make_approved(article, editor=editor, reviewer=reviewer)
    login_staff(client, editor)

    soup = parse(client.get(reverse("admin:articles_articleversion_changelist")).content.decode())

    cells = [text_of(td) for td in soup.find_all("td", class_="field-reviewer_names")]
    assert cells == ["Rhea Medic, MD", "Ada Reviewer, MD"]
    assert "Reviewer.None" not in text_of(soup)


@pytest.mark.parametrize("model", ["article", "articleversion"])
def test_history_page_lists_the_workflows_events(client, article, editor, reviewer, model):
    approved = make_approved(article, editor=editor, reviewer=reviewer)
    publish_version(approved, by=reviewer)
    login_staff(client, editor)
    obj = article if model == "article" else approved

    response = client.get(reverse(f"admin:articles_{model}_history", args=[obj.pk]))

    assert response.status_code == 200
    rows = [
        [text_of(cell) for cell in tr.find_all(["th", "td"])[1:]]
        for tr in parse(response.content.decode()).find(id="change-history").tbody.find_all("tr")
    ]
    assert ["rhea", "v2", "Published"] in rows
    assert ["rhea", "v2", "Approved: Rhea Medic, MD"] in rows
    assert ["edna", "v2", "Submitted for review"] in rows
    on_article_page = model == "article"
    assert (["rhea", "v1", "Superseded: v2 was published"] in rows) == on_article_page
    assert (["content file", "v1", "Created"] in rows) == on_article_page


def test_history_page_hides_drafts_the_user_may_not_see(client, article, editor, reviewer):
    make_draft(article, by=editor, body="Secret draft.\n")
    login_staff(client, reviewer)

    response = client.get(reverse("admin:articles_article_history", args=[article.pk]))

    versions = {
        text_of(tr.find_all("td")[1])
        for tr in parse(response.content.decode()).find(id="change-history").tbody.find_all("tr")
    }
    assert versions == {"v1"}


def test_messages_keep_the_slug_in_lower_case(client, editor):
    make_article(slug="opioid-induced-hyperalgesia")
    article = Article.objects.get(slug="opioid-induced-hyperalgesia")
    draft = make_draft(article, by=editor)
    login_staff(client, editor)

    response = client.post(step_url(draft, "submit"), follow=True)

    message = text_of(parse(response.content.decode()).find(class_="messagelist"))
    assert "opioid-induced-hyperalgesia" in message
    assert "Opioid-induced-hyperalgesia" not in message


def test_admin_forms_refuse_bidi_and_zero_width_characters(db):
    from django.core.exceptions import ValidationError

    from articles.forms import NewArticleForm
    from articles.models import Reviewer

    form = NewArticleForm(
        data={
            "slug": "new-one",
            "title": "Safe\u202etxt.exe",
            "summary": "Fine",
            "body": 'Text.\n\n!!! cta "Call\u200b us"\n    Now.\n',
            "change_note": "New",
        }
    )
    assert not form.is_valid()
    assert "invisible or direction-changing" in form.errors["title"][0]
    assert "call-to-action heading contains an invisible" in form.errors["body"][0]
    with pytest.raises(ValidationError) as error:
        Reviewer(name="Dr.\u2067 A", credentials="MD").full_clean()
    assert "U+2067" in str(error.value.message_dict["name"])


@pytest.mark.parametrize("body", ["[" * 5_000, "[a](" * 5_000, "x" * (100 * 1024 + 1)])
def test_draft_form_refuses_a_costly_or_oversized_body_on_the_field(client, article, editor, body):
    draft = make_draft(article, by=editor)
    login_staff(client, editor)

    response = client.post(change_url(draft), draft_form_data(draft, body=body))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["body"]
    assert "markup" in errors[0] or "bytes long" in errors[0]
    assert ArticleVersion.objects.get(pk=draft.pk).body == draft.body


def test_draft_form_refuses_a_body_whose_render_runs_out_of_time(
    client, article, editor, settings, monkeypatch
):
    from articles import rendering

    draft = make_draft(article, by=editor)
    login_staff(client, editor)
    settings.ARTICLES_RENDER_TIMEOUT_SECONDS = 0.2

    def endless(*args, **kwargs):
        while True:
            pass

    monkeypatch.setattr(rendering, "_render", endless)
    response = client.post(change_url(draft), draft_form_data(draft, body="New words.\n"))

    assert response.status_code == 200
    assert "took longer than 0.2 seconds" in response.context["adminform"].form.errors["body"][0]


def test_the_editor_states_the_body_size_limit(client, article, editor, settings):
    settings.ARTICLES_MAX_BODY_BYTES = 50 * 1024
    draft = make_draft(article, by=editor)
    login_staff(client, editor)

    form = client.get(change_url(draft)).context["adminform"].form

    assert "At most 50 KB." in form.fields["body"].help_text
