"""The admin index tells each person what waits for them in the editors' workflow."""

import pytest

from articles.services import approve_version, return_to_draft, submit_for_review
from tests.factories import make_draft, make_editor, make_medical_reviewer
from tests.html import parse, text_of
from tests.staff import admin_url, login_staff


@pytest.fixture
def team(two_reviewed):
    article, randy, ray = two_reviewed
    return article, make_editor("edna"), randy, ray


def panel(client, user, panel_id: str):
    login_staff(client, user)
    return parse(client.get(admin_url()).content.decode()).find(id=panel_id)


def waiting_rows(client, user) -> list[list[str]]:
    section = panel(client, user, "waiting-for-your-review")
    assert text_of(section.find("h2")) == "Waiting for your review"
    return [
        [text_of(cell) for cell in row.find_all(["th", "td"])][:3]
        for row in section.find_all("tr")[1:]
    ]


def test_each_listed_reviewer_sees_the_version_until_they_approve_it(client, team):
    article, editor, randy, ray = team
    draft = make_draft(article, by=editor)
    assert waiting_rows(client, randy) == []
    submit_for_review(draft, by=editor)

    assert waiting_rows(client, randy) == [["Pain and opioids", "v2", "edna"]]
    approve_version(draft, by=randy)
    assert waiting_rows(client, randy) == []
    assert waiting_rows(client, ray) == [["Pain and opioids", "v2", "edna"]]


def test_a_reviewer_not_listed_sees_nothing_waiting(client, team):
    article, editor, _, _ = team
    other = make_medical_reviewer("tess", name="Tess Third", credentials="MD")
    submit_for_review(make_draft(article, by=editor), by=editor)

    assert waiting_rows(client, other) == []


def test_editors_see_their_drafts_and_what_was_returned(client, team):
    article, editor, randy, _ = team
    draft = make_draft(article, by=editor)
    assert panel(client, editor, "waiting-for-your-review") is None

    drafts = text_of(panel(client, editor, "your-drafts"))
    assert "Pain and opioids v2" in drafts
    submit_for_review(draft, by=editor)
    return_to_draft(draft, by=randy, note="Cite it.")

    returned = text_of(panel(client, editor, "returned-to-you"))
    assert "Pain and opioids v2" in returned
    assert "Pain and opioids v2" not in text_of(panel(client, editor, "your-drafts"))


def test_reviewers_see_no_editor_panels(client, team):
    _, _, randy, _ = team

    assert panel(client, randy, "your-drafts") is None
    assert panel(client, randy, "returned-to-you") is None
