"""Erasing one request early, when the patient asks (intake admin, superusers only)."""

import logging

import pytest

from intake.models import AuditEvent, ContactSubmission, SubmissionNote
from intake.services import EraseReason, erase_submission
from tests.factories import make_submission, make_user
from tests.html import parse, text_of
from tests.intake.test_admin import LIST, change_url, logged_in

PATIENT_NAME = "Erin Erasable"


def erase_url(submission_or_id) -> str:
    number = getattr(submission_or_id, "pk", submission_or_id)
    return f"{LIST}{number}/erase/"


@pytest.fixture
def submission(db):
    submission = make_submission(name=PATIENT_NAME, message="Chronic back pain since 2019.")
    SubmissionNote.objects.create(submission=submission, text="Called, no answer.")
    return submission


def test_superuser_erases_a_request_and_its_notes_with_an_audit_record(
    superuser, submission, caplog
):
    client = logged_in(superuser)
    number = submission.pk

    with caplog.at_level(logging.INFO):
        response = client.post(erase_url(submission), {"reason": "patient_asked"}, follow=True)

    assert response.redirect_chain[-1][0] == LIST
    assert f"Request #{number} and its notes were erased." in text_of(parse(response.content))
    assert not ContactSubmission.objects.filter(pk=number).exists()
    assert not SubmissionNote.objects.filter(submission_id=number).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.ERASED)
    assert (event.submission_number, event.actor_name) == (number, superuser.username)
    assert event.detail == EraseReason.PATIENT_ASKED.label
    assert f"request #{number} erased" in caplog.text
    assert PATIENT_NAME not in caplog.text and "back pain" not in caplog.text


def test_the_confirmation_page_names_the_request_but_not_what_the_patient_wrote(
    superuser, submission
):
    response = logged_in(superuser).get(erase_url(submission))

    assert response.status_code == 200
    page = parse(response.content)
    assert f"Erase request #{submission.pk}?" in text_of(page)
    assert [i["value"] for i in page.find_all("input", {"name": "reason"})] == list(
        EraseReason.values
    )
    assert PATIENT_NAME not in response.content.decode()
    assert ContactSubmission.objects.filter(pk=submission.pk).exists()


def test_the_change_page_links_to_erase_only_for_those_allowed(superuser, intake_staff, submission):
    def erase_links(user):
        page = parse(logged_in(user).get(change_url(submission)).content)
        return page.find_all("a", href=erase_url(submission))

    assert len(erase_links(superuser)) == 1
    assert erase_links(intake_staff) == []


@pytest.mark.parametrize("reason", [None, "", "because", "patient_asked'--", "x" * 5000])
def test_a_missing_or_unknown_reason_is_refused_and_nothing_is_erased(
    superuser, submission, reason
):
    data = {} if reason is None else {"reason": reason}

    response = logged_in(superuser).post(erase_url(submission), data)

    assert response.status_code == 400
    errors = text_of(parse(response.content).find(class_="errorlist"))
    assert "erased" in errors or "valid choice" in errors
    assert ContactSubmission.objects.filter(pk=submission.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ERASED).exists()


@pytest.mark.parametrize("number", ["999999", "abc", "1%27%20OR%201=1"])
def test_an_unknown_request_is_a_404(superuser, db, number):
    response = logged_in(superuser).post(erase_url(number), {"reason": "duplicate"})

    assert response.status_code == 404


def test_only_get_and_post_are_answered(superuser, submission):
    response = logged_in(superuser).put(erase_url(submission))

    assert response.status_code == 405
    assert ContactSubmission.objects.filter(pk=submission.pk).exists()


def test_intake_staff_cannot_erase_even_by_posting_directly(intake_staff, submission):
    response = logged_in(intake_staff).post(erase_url(submission), {"reason": "duplicate"})

    assert response.status_code == 403
    assert ContactSubmission.objects.filter(pk=submission.pk).exists()


def test_the_permission_can_be_granted_to_one_person(roles, submission):
    from django.contrib.auth.models import Permission

    lead = make_user("lena", groups=("Intake staff",))
    lead.user_permissions.add(Permission.objects.get(codename="erase_contactsubmission"))

    response = logged_in(lead).post(erase_url(submission), {"reason": "entered_in_error"})

    assert response.status_code == 302
    assert not ContactSubmission.objects.filter(pk=submission.pk).exists()


def test_the_service_refuses_people_without_the_permission(intake_staff, submission):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        erase_submission(submission, reason="patient_asked", by=intake_staff)

    assert ContactSubmission.objects.filter(pk=submission.pk).exists()
