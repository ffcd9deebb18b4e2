"""Every listed clinician signs: separate approvals bound to one text, kept as signed."""

import datetime
import json
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from articles.models import Approval, Reviewer, VersionState
from articles.services import (
    approve_version,
    export_text,
    publish_version,
    return_to_draft,
    submit_for_review,
    update_draft,
)
from articles.sources import parse_source
from tests.articles.conftest import RANDY, RAY
from tests.factories import make_article, make_draft, make_editor, make_medical_reviewer
from tests.html import parse, text_of
from tests.staff import login_staff

State = VersionState


def submitted(article, editor, body="Changed words.\n"):
    draft = make_draft(article, by=editor, body=body)
    submit_for_review(draft, by=editor)
    return draft


def state(version) -> str:
    version.refresh_from_db()
    return version.state


def test_a_new_draft_lists_the_published_versions_reviewers_who_can_sign(two_reviewed):
    article, _, _ = two_reviewed

    draft = make_draft(article, by=make_editor())

    assert [(r.name, r.credentials) for r in draft.ordered_reviewers] == [RANDY, RAY]


def test_one_approval_leaves_it_in_review_the_second_approves_it(two_reviewed, client):
    article, randy, ray = two_reviewed
    draft = submitted(article, make_editor())

    approve_version(draft, by=randy)
    assert state(draft) == State.IN_REVIEW
    with pytest.raises(Exception, match="only a version that is approved"):
        publish_version(draft, by=randy)

    approve_version(draft, by=ray)
    assert state(draft) == State.APPROVED
    publish_version(draft, by=ray)

    soup = parse(client.get(article.get_absolute_url()).content)
    names = [text_of(li) for li in soup.find(class_="reviewers").find_all("li")]
    assert names == [f"{n}, {c}" for n, c in (RANDY, RAY)]
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert [(p["name"], p["honorificSuffix"]) for p in data["reviewedBy"]] == [RANDY, RAY]
    exported = parse_source(export_text(draft), name="export.md")
    assert [(r.name, r.credentials) for r in exported.reviewed_by] == [RANDY, RAY]


def test_last_reviewed_is_the_date_of_the_last_approval(two_reviewed):
    article, randy, ray = two_reviewed
    draft = submitted(article, make_editor())
    days = [datetime.datetime(2025, 6, 2, 12), datetime.datetime(2025, 6, 9, 12)]
    for who, day in zip((randy, ray), days, strict=True):
        with mock.patch("django.utils.timezone.now", return_value=timezone.make_aware(day)):
            approve_version(draft, by=who)

    draft.refresh_from_db()
    assert draft.last_reviewed == datetime.date(2025, 6, 9)


def test_a_reviewer_not_on_the_list_is_refused(two_reviewed):
    article, randy, _ = two_reviewed
    third = make_medical_reviewer("tess", name="Tess Third", credentials="MD")
    draft = submitted(article, make_editor())

    with pytest.raises(PermissionDenied, match="not listed"):
        approve_version(draft, by=third)

    assert not Approval.objects.filter(version=draft).exists()
    assert state(draft) == State.IN_REVIEW


def test_no_reviewer_signs_the_same_text_twice(two_reviewed):
    article, randy, _ = two_reviewed
    draft = submitted(article, make_editor())
    approve_version(draft, by=randy)

    with pytest.raises(Exception, match="already approved"):
        approve_version(draft, by=randy)
    assert Approval.objects.filter(version=draft).count() == 1


def test_editing_after_the_first_approval_voids_it(two_reviewed):
    article, randy, ray = two_reviewed
    editor = make_editor()
    draft = submitted(article, editor)
    approve_version(draft, by=randy)
    return_to_draft(draft, by=editor, note="One more change")

    update_draft(
        draft,
        by=editor,
        title=draft.title,
        summary=draft.summary,
        body="Changed again.\n",
        change_note="One more change",
    )
    submit_for_review(draft, by=editor)
    approve_version(draft, by=ray)

    assert state(draft) == State.IN_REVIEW  # Randy's approval was of the old text
    assert "1 approval(s) no longer count" in draft.events.filter(action="edited").last().note
    approve_version(draft, by=randy)
    assert state(draft) == State.APPROVED


def test_one_required_approval_is_enough_when_the_site_says_so(two_reviewed, settings):
    settings.ARTICLES_REQUIRED_APPROVALS = 1
    article, randy, _ = two_reviewed
    draft = submitted(article, make_editor())

    approve_version(draft, by=randy)

    assert state(draft) == State.APPROVED
    publish_version(draft, by=randy)
    article.refresh_from_db()
    assert [r.name for r in draft.ordered_reviewers] == [RANDY[0], RAY[0]]


def test_an_editor_chooses_who_must_approve_a_draft(two_reviewed):
    article, randy, ray = two_reviewed
    editor = make_editor()
    draft = make_draft(article, by=editor)
    text = {"title": draft.title, "summary": draft.summary, "body": draft.body}

    update_draft(draft, by=editor, change_note="Only Ray", reviewers=[ray.reviewer_profile], **text)
    submit_for_review(draft, by=editor)

    with pytest.raises(PermissionDenied):
        approve_version(draft, by=randy)
    approve_version(draft, by=ray)
    assert state(draft) == State.APPROVED


def test_a_reviewer_without_an_account_cannot_be_listed(two_reviewed):
    article, _, _ = two_reviewed
    editor = make_editor()
    draft = make_draft(article, by=editor)
    nobody = Reviewer.objects.create(name="No Account", credentials="MD")

    with pytest.raises(ValidationError) as error:
        update_draft(
            draft,
            by=editor,
            title=draft.title,
            summary=draft.summary,
            body=draft.body,
            change_note="x",
            reviewers=[nobody],
        )
    assert "reviewers" in error.value.message_dict
    assert [r.name for r in draft.ordered_reviewers] == [RANDY[0], RAY[0]]


def test_correcting_a_reviewer_later_changes_no_page_and_blocks_no_publish(two_reviewed, client):
    article, randy, ray = two_reviewed
    draft = submitted(article, make_editor())
    approve_version(draft, by=randy)
    approve_version(draft, by=ray)
    Reviewer.objects.filter(user=randy).update(name="Randall Gelow", credentials="MD")

    publish_version(draft, by=ray)

    soup = parse(client.get(article.get_absolute_url()).content)
    names = [text_of(li) for li in soup.find(class_="reviewers").find_all("li")]
    assert names[0] == "Randy Gelow, MD, FASAM"
    draft.refresh_from_db()
    assert "Randy Gelow" in export_text(draft)


def test_renaming_a_reviewer_named_in_a_file_keeps_the_file_version_publishable(db, client):
    article = make_article("Words.\n")
    Reviewer.objects.filter(name="Ada Reviewer").update(name="Ada Renamed")

    assert "Ada Reviewer" in export_text(article.published_version)
    soup = parse(client.get(article.get_absolute_url()).content)
    assert text_of(soup.find(class_="reviewers")) == "Ada Reviewer, MD"


def test_approve_button_only_for_listed_reviewers_who_have_not_signed(two_reviewed, client):
    article, randy, _ = two_reviewed
    third = make_medical_reviewer("tess", name="Tess Third", credentials="MD")
    draft = submitted(article, make_editor())
    url = reverse("admin:articles_articleversion_change", args=[draft.pk])

    def buttons(user):
        login_staff(client, user)
        steps = parse(client.get(url).content.decode()).find(class_="workflow-steps")
        return [b["value"] for b in steps.find_all("button")]

    assert buttons(randy) == ["approve", "return"]
    assert buttons(third) == ["return"]
    approve_version(draft, by=randy)
    assert buttons(randy) == ["return"]
    listed = text_of(parse(client.get(url).content.decode()).find(class_="listed-reviewers"))
    assert "Randy Gelow, MD, FASAM — approved" in listed
    assert "Ray Hamilton, DNP, PMHNP-BC, FNP-C — not yet approved" in listed


def test_an_editor_changes_the_reviewer_list_in_the_admin(client, two_reviewed):
    article, randy, ray = two_reviewed
    editor = make_editor()
    draft = make_draft(article, by=editor)
    login_staff(client, editor)
    url = reverse("admin:articles_articleversion_change", args=[draft.pk])
    form = parse(client.get(url).content.decode()).find(id="id_listed_reviewers")
    ticked = {box["value"] for box in form.find_all("input", checked=True)}
    assert ticked == {str(randy.reviewer_profile.pk), str(ray.reviewer_profile.pk)}

    response = client.post(
        url,
        {
            "title": draft.title,
            "summary": draft.summary,
            "about": draft.about,
            "body": draft.body,
            "change_note": "Only Ray reviews this",
            "listed_reviewers": [ray.reviewer_profile.pk],
        },
    )

    assert response.status_code == 302
    assert [r.name for r in draft.ordered_reviewers] == [RAY[0]]
    assert "Reviewers: Ray Hamilton" in draft.events.last().note
