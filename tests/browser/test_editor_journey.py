"""An editor and a medical reviewer take a change from draft to published in the admin."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Article
from tests.factories import PASSWORD, make_editor, make_medical_reviewer
from tests.staff import login_staff_in_browser

SLUG = "opioid-induced-hyperalgesia"
NEW_SENTENCE = "Talk to your doctor before you change your dose."


@pytest.fixture
def new_page(browser):
    """Pages in contexts of their own (one per person), closed when the test ends."""
    contexts = []

    def make():
        contexts.append(browser.new_context())
        return contexts[-1].new_page()

    yield make
    for context in contexts:
        context.close()


def log_in(page, site: str, username: str):
    """The real login form: password plus the current code from the user's authenticator."""
    user = get_user_model().objects.get(username=username)
    login_staff_in_browser(page, site, user, PASSWORD)
    expect(page.locator("#user-tools")).to_contain_text(username)
    return page


def public_text(page, site: str) -> str:
    page.goto(f"{site}/articles/{SLUG}/")
    return page.locator(".article-body").inner_text()


@pytest.mark.browser
def test_editor_and_reviewer_publish_a_change(new_page, site):
    make_editor("edna")
    make_medical_reviewer("rhea", name="Randy Gelow", credentials="MD, FASAM")
    article = Article.objects.get(slug=SLUG)
    reader = new_page()

    editor = log_in(new_page(), site, "edna")
    editor.goto(site + reverse("admin:articles_article_change", args=[article.pk]))
    editor.get_by_role("button", name="New draft").click()
    expect(editor.locator(".messagelist")).to_contain_text("Started opioid-induced-hyperalgesia v2")

    body = editor.locator("textarea#id_body")
    body.fill(body.input_value() + "\n" + NEW_SENTENCE + "\n")
    preview = editor.locator(".markdownx-preview")
    expect(preview).to_contain_text(NEW_SENTENCE)  # markdownx's live preview, from the server
    expect(preview.locator("aside.cta a").first).to_have_attribute(
        "href", f"/contact/?source={SLUG}&cta=1"
    )
    editor.fill("#id_change_note", "Add advice about changing the dose")
    editor.click("input[name=_continue]")
    expect(editor.locator(".messagelist")).to_contain_text("was changed successfully")

    editor.get_by_role("link", name="Preview").click()
    expect(editor.locator(".preview-banner")).to_contain_text("Preview — not published.")
    expect(editor.locator(".article-body")).to_contain_text(NEW_SENTENCE)
    editor.go_back()

    editor.get_by_role("button", name="Submit for medical review").click()
    expect(editor.locator(".messagelist")).to_contain_text("submitted for medical review")
    expect(editor.get_by_role("button", name="Approve this text")).to_have_count(0)
    assert NEW_SENTENCE not in public_text(reader, site)

    reviewer = log_in(new_page(), site, "rhea")
    draft = article.versions.get(number=2)
    reviewer.goto(site + reverse("admin:articles_articleversion_change", args=[draft.pk]))
    expect(reviewer.locator("textarea#id_body")).to_have_count(0)  # frozen for everyone
    reviewer.get_by_role("button", name="Approve this text").click()
    expect(reviewer.locator("#diff-body")).to_contain_text("+ " + NEW_SENTENCE)  # what they sign
    reviewer.get_by_role("button", name="Confirm: approve this text").click()
    expect(reviewer.locator(".messagelist")).to_contain_text("is approved")
    assert NEW_SENTENCE not in public_text(reader, site)

    reviewer.get_by_role("button", name="Publish").click()
    reviewer.get_by_role("button", name="Confirm: publish").click()
    expect(reviewer.locator(".messagelist")).to_contain_text("is published")

    assert NEW_SENTENCE in public_text(reader, site)
    last_reviewed = reader.locator(".review .dates time").first
    expect(last_reviewed).not_to_have_attribute("datetime", "2025-03-13")
    expect(reader.locator(".reviewers")).to_have_text(re.compile(r"\s*Randy Gelow, MD, FASAM\s*"))
