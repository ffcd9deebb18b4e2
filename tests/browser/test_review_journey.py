"""A draft with two listed reviewers goes from edit to published in Chromium: each person learns
what waits for them from the admin's index and their email, and the site still starts."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from articles.models import Article
from tests.factories import PASSWORD, make_medical_reviewer, make_staff, run_worker
from tests.staff import admin_url, login_staff_in_browser

SLUG = "opioid-induced-hyperalgesia"
NEW_SENTENCE = "Ask before you stop a medicine."
RANDY = ("Randy Gelow", "MD, FASAM")
RAY = ("Ray Hamilton", "DNP, PMHNP-BC, FNP-C")


@pytest.fixture
def people(site):
    editor = make_staff("edna", "Editors", email="edna@clinic.example")
    randy = make_medical_reviewer("randy", name=RANDY[0], credentials=RANDY[1])
    ray = make_medical_reviewer("ray", name=RAY[0], credentials=RAY[1])
    for user in (randy, ray):
        user.email = f"{user.username}@clinic.example"
        user.save(update_fields=["email"])
    return editor, randy, ray


@pytest.fixture
def new_page(browser):
    """A logged-in page in a context of its own (one per person), closed when the test ends."""
    contexts = []

    def make(site: str, user):
        contexts.append(browser.new_context(viewport={"width": 1400, "height": 900}))
        page = contexts[-1].new_page()
        login_staff_in_browser(page, site, user, PASSWORD)
        return page

    yield make
    for context in contexts:
        context.close()


def mails_to(outbox, subject_start: str) -> dict[str, str]:
    """recipient → the staff link in each mail whose subject starts with `subject_start`."""
    found = {}
    for message in outbox:
        if message.subject.startswith(subject_start):
            link = re.search(r"^Staff page: (\S+)$", message.body, re.MULTILINE).group(1)
            found[message.to[0]] = link
    return found


def approve(page) -> None:
    """On a version's page: check the diff, then sign."""
    page.get_by_role("button", name="Approve this text").click()
    expect(page.locator("#diff-body")).to_contain_text("+ " + NEW_SENTENCE)
    page.get_by_role("button", name="Confirm: approve this text").click()


@pytest.mark.browser
def test_two_clinicians_sign_a_change_that_then_goes_live(
    new_page, site, people, mailoutbox, settings
):
    settings.SITE_URL = site  # the emails' links lead to this test server
    editor_user, randy_user, ray_user = people
    article = Article.objects.get(slug=SLUG)

    # The editor writes the change and submits it; both clinicians are listed.
    editor = new_page(site, editor_user)
    editor.goto(site + admin_url(f"articles/article/{article.pk}/change/"))
    editor.get_by_role("button", name="New draft").click()
    listed = editor.locator("#id_listed_reviewers input:checked")
    expect(listed).to_have_count(2)
    body = editor.locator("textarea#id_body")
    body.fill(body.input_value() + "\n" + NEW_SENTENCE + "\n")
    editor.fill("#id_change_note", "Advice about stopping")
    editor.click("input[name=_continue]")
    expect(editor.locator(".messagelist")).to_contain_text("was changed successfully")
    editor.get_by_role("button", name="Submit for medical review").click()
    expect(editor.locator(".messagelist")).to_contain_text("submitted for medical review")
    run_worker()  # the worker sends the emails (`make run` starts it beside gunicorn)

    waiting_mail = mails_to(mailoutbox, "Waiting for your review")
    assert sorted(waiting_mail) == ["randy@clinic.example", "ray@clinic.example"]

    # Randy finds it on the admin's index and signs first: it still waits for Ray.
    randy = new_page(site, randy_user)
    waiting = randy.locator("#waiting-for-your-review")
    expect(waiting.locator("h2")).to_have_text("Waiting for your review")
    waiting.get_by_role("link", name=re.compile("Opioid-Induced Hyperalgesia")).click()
    assert randy.url == waiting_mail["randy@clinic.example"]  # where the email leads too
    approve(randy)
    expect(randy.locator(".messagelist")).to_contain_text(f"still awaits {RAY[0]}, {RAY[1]}")
    randy.goto(site + admin_url())
    expect(randy.locator("#waiting-for-your-review")).to_contain_text("Nothing waits")

    # Ray follows the link in his email, signs second and publishes.
    ray = new_page(site, ray_user)
    expect(ray.locator("#waiting-for-your-review")).to_contain_text("Opioid-Induced")
    ray.goto(waiting_mail["ray@clinic.example"])
    approve(ray)
    expect(ray.locator(".messagelist")).to_contain_text("is approved")
    ray.get_by_role("button", name="Publish").click()
    ray.get_by_role("button", name="Confirm: publish").click()
    expect(ray.locator(".messagelist")).to_contain_text("is published")
    run_worker()

    published_mail = mails_to(mailoutbox, "Published")
    assert sorted(published_mail) == [
        "edna@clinic.example",
        "randy@clinic.example",
        "ray@clinic.example",
    ]
    editor.goto(site + f"/articles/{SLUG}/")
    expect(editor.locator(".article-body")).to_contain_text(NEW_SENTENCE)
    expect(editor.locator(".reviewers li")).to_have_text(
        [f"{RANDY[0]}, {RANDY[1]}", f"{RAY[0]}, {RAY[1]}"]
    )

    # `make run` loads content/ the same way after the publish: it starts, keeping v2.
    out = StringIO()
    call_command("load_content", "--keep-admin-work", stdout=out)
    assert "kept v2" in out.getvalue()
    article.refresh_from_db()
    assert article.published_version.number == 2
