"""Staff preview and the wrapped markdownx endpoints: who may use them, and what they render."""

import re

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve, reverse

from articles.rendering import render_markdown
from articles.services import publish_version, submit_for_review
from articles.sources import SourceError
from tests.articles.test_rendering import HOSTILE
from tests.factories import (
    make_approved,
    make_article,
    make_draft,
    make_editor,
    make_medical_reviewer,
    make_staff,
)
from tests.html import parse, text_of
from tests.staff import login_staff

MARKDOWNIFY = "/staff/markdownx/markdownify/"
UPLOAD = "/staff/markdownx/upload/"


def preview_url(version) -> str:
    return reverse("articles_staff:version_preview", args=[version.pk])


def article_body(html) -> str:
    return str(parse(html).find("div", class_="article-body"))


# --- markdownx endpoints -------------------------------------------------------------------------


def test_markdownx_own_urls_are_not_routed():
    for url in ("/markdownx/markdownify/", "/markdownx/upload/"):
        with pytest.raises(Resolver404):
            resolve(url)


def test_markdownx_widget_settings_point_at_the_wrappers():
    assert settings.MARKDOWNX_URLS_PATH == reverse("articles_staff:markdownify") == MARKDOWNIFY
    assert settings.MARKDOWNX_UPLOAD_URLS_PATH == reverse("articles_staff:upload") == UPLOAD
    assert settings.MARKDOWNX_MARKDOWNIFY_FUNCTION == "articles.rendering.markdownify_for_preview"
    assert "image/svg+xml" not in settings.MARKDOWNX_UPLOAD_CONTENT_TYPES


@pytest.mark.parametrize("who", ["anonymous", "intake", "plain user", "reviewer", "inactive"])
@pytest.mark.parametrize("url", [MARKDOWNIFY, UPLOAD])
def test_markdownx_endpoints_refuse_everyone_but_editors(client, db, who, url):
    if who == "intake":
        login_staff(client, make_staff("ivy", "Intake staff"))
    elif who == "plain user":
        # Not staff, so no second factor can be enrolled: a plain password login.
        client.force_login(make_staff("pat", "Editors", is_staff=False))
    elif who == "reviewer":
        login_staff(client, make_medical_reviewer())
    elif who == "inactive":
        user = make_editor()
        login_staff(client, user)
        user.is_active = False
        user.save()

    response = client.post(url, {"content": "# hi"})

    assert response.status_code == 403
    assert b"<h1" not in response.content


def test_markdownx_endpoints_enforce_csrf(editor):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    login_staff(client, editor)

    assert client.post(MARKDOWNIFY, {"content": "x"}).status_code == 403


def test_markdownify_answers_only_post(client, editor):
    login_staff(client, editor)

    assert client.get(MARKDOWNIFY).status_code == 405


def test_markdownify_names_missing_or_bad_input(client, editor):
    login_staff(client, editor)

    missing = client.post(MARKDOWNIFY, {})
    bad_source = client.post(MARKDOWNIFY + "?source=../../etc", {"content": "x"})

    assert (missing.status_code, missing.content) == (400, b"content: missing")
    assert bad_source.status_code == 400 and b"source:" in bad_source.content


def test_markdownify_preview_is_the_seed_articles_public_html_byte_for_byte(
    client, seed_article, editor
):
    version = seed_article.published_version
    login_staff(client, editor)

    preview = client.post(f"{MARKDOWNIFY}?source={seed_article.slug}", {"content": version.body})

    assert preview.status_code == 200
    assert preview.content.decode() == version.body_html
    public = client.get(seed_article.get_absolute_url()).content.decode()
    assert preview.content.decode() in public
    assert "/contact/?source=opioid-induced-hyperalgesia" in preview.content.decode()


@pytest.mark.parametrize("markdown_text", HOSTILE)
def test_markdownify_preview_equals_the_public_render_for_hostile_input(
    client, editor, markdown_text
):
    login_staff(client, editor)

    preview = client.post(f"{MARKDOWNIFY}?source=test-article", {"content": markdown_text})

    assert preview.content.decode() == render_markdown(markdown_text, source="test-article").html
    try:
        article = make_article(markdown_text + "\n")
    except SourceError:
        return  # the loader and the editor both refuse this body, so it can never be published
    public = client.get(article.get_absolute_url()).content.decode()
    assert preview.content.decode() == article.published_version.body_html
    assert preview.content.decode() in public


@pytest.mark.parametrize(
    "name, content_type, data",
    [
        ("x.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"0" * 32),
        ("x.svg", "image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ],
)
def test_image_upload_is_off_even_for_editors(client, editor, name, content_type, data, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login_staff(client, editor)

    response = client.post(UPLOAD, {"image": SimpleUploadedFile(name, data, content_type)})

    assert response.status_code == 403
    assert response.json() == {"image": ["Image upload is off: article pages show no images."]}


# --- staff preview -------------------------------------------------------------------------------


def test_preview_sends_anonymous_users_to_the_login_page(client, db):
    version = make_article().published_version

    response = client.get(preview_url(version))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("group", ["Intake staff", None])
def test_preview_is_404_for_staff_without_article_permissions(client, db, group):
    version = make_article().published_version
    login_staff(client, make_staff("ivy", *([group] if group else [])))

    assert client.get(preview_url(version)).status_code == 404


def test_preview_of_a_draft_is_404_to_a_reviewer_until_it_is_submitted(client, editor, reviewer):
    draft = make_draft(make_article(), by=editor)
    login_staff(client, reviewer)

    assert client.get(preview_url(draft)).status_code == 404
    submit_for_review(draft, by=editor)
    assert client.get(preview_url(draft)).status_code == 200


def test_guessing_an_id_shows_the_same_404_as_a_forbidden_version(client, editor, reviewer):
    draft = make_draft(make_article(), by=editor)
    login_staff(client, reviewer)

    forbidden = client.get(preview_url(draft))
    unknown = client.get(reverse("articles_staff:version_preview", args=[draft.pk + 1000]))

    assert forbidden.status_code == unknown.status_code == 404
    assert forbidden.content == unknown.content


def test_preview_shows_the_public_template_under_a_banner(client, editor):
    draft = make_draft(make_article(), by=editor, body="## Draft heading\n\nDraft words.\n")
    login_staff(client, editor)

    response = client.get(preview_url(draft))

    assert response.status_code == 200
    soup = parse(response.content)
    assert "Preview — not published." in text_of(soup.find(class_="preview-banner"))
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex, nofollow"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"]
    assert text_of(soup.find("div", class_="article-body").find("h2")) == "Draft heading"
    assert soup.find("section", class_="crisis") is not None  # the public layout


def test_preview_body_is_what_the_public_page_shows_after_publishing(client, editor, reviewer):
    article = make_article()
    approved = make_approved(
        article, editor=editor, reviewer=reviewer, body='Hi.\n\n!!! cta "Help"\n    Call.\n'
    )
    login_staff(client, editor)
    preview = client.get(preview_url(approved)).content

    publish_version(approved, by=reviewer)
    public = client.get(article.get_absolute_url()).content

    assert article_body(preview) == article_body(public)
    assert parse(public).find(class_="preview-banner") is None
    published_preview = parse(client.get(preview_url(approved)).content)
    assert "the published version" in text_of(published_preview.find(class_="preview-banner"))


def test_markdownify_refuses_an_oversized_body_with_413(client, editor):
    login_staff(client, editor)

    response = client.post(
        MARKDOWNIFY, {"content": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    )

    assert response.status_code == 413  # by its Content-Length, unread (hartrehab/requestbody.py)


# --- the preview is the page ---------------------------------------------------------------------


def main_and_json_ld(html) -> tuple[str, str]:
    """The page's <main> without the preview banner, and its JSON-LD, for comparing."""
    soup = parse(html)
    banner = soup.find(class_="preview-banner")
    if banner is not None:
        banner.decompose()
    json_ld = soup.find("script", type="application/ld+json")
    # Template whitespace between tags differs where the banner's block was; nothing else may.
    main = re.sub(r">\s+<", "><", " ".join(str(soup.find("main")).split()))
    return main, json_ld.string if json_ld else ""


def test_seed_articles_preview_shows_exactly_its_public_page_apart_from_the_banner(
    client, seed_article, editor
):
    login_staff(client, editor)
    public = client.get(seed_article.get_absolute_url()).content
    preview = client.get(preview_url(seed_article.published_version)).content

    main, json_ld = main_and_json_ld(preview)
    soup = parse(main)
    assert soup.find("nav", class_="toc") is not None  # contents list
    assert len(soup.find(class_="reviewers").find_all("li")) == 2  # reviewer box
    assert soup.find(class_="dates").find_all("time")  # dates
    assert '"reviewedBy"' in json_ld
    assert (main, json_ld) == main_and_json_ld(public)


def test_draft_preview_names_the_review_it_awaits_and_has_no_dates(client, editor):
    draft = make_draft(make_article(), by=editor, body="Draft words.\n")
    login_staff(client, editor)

    soup = parse(client.get(preview_url(draft)).content)

    review = soup.find(class_="review")
    assert text_of(review.find(class_="review-heading")) == "Awaiting medical review by"
    assert text_of(review.find(class_="dates")) == (
        "Last reviewed: not yet reviewed Next review due: not yet reviewed"
    )
    json_ld = soup.find("script", type="application/ld+json").string
    assert "lastReviewed" not in json_ld and "reviewedBy" not in json_ld


def test_draft_preview_shows_the_drafts_latest_text(client, editor):
    from articles.services import update_draft

    draft = make_draft(make_article(), by=editor, body="First words.\n")
    login_staff(client, editor)
    client.get(preview_url(draft))

    update_draft(
        draft,
        by=editor,
        title=draft.title,
        summary=draft.summary,
        body="Second words.\n",
        change_note="Again",
    )

    assert "Second words." in article_body(client.get(preview_url(draft)).content)


def test_preview_stylesheet_is_the_site_stylesheet_scoped_to_the_preview(client, editor):
    login_staff(client, editor)

    response = client.get(reverse("articles_staff:preview_stylesheet"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    css = response.content.decode()
    assert css.startswith(":is(.markdownx-preview, ")
    assert ":root" not in css and "\nbody {" not in css
    assert "\n& {\n  --ink: #1d2a33;" in css


def test_preview_stylesheet_is_for_editors_only(client, reviewer):
    login_staff(client, reviewer)

    assert client.get(reverse("articles_staff:preview_stylesheet")).status_code == 403


def test_draft_form_links_the_scoped_preview_stylesheet(client, article, editor):
    draft = make_draft(article, by=editor)
    login_staff(client, editor)

    soup = parse(
        client.get(reverse("admin:articles_articleversion_change", args=[draft.pk])).content
    )

    hrefs = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
    assert reverse("articles_staff:preview_stylesheet") in hrefs


@pytest.mark.parametrize("content", ["[" * 68_000, "![" * 34_000, "[a](" * 17_000])
def test_markdownify_refuses_costly_markdown_with_400_and_the_reason(client, editor, content):
    login_staff(client, editor)

    response = client.post(MARKDOWNIFY, {"content": content})

    assert response.status_code == 400
    message = response.content.decode()
    assert message.startswith("body: ") and "markup" in message


def test_markdownify_refuses_a_body_over_the_size_limit(client, editor, settings):
    settings.ARTICLES_MAX_BODY_BYTES = 1000
    login_staff(client, editor)

    response = client.post(MARKDOWNIFY, {"content": "x" * 1001})

    assert response.status_code == 400
    assert "body: is 1,001 bytes long; the limit is 1,000 bytes" in response.content.decode()
