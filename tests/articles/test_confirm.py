"""Approve and Publish show what changes before anyone signs; Return needs a reason."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from articles.models import Approval, ArticleVersion, VersionEvent, VersionState
from articles.services import return_to_draft, submit_for_review
from tests.factories import make_approved, make_draft, make_editor
from tests.html import parse, text_of
from tests.staff import login_staff

State = VersionState


def step_url(version, step: str) -> str:
    return reverse("admin:articles_articleversion_step", args=[version.pk, step])


def change_url(version) -> str:
    return reverse("admin:articles_articleversion_change", args=[version.pk])


def record(version) -> tuple:
    """Everything a step could change."""
    version = ArticleVersion.objects.get(pk=version.pk)
    return (
        version.state,
        Approval.objects.filter(version=version).count(),
        VersionEvent.objects.filter(version=version).count(),
        version.article.published_version_id,
    )


def diff_of(soup, name: str) -> list[tuple[str, str]]:
    section = soup.find(id=f"diff-{name}")
    return [
        (row["class"][0], text_of(row.find_all("td")[-1]))
        for row in section.find_all("tr")
        if row.get("class")
    ]


@pytest.fixture
def in_review(article, editor):
    draft = make_draft(article, by=editor, body="Published text.\nA new line.\n")
    submit_for_review(draft, by=editor)
    return draft


def test_approve_opens_a_page_with_the_diff_checks_and_one_post_button(client, in_review, reviewer):
    login_staff(client, reviewer)
    before = record(in_review)

    response = client.get(step_url(in_review, "approve"))

    assert response.status_code == 200
    assert record(in_review) == before  # GET changes nothing
    soup = parse(response.content.decode())
    assert ("diff-added", "+ A new line.") in diff_of(soup, "body")
    assert ("diff-removed", "− Ada Reviewer, MD") in diff_of(soup, "reviewers")
    assert soup.find(class_="editorial-checks").find_all("li")
    forms = soup.find(id="content-main").find_all("form")
    assert len(forms) == 1 and forms[0]["method"] == "post"
    assert forms[0]["action"] == step_url(in_review, "approve")
    assert text_of(forms[0].find("button")) == "Confirm: approve this text"


def test_confirming_approves_and_publishes(client, in_review, reviewer):
    login_staff(client, reviewer)

    client.post(step_url(in_review, "approve"))
    assert record(in_review)[0] == State.APPROVED
    page = parse(client.get(step_url(in_review, "publish")).content.decode())
    assert ("diff-added", "+ A new line.") in diff_of(page, "body")
    assert record(in_review)[0] == State.APPROVED
    client.post(step_url(in_review, "publish"))

    assert record(in_review)[0] == State.PUBLISHED


def test_version_page_buttons_open_the_confirmation_pages(client, in_review, reviewer):
    login_staff(client, reviewer)

    soup = parse(client.get(change_url(in_review)).content.decode())

    forms = {
        form.find("button")["value"]: form
        for form in soup.find(class_="workflow-steps").find_all("form")
    }
    assert forms["approve"]["method"] == "get"
    assert forms["approve"]["action"] == step_url(in_review, "approve")
    assert forms["return"]["method"] == "post"


def test_a_confirmation_page_is_refused_to_who_may_not_take_the_step(client, in_review, editor):
    login_staff(client, editor)

    assert client.get(step_url(in_review, "approve")).status_code == 403
    assert client.get(step_url(in_review, "submit")).status_code == 405


def test_a_confirmation_page_for_a_step_the_state_does_not_allow_says_so(
    client, article, editor, reviewer
):
    approved = make_approved(article, editor=editor, reviewer=reviewer)
    login_staff(client, reviewer)

    response = client.get(step_url(approved, "approve"), follow=True)

    assert "is approved" in text_of(parse(response.content.decode()).find(class_="messagelist"))


def test_returning_to_draft_needs_a_reason(client, in_review, reviewer):
    with pytest.raises(ValidationError) as error:
        return_to_draft(in_review, by=reviewer, note="  ")
    assert "note" in error.value.message_dict
    login_staff(client, reviewer)

    response = client.post(step_url(in_review, "return"), {"note": ""}, follow=True)

    message = text_of(parse(response.content.decode()).find(class_="messagelist"))
    assert message == "Note: is required: say why it goes back to draft"
    assert record(in_review)[0] == State.IN_REVIEW


def test_the_author_sees_why_it_was_returned(client, in_review, editor, reviewer):
    return_to_draft(in_review, by=reviewer, note="Please cite the 2022 CDC guideline.")
    login_staff(client, editor)

    soup = parse(client.get(change_url(in_review)).content.decode())

    assert text_of(soup.find(class_="returned-reason")) == (
        "Returned to draft by rhea: Please cite the 2022 CDC guideline."
    )


def test_a_first_of_two_approvals_says_who_it_still_awaits(client, two_reviewed):
    article, randy, _ = two_reviewed
    editor = make_editor()
    draft = make_draft(article, by=editor)
    submit_for_review(draft, by=editor)
    login_staff(client, randy)

    response = client.post(step_url(draft, "approve"), follow=True)

    assert text_of(parse(response.content.decode()).find(class_="messagelist")) == (
        "Your approval of version 2 of test-article is recorded; it still awaits "
        "Ray Hamilton, DNP, PMHNP-BC, FNP-C."
    )
    assert record(draft)[0] == State.IN_REVIEW


def test_a_reviewer_who_signed_is_told_so_not_refused(client, two_reviewed):
    article, randy, _ = two_reviewed
    editor = make_editor()
    draft = make_draft(article, by=editor)
    submit_for_review(draft, by=editor)
    login_staff(client, randy)
    client.post(step_url(draft, "approve"))

    response = client.get(step_url(draft, "approve"), follow=True)

    assert response.status_code == 200
    messages = parse(response.content.decode()).find(class_="messagelist").find_all("li")
    assert text_of(messages[-1]) == "You have already approved this text of test-article v2."
