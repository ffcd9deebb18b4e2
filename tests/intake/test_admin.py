import csv
import datetime
import io
import zoneinfo

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from intake.models import AuditEvent, ContactAttempt, ContactSubmission, SubmissionNote
from tests.factories import make_submission, make_user, run_worker
from tests.html import parse, text_of
from tests.staff import login_staff

Status = ContactSubmission.Status
Action = AuditEvent.Action
LIST = "/admin/intake/contactsubmission/"
AUDIT_LOG = "/admin/intake/auditevent/"


def change_url(submission) -> str:
    return f"{LIST}{submission.pk}/change/"


def change_data(submission, *, notes=(), **fields) -> dict:
    data = {
        "status": submission.status,
        "assigned_to": submission.assigned_to_id or "",
        "notes-TOTAL_FORMS": str(len(notes) or 1),
        "notes-INITIAL_FORMS": "0",
        "notes-MIN_NUM_FORMS": "0",
        "notes-MAX_NUM_FORMS": "1000",
        "notes-0-text": "",
        "attempts-TOTAL_FORMS": "1",
        "attempts-INITIAL_FORMS": "0",
        "attempts-MIN_NUM_FORMS": "0",
        "attempts-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for i, text in enumerate(notes):
        data[f"notes-{i}-text"] = text
        data[f"notes-{i}-submission"] = str(submission.pk)
    return data


def logged_in(user) -> Client:
    client = Client()
    if user is not None:
        login_staff(client, user)
    return client


def events(action=None):
    qs = AuditEvent.objects.order_by("pk")
    return list(qs.filter(action=action) if action else qs)


# The permission matrix ------------------------------------------------------------------------

ROLES = ["anonymous", "editor", "medical_reviewer", "intake_staff", "superuser"]
WHAT = ["list", "detail", "change", "export", "audit", "erase"]
ALLOWED = {
    #                   list   detail change  export audit  erase
    "anonymous": (False, False, False, False, False, False),
    "editor": (False, False, False, False, False, False),
    "medical_reviewer": (False, False, False, False, False, False),
    "intake_staff": (True, True, True, True, False, False),
    "superuser": (True, True, True, True, True, True),
}


@pytest.fixture
def user_for(request, roles):
    def get(role):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return get


def attempt(client, what, submission):
    if what == "list":
        return client.get(LIST)
    if what == "detail":
        return client.get(change_url(submission))
    if what == "change":
        return client.post(change_url(submission), change_data(submission, status="contacted"))
    if what == "export":
        data = {"action": "export_csv", "_selected_action": [submission.pk]}
        return client.post(LIST, data)
    if what == "erase":
        return client.post(f"{LIST}{submission.pk}/erase/", {"reason": "patient_asked"})
    return client.get(AUDIT_LOG)


def succeeded(what, response, submission) -> bool:
    if response.status_code == 302 and "/login/" in response["Location"]:
        return False
    if response.status_code == 403:
        return False
    if what == "change":
        submission.refresh_from_db()
        return response.status_code == 302 and submission.status == Status.CONTACTED
    if what == "export":
        return response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    if what == "erase":
        gone = not ContactSubmission.objects.filter(pk=submission.pk).exists()
        return response.status_code == 302 and gone
    return response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("what", WHAT)
def test_permission_matrix(user_for, role, what):
    submission = make_submission(name="Matrix Patient")
    client = logged_in(user_for(role))

    response = attempt(client, what, submission)

    expected = ALLOWED[role][WHAT.index(what)]
    assert succeeded(what, response, submission) is expected, response.status_code
    if not expected:
        assert b"Matrix Patient" not in response.content


def test_editors_and_reviewers_do_not_see_the_intake_app(editor, medical_reviewer):
    for user in (editor, medical_reviewer):
        response = logged_in(user).get("/admin/")
        assert "/admin/intake/" not in response.content.decode()


def test_intake_staff_do_not_see_the_audit_log_link(intake_staff):
    response = logged_in(intake_staff).get("/admin/")

    links = {a["href"] for a in parse(response.content).select("a[href]")}
    assert LIST in links
    assert AUDIT_LOG not in links


def test_export_needs_its_own_permission(roles):
    from django.contrib.auth.models import Permission

    clerk = make_user("clerk")
    clerk.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_contactsubmission", "change_contactsubmission"]
        )
    )
    submission = make_submission()
    client = logged_in(clerk)

    page = parse(client.get(LIST).content)
    response = client.post(LIST, {"action": "export_csv", "_selected_action": [submission.pk]})

    actions = {o["value"] for o in page.select("select[name=action] option")}
    assert "export_csv" not in actions and "mark_contacted" in actions
    assert not response.get("Content-Type", "").startswith("text/csv")
    assert events(Action.EXPORTED) == []


# Working a request -----------------------------------------------------------------------------


def test_staff_finds_a_request_and_marks_it_contacted(intake_staff):
    submission = make_submission(name="Riley Patient", email="riley@example.org")
    make_submission(name="Someone Else")
    client = logged_in(intake_staff)

    found = parse(client.get(LIST, {"q": "Riley"}).content)
    rows = found.select("#result_list tbody tr")
    response = client.post(
        LIST, {"action": "mark_contacted", "_selected_action": [submission.pk]}, follow=True
    )

    assert len(rows) == 1 and "Riley Patient" in text_of(rows[0])
    assert response.status_code == 200
    submission.refresh_from_db()
    assert submission.status == Status.CONTACTED
    [event] = events(Action.STATUS_CHANGED)
    assert (event.actor, event.submission_number, event.detail) == (
        intake_staff,
        submission.pk,
        "New → Contacted",
    )


@pytest.mark.parametrize(
    "term",
    [
        "riley@example.org",
        "Riley",
        "(202) 555-0199",
        "2025550199",
        "+1 202.555.0199",
        "555-0199",
        "0199",
    ],
)
def test_search_by_name_email_or_phone_as_typed(intake_staff, term):
    wanted = make_submission(name="Riley Patient", email="riley@example.org", phone="+12025550199")
    make_submission(name="Other Person", phone="+12025550100")

    response = logged_in(intake_staff).get(LIST, {"q": term})

    assert response.context["cl"].result_list.get() == wanted


def test_worklist_columns_links_and_filters(intake_staff, seed_article):
    make_submission(
        name="Zoë Adams", source=seed_article, best_time="morning", assigned_to=intake_staff
    )
    make_submission(name="Ben Text", preferred_contact="text", phone="+442079460958")
    make_submission(name="Cy Mail", preferred_contact="email", phone="", email="cy@example.org")

    doc = parse(logged_in(intake_staff).get(LIST).content)

    headers = [text_of(th) for th in doc.select("#result_list thead th")]
    assert headers[1:] == [
        "Name",
        "How to reach them",
        "Best time",
        "Waited",
        "Status",
        "Assigned to",
        "Source article",
    ]
    links = {text_of(a): a["href"] for a in doc.select("#result_list td.field-how_to_reach a")}
    assert links == {
        "Call (202) 555-0143": "tel:+12025550143",
        "Text +44 20 7946 0958": "sms:+442079460958",
        "Email cy@example.org": "mailto:cy@example.org",
    }
    first = doc.select_one("#result_list tbody tr")
    assert (
        text_of(first.select_one(".field-source_article")) == seed_article.published_version.title
    )
    assert text_of(first.select_one(".field-best_time")) == "Morning (8am to noon)"
    assert text_of(first.select_one(".field-assigned_to")) == "ingrid"
    filters = text_of(doc.select_one("#changelist-filter"))
    for title in ["By assigned", "By waiting", "By status", "By source"]:
        assert title in filters


@pytest.mark.parametrize(
    ("stored", "term"),
    [("Zoë Adams", "Zoe"), ("zoe adams", "ZOË"), ("José Núñez", "jose nunez"), ("ZOË", "zoë")],
)
def test_search_by_name_ignores_case_and_accents(intake_staff, stored, term):
    wanted = make_submission(name=stored)
    make_submission(name="Someone Else")

    response = logged_in(intake_staff).get(LIST, {"q": term})

    assert list(response.context["cl"].result_list) == [wanted]


def test_search_by_the_reference_the_patient_quotes(intake_staff):
    wanted = make_submission(name="Quoted Reference")
    make_submission(name="Someone Else")

    response = logged_in(intake_staff).get(LIST, {"q": wanted.reference.lower()})

    assert list(response.context["cl"].result_list) == [wanted]


def test_worklist_puts_the_oldest_open_request_first(intake_staff):
    now = timezone.now()
    closed_oldest = make_submission(name="Old Closed", status=Status.CLOSED)
    open_old = make_submission(name="Open Old", status=Status.IN_PROGRESS)
    open_new = make_submission(name="Open New")
    for days, submission in [(9, closed_oldest), (5, open_old), (1, open_new)]:
        ContactSubmission.objects.filter(pk=submission.pk).update(
            created_at=now - datetime.timedelta(days=days)
        )

    doc = parse(logged_in(intake_staff).get(LIST).content)

    names = [text_of(td) for td in doc.select("#result_list tbody .field-name")]
    assert names == ["Open Old", "Open New", "Old Closed"]


# A Monday in the site's time zone (America/New_York in the tests' settings).
MONDAY = datetime.datetime(2026, 3, 2, tzinfo=zoneinfo.ZoneInfo("America/New_York"))


def at(day_offset: int, hour: int) -> datetime.datetime:
    return MONDAY + datetime.timedelta(days=day_offset, hours=hour)


@pytest.mark.parametrize(
    ("sent", "now", "overdue"),
    [
        (at(4, 19), at(5, 12), False),  # Friday evening → Saturday: no business hours yet
        (at(4, 19), at(7, 12), False),  # → Monday noon: 4 business hours
        (at(4, 19), at(9, 9), False),  # → Wednesday 09:00: Mon 10 + Tue 10 + Wed 1 = 21 h
        (at(4, 19), at(9, 13), True),  # → Wednesday 13:00: 25 h
        (at(0, 9), at(2, 11), False),  # Monday 09:00 → Wednesday 11:00: 9 + 10 + 3 = 22 h
        (at(0, 9), at(2, 14), True),  # → Wednesday 14:00: 25 h
    ],
    ids=[
        "fri-eve-sat",
        "fri-eve-mon",
        "fri-eve-wed-9",
        "fri-eve-wed-13",
        "mon-wed-11",
        "mon-wed-14",
    ],
)
def test_overdue_counts_business_hours(intake_staff, time_machine, sent, now, overdue):
    submission = make_submission(name="Waiting Person")
    ContactSubmission.objects.filter(pk=submission.pk).update(created_at=sent)
    make_submission(name="Closed Person", status=Status.CLOSED)
    ContactSubmission.objects.filter(name="Closed Person").update(created_at=sent)
    time_machine.move_to(now, tick=False)
    client = logged_in(intake_staff)

    overdue_only = parse(client.get(LIST, {"waiting": "overdue"}).content)
    everything = parse(client.get(LIST).content)

    names = [text_of(td) for td in overdue_only.select("#result_list tbody .field-name")]
    assert names == (["Waiting Person"] if overdue else [])
    marks = everything.select("#result_list .field-waited .intake-overdue")
    assert len(marks) == int(overdue)  # never on a closed request


def test_mine_and_unassigned_filters(intake_staff, superuser):
    make_submission(name="Mine", assigned_to=intake_staff)
    make_submission(name="Theirs", assigned_to=superuser)
    make_submission(name="Nobody's")
    client = logged_in(intake_staff)

    def names(**query):
        doc = parse(client.get(LIST, query).content)
        return {text_of(td) for td in doc.select("#result_list tbody .field-name")}

    assert names(assigned="mine") == {"Mine"}
    assert names(assigned="nobody") == {"Nobody's"}


def test_request_page_shows_the_worklist_facts_at_the_top_and_no_view_on_site(
    intake_staff, seed_article
):
    submission = make_submission(
        name="Zoë Adams", source=seed_article, source_cta=2, preferred_contact="text"
    )

    doc = parse(logged_in(intake_staff).get(change_url(submission)).content.decode())

    facts = {
        text_of(div.select_one("dt")): div.select_one("dd")
        for div in doc.select("dl.intake-facts > div")
    }
    assert text_of(facts["Name"]) == "Zoë Adams"
    assert facts["How to reach them"].select_one("a")["href"] == "sms:+12025550143"
    assert text_of(facts["Source article"]) == (
        f"{seed_article.published_version.title} (call to action 2)"
    )
    assert text_of(facts["Reference"]) == submission.reference
    assert {"Best time", "Waited", "Status", "Assigned"} <= facts.keys()
    assert not doc.select("a.viewsitelink")
    assert "View on site" not in text_of(doc.select_one("#content"))


def test_assignment_offers_only_active_intake_staff_and_superusers(
    intake_staff, superuser, editor, medical_reviewer
):
    make_user("gone", groups=("Intake staff",), is_active=False)
    make_user("plainstaff")
    submission = make_submission()

    doc = parse(logged_in(intake_staff).get(change_url(submission)).content)

    offered = {text_of(o) for o in doc.select("#id_assigned_to option") if o["value"]}
    assert offered == {"ingrid", "sue"}


def test_assigning_to_an_editor_is_refused_by_the_service(intake_staff, editor):
    from intake import services

    with pytest.raises(ValueError, match="Intake staff"):
        services.assign(make_submission(), to=editor, by=intake_staff)


def test_list_query_count_does_not_grow_with_rows(
    intake_staff, seed_article, django_assert_max_num_queries
):
    client = logged_in(intake_staff)
    for _ in range(3):
        make_submission(source=seed_article, assigned_to=intake_staff)
    client.get(LIST)
    for _ in range(20):
        make_submission(source=seed_article, assigned_to=intake_staff)

    with django_assert_max_num_queries(15):
        assert client.get(LIST).status_code == 200


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("mark_in_progress", Status.IN_PROGRESS),
        ("mark_contacted", Status.CONTACTED),
        ("mark_closed", Status.CLOSED),
        ("mark_spam", Status.SPAM),
    ],
)
def test_status_actions(intake_staff, action, status):
    submissions = [make_submission(), make_submission()]

    logged_in(intake_staff).post(
        LIST, {"action": action, "_selected_action": [s.pk for s in submissions]}
    )

    assert set(ContactSubmission.objects.values_list("status", flat=True)) == {status}
    assert len(events(Action.STATUS_CHANGED)) == 2


def test_assign_to_me(intake_staff):
    submission = make_submission()

    logged_in(intake_staff).post(
        LIST, {"action": "assign_to_me", "_selected_action": [submission.pk]}
    )

    submission.refresh_from_db()
    assert submission.assigned_to == intake_staff
    [event] = events(Action.ASSIGNED)
    assert event.detail == "to ingrid"


def test_opening_a_request_is_audited(intake_staff):
    submission = make_submission(name="Viewed Patient")

    response = logged_in(intake_staff).get(change_url(submission))

    assert "Viewed Patient" in response.content.decode()
    [event] = events()
    assert (event.action, event.actor_name, event.submission_number) == (
        Action.VIEWED,
        "ingrid",
        submission.pk,
    )


def test_an_invalid_change_shows_the_request_again_and_is_audited_once(intake_staff):
    submission = make_submission(name="Invalid Post Patient")

    response = logged_in(intake_staff).post(
        change_url(submission), change_data(submission, status="not-a-status")
    )

    assert response.status_code == 200
    assert "Invalid Post Patient" in response.content.decode()
    assert response.context["adminform"].form.errors["status"]
    assert [(e.action, e.submission_number) for e in events()] == [(Action.VIEWED, submission.pk)]


def test_a_valid_change_is_audited_as_the_change_not_also_as_a_view(intake_staff):
    submission = make_submission()
    client = logged_in(intake_staff)

    client.get(change_url(submission))
    client.post(change_url(submission), change_data(submission, status="contacted"))

    assert [e.action for e in events()] == [Action.VIEWED, Action.STATUS_CHANGED]


def test_reading_a_requests_history_is_audited(intake_staff):
    submission = make_submission()

    response = logged_in(intake_staff).get(f"{LIST}{submission.pk}/history/")

    assert response.status_code == 200
    [event] = events()
    assert (event.action, event.submission_number, event.detail) == (
        Action.VIEWED,
        submission.pk,
        "history",
    )


def test_a_search_is_audited_without_what_was_searched_for(intake_staff, caplog):
    make_submission(name="Quinn Searchable", phone="+12025550177")
    client = logged_in(intake_staff)
    caplog.set_level("DEBUG")

    for term in ("Quinn Searchable", "202-555-0177"):
        response = client.get(LIST, {"q": term})
        assert response.status_code == 200 and response.context["cl"].result_count == 1
    client.get(LIST)  # no search: nothing to record

    searched = events()
    assert [(e.action, e.actor, e.submission_number) for e in searched] == [
        (Action.SEARCHED, intake_staff, None),
        (Action.SEARCHED, intake_staff, None),
    ]
    recorded = [e.detail for e in searched] + [str(e) for e in searched]
    logged = [record.getMessage() for record in caplog.records]
    assert logged, "the request log wrote nothing to check"
    for text in recorded + logged:
        assert "Quinn" not in text and "0177" not in text


def test_changing_status_and_assignment_is_audited_and_patient_text_is_read_only(intake_staff):
    submission = make_submission(name="Original Name")
    data = change_data(
        submission, status="in_progress", assigned_to=intake_staff.pk, name="Edited Name"
    )

    response = logged_in(intake_staff).post(change_url(submission), data)

    assert response.status_code == 302
    submission.refresh_from_db()
    assert (submission.status, submission.assigned_to, submission.name) == (
        Status.IN_PROGRESS,
        intake_staff,
        "Original Name",
    )
    assert [(e.action, e.detail) for e in events()] == [
        (Action.STATUS_CHANGED, "New → In progress"),
        (Action.ASSIGNED, "to ingrid"),
    ]


def test_notes_get_author_and_time_and_cannot_be_edited(intake_staff):
    submission = make_submission()
    client = logged_in(intake_staff)
    client.post(change_url(submission), change_data(submission, notes=["Left a voicemail."]))
    note = SubmissionNote.objects.get()

    page = parse(client.get(change_url(submission)).content)
    tampered = change_data(submission, notes=["Rewritten."])
    tampered.update({"notes-INITIAL_FORMS": "1", "notes-0-id": str(note.pk)})
    client.post(change_url(submission), tampered)

    assert (note.author, note.text) == (intake_staff, "Left a voicemail.")
    assert note.created_at is not None
    assert not any("Left a voicemail." in area.get_text() for area in page.select("textarea"))
    note.refresh_from_db()
    assert note.text == "Left a voicemail."
    assert "Left a voicemail." in text_of(page.select_one("#notes-group"))


def test_nobody_deletes_or_adds_requests_in_the_admin(superuser):
    submission = make_submission()
    client = logged_in(superuser)

    assert client.get(f"{LIST}add/").status_code == 403
    assert client.post(f"{LIST}{submission.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ContactSubmission.objects.filter(pk=submission.pk).exists()


# Export ------------------------------------------------------------------------------------------


def test_export_is_a_csv_with_each_export_audited(intake_staff, seed_article):
    first = make_submission(name='=HYPERLINK("http://evil")', source=seed_article, source_cta=3)
    second = make_submission(name="Plain Name", message="Line one\nLine two")

    response = logged_in(intake_staff).post(
        LIST, {"action": "export_csv", "_selected_action": [first.pk, second.pk]}
    )

    assert response["Content-Disposition"].startswith('attachment; filename="intake-requests-')
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["id"] for row in rows] == [str(first.pk), str(second.pk)]
    assert rows[0]["name"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["phone"] == "+12025550143"
    assert rows[0]["source"] == "opioid-induced-hyperalgesia"
    assert (rows[0]["source_cta"], rows[1]["source_cta"]) == ("3", "")
    assert rows[1]["message"] == "Line one\nLine two"
    exported = events(Action.EXPORTED)
    assert sorted(e.submission_number for e in exported) == [first.pk, second.pk]
    assert all(e.actor == intake_staff for e in exported)


# The audit log ---------------------------------------------------------------------------------


def test_superusers_read_the_audit_log_and_nobody_edits_it(superuser, intake_staff):
    submission = make_submission()
    logged_in(intake_staff).get(change_url(submission))
    event = AuditEvent.objects.get()
    client = logged_in(superuser)

    listing = client.get(AUDIT_LOG)
    detail = client.get(f"{AUDIT_LOG}{event.pk}/change/")
    edit = client.post(f"{AUDIT_LOG}{event.pk}/change/", {"detail": "rewritten"})
    delete = client.post(f"{AUDIT_LOG}{event.pk}/delete/", {"post": "yes"})
    add = client.get(f"{AUDIT_LOG}add/")

    assert listing.status_code == 200 and "ingrid" in listing.content.decode()
    assert detail.status_code == 200
    assert not parse(detail.content).select("input[name=_save]")
    assert (edit.status_code, delete.status_code, add.status_code) == (403, 403, 403)
    event.refresh_from_db()
    assert event.detail == ""


def test_audit_log_search_by_request_number(superuser, intake_staff):
    first, second = make_submission(), make_submission()
    client = logged_in(intake_staff)
    client.get(change_url(first))
    client.get(change_url(second))

    response = logged_in(superuser).get(AUDIT_LOG, {"q": f"#{second.pk}"})

    assert [e.submission_number for e in response.context["cl"].result_list] == [second.pk]


def test_staff_notes_are_kept_out_of_error_reports(intake_staff):
    submission = make_submission()

    response = logged_in(intake_staff).post(
        change_url(submission), change_data(submission, notes=["Private note."])
    )

    assert response.wsgi_request.sensitive_post_parameters == "__ALL__"


# Quarantine ------------------------------------------------------------------------------------


def test_not_spam_moves_a_request_to_new_tells_staff_and_is_audited(intake_staff):
    quarantined = make_submission(status=Status.SPAM, spam_reason="hidden field filled")
    already_new = make_submission()

    logged_in(intake_staff).post(
        LIST, {"action": "not_spam", "_selected_action": [quarantined.pk, already_new.pk]}
    )

    quarantined.refresh_from_db()
    assert quarantined.status == Status.NEW
    [event] = events(Action.NOT_SPAM)
    assert (event.actor, event.submission_number) == (intake_staff, quarantined.pk)
    assert mail.outbox == []  # the worker sends it, not the staff member's request
    run_worker()
    [email] = mail.outbox
    assert f"#{quarantined.pk}" in email.subject


def test_admin_index_and_worklist_show_how_many_requests_are_in_quarantine(intake_staff):
    make_submission(status=Status.SPAM)
    make_submission(status=Status.SPAM)
    make_submission()
    client = logged_in(intake_staff)

    for url in ["/admin/", LIST]:
        notice = parse(client.get(url).content).select_one(".intake-quarantine a")
        assert text_of(notice).startswith("2 requests in quarantine"), url
        assert notice["href"].endswith("?status__exact=spam")


def test_editors_see_no_quarantine_count_on_the_admin_index(editor):
    make_submission(status=Status.SPAM)

    doc = parse(logged_in(editor).get("/admin/").content)

    assert not doc.select(".intake-quarantine")


# Contact attempts ------------------------------------------------------------------------------


def attempt_data(submission, *, method="phone", outcome="voicemail", note=""):
    return change_data(
        submission,
        **{"attempts-0-method": method, "attempts-0-outcome": outcome, "attempts-0-note": note},
    )


def test_staff_log_left_voicemail_in_one_step_and_the_timeline_shows_it(intake_staff):
    submission = make_submission()
    client = logged_in(intake_staff)
    client.post(change_url(submission), change_data(submission, notes=["Mother answered."]))

    response = client.post(
        change_url(submission), attempt_data(submission, note="Said I would try at 5.")
    )

    assert response.status_code == 302
    [attempt] = ContactAttempt.objects.all()
    assert (attempt.author, attempt.method, attempt.outcome) == (intake_staff, "phone", "voicemail")
    submission.refresh_from_db()
    assert submission.status == Status.IN_PROGRESS
    [event] = events(Action.ATTEMPTED)
    assert event.detail == "Phone call: Left voicemail"
    assert "try at 5" not in event.detail
    doc = parse(client.get(change_url(submission)).content)
    entries = [text_of(li) for li in doc.select(".intake-timeline li")]
    assert len(entries) == 2
    assert "Note" in entries[0] and "Mother answered." in entries[0]
    assert "Phone call: Left voicemail" in entries[1] and "ingrid" in entries[1]
    assert "Said I would try at 5." in entries[1]


def test_reaching_the_patient_marks_the_request_contacted(intake_staff):
    submission = make_submission(status=Status.IN_PROGRESS)

    logged_in(intake_staff).post(
        change_url(submission), attempt_data(submission, outcome="reached")
    )

    submission.refresh_from_db()
    assert submission.status == Status.CONTACTED
    assert len(events(Action.STATUS_CHANGED)) == 1


def test_an_attempt_with_an_unknown_outcome_is_refused_and_nothing_is_stored(intake_staff):
    submission = make_submission()

    response = logged_in(intake_staff).post(
        change_url(submission), attempt_data(submission, outcome="abducted")
    )

    assert response.status_code == 200
    assert "Select a valid choice" in text_of(parse(response.content).select_one("#attempts-group"))
    assert not ContactAttempt.objects.exists()
