import datetime
import logging
import time
import uuid

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import OperationalError
from django.views.debug import ExceptionReporter
from django_tasks_db.models import DBTaskResult

from intake import services
from intake.consent import CONSENT_VERSION
from intake.formtoken import issue_token
from intake.models import ContactSubmission
from tests.clients import FormClient
from tests.factories import contact_data, run_worker
from tests.html import parse, text_of

Status = ContactSubmission.Status
SENTINELS = {
    "name": "Zebulon Quixotefarm",
    "phone": "(202) 555-0187",
    "email": "zq.sentinel@example.org",
    "message": "SENTINEL-HEALTH-7731 methadone taper",
}
E164_SENTINEL = "+12025550187"


class FailingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


def post(client, **overrides):
    return client.post("/contact/", contact_data(**overrides))


def sentinel_post(**overrides):
    return contact_data(preferred_contact="email", **SENTINELS, **overrides)


def field_errors(response, name: str) -> list[str]:
    doc = parse(response.content)
    return [text_of(p) for p in doc.select(f"#id_{name}_error")]


# Showing the form -----------------------------------------------------------------------


def test_form_has_the_contract_fields_and_is_never_cached(client, db):
    response = client.get("/contact/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    doc = parse(response.content)
    names = {field["name"] for field in doc.select("form.intake-form [name]")}
    assert {"name", "phone", "email", "preferred_contact", "message", "consent"} <= names
    assert doc.select_one("#id_name")["autocomplete"] == "name"
    assert doc.select_one("#id_phone")["autocomplete"] == "tel"
    assert doc.select_one("#id_email")["autocomplete"] == "email"
    assert not doc.select("script")


def test_either_or_rule_is_stated_before_phone_and_email_and_tied_to_both(client, db):
    doc = parse(client.get("/contact/").content)

    rule = doc.select_one("#contact-either-or")
    assert text_of(rule) == "Give us a phone number, an email address or both."
    for name in ["phone", "email"]:
        field = doc.select_one(f"#id_{name}")
        assert "contact-either-or" in field["aria-describedby"].split()
        assert rule in field.find_all_previous("p")
        assert "optional" not in text_of(doc.select_one(f"label[for=id_{name}]"))


def test_message_box_has_the_models_limit_as_maxlength_and_states_it(client, db):
    doc = parse(client.get("/contact/").content)

    limit = ContactSubmission._meta.get_field("message").max_length
    assert doc.select_one("#id_message")["maxlength"] == str(limit)
    assert f"At most {limit:,} characters" in text_of(doc.select_one("#id_message_helptext"))


def test_contact_page_has_a_one_line_crisis_notice_linking_to_the_footer_card(client, db):
    doc = parse(client.get("/contact/").content)

    assert not doc.select("main .crisis")
    link = doc.select_one("main .crisis-notice a")
    card = doc.select_one("footer .crisis")
    assert link["href"] == "#" + card["aria-labelledby"]


def test_every_input_has_a_label_and_hints_are_tied_to_it(client, db):
    doc = parse(client.get("/contact/").content)

    for field in doc.select("form.intake-form input:not([type=hidden]), form textarea"):
        assert doc.select_one(f"label[for={field['id']}]"), field["id"]
    assert doc.select_one("#id_phone")["aria-describedby"] == "contact-either-or id_phone_helptext"
    consent_hint = doc.select_one("#" + doc.select_one("#id_consent")["aria-describedby"])
    assert consent_hint.select_one("a")["href"] == "/privacy/"


def test_honeypot_is_hidden_by_a_css_class_not_an_inline_style(client, db):
    doc = parse(client.get("/contact/").content)

    trap = doc.select_one("input[name=website]")
    assert "intake-hp" in trap.parent["class"]
    assert not doc.select("form [style]")


def test_cta_source_is_carried_into_the_form(client, seed_article):
    article_page = parse(client.get(seed_article.get_absolute_url()).content)
    cta_href = article_page.select_one("aside.cta a")["href"]

    doc = parse(client.get(cta_href).content)

    assert doc.select_one("input[name=source]")["value"] == "opioid-induced-hyperalgesia"


@pytest.mark.parametrize("source", ["no-such-article", "../../etc/passwd", "é" * 300, ""])
def test_unknown_source_shows_the_form_without_one(client, db, source):
    response = client.get("/contact/", {"source": source})

    assert response.status_code == 200
    assert parse(response.content).select_one("input[name=source]") is None


def test_head_is_answered(client, db):
    assert client.head("/contact/").status_code == 200


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_wrong_method_is_405(client, db, method):
    assert getattr(client, method)("/contact/").status_code == 405


def test_thanks_refuses_post(client, db):
    assert client.post("/contact/thanks/").status_code == 405


# Sending it -------------------------------------------------------------------------------


def test_valid_request_is_stored_and_redirects_to_thanks(client, db):
    response = post(client, best_time="evening", message="Please call after work.")

    assert response.status_code == 303
    assert response["Location"] == "/contact/thanks/"
    submission = ContactSubmission.objects.get()
    assert submission.name == "Jordan Example"
    assert submission.phone == "+12025550143"
    assert submission.preferred_contact == "phone"
    assert submission.best_time == "evening"
    assert submission.message == "Please call after work."
    assert submission.status == Status.NEW
    assert submission.consent_given_at is not None
    assert submission.consent_version == CONSENT_VERSION
    assert submission.source is None


def test_source_article_from_the_cta_is_stored(client, seed_article):
    form = parse(client.get(f"/contact/?source={seed_article.slug}").content)
    source = form.select_one("input[name=source]")["value"]

    post(client, source=source)

    assert ContactSubmission.objects.get().source == seed_article


@pytest.mark.parametrize("source", ["missing-article", "<script>", "x" * 5000, "\r\n"])
def test_unknown_posted_source_is_stored_as_none(client, db, source):
    assert post(client, source=source).status_code == 303

    assert ContactSubmission.objects.get().source is None


def test_same_idempotency_token_twice_makes_one_request(client, db):
    data = contact_data()

    first = client.post("/contact/", data)
    second = client.post("/contact/", data)

    assert first.status_code == second.status_code == 303
    assert second["Location"] == "/contact/thanks/"
    assert ContactSubmission.objects.count() == 1


def test_a_new_form_makes_a_new_request(client, db):
    post(client)
    post(client)

    assert ContactSubmission.objects.count() == 2


def test_following_the_redirect_shows_the_thanks_page(client, db, settings):
    response = post(client)
    page = client.get(response["Location"])

    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    doc = parse(page.content)
    assert "within one business day" in text_of(doc.select_one("main"))
    assert doc.select_one(f"main a[href='tel:{settings.CLINIC_PHONE.replace(' ', '')}']")
    # One crisis card: the footer's.
    assert len(doc.select(".crisis")) == 1 and not doc.select("main .crisis")


@pytest.mark.parametrize(
    ("method", "phone", "email", "sentence"),
    [
        ("phone", "202-555-0143", "", "We will call you at (202) 555-0143."),
        ("text", "+44 20 7946 0958", "", "We will text you at +44 20 7946 0958."),
        ("email", "", "jordan@example.org", "We will email you at jordan@example.org."),
    ],
)
def test_thanks_page_says_the_chosen_way_and_a_reference_on_its_first_showing_only(
    client, db, method, phone, email, sentence
):
    response = post(client, preferred_contact=method, phone=phone, email=email)
    first = parse(client.get(response["Location"]).content)

    submission = ContactSubmission.objects.get()
    assert " ".join(first.select_one(".intake-sent").get_text().split()).startswith(sentence)
    reference = text_of(first.select_one(".intake-reference strong"))
    assert reference == submission.reference
    assert str(submission.pk) != reference
    assert "give your reference" in text_of(first.select_one("main"))
    again = parse(client.get(response["Location"]).content)
    assert not again.select(".intake-sent, .intake-reference")
    assert submission.reference not in str(again)


def test_thanks_page_url_carries_none_of_the_submitted_values(client, db):
    response = client.post("/contact/", sentinel_post(), follow=True)

    final_url, _ = response.redirect_chain[-1]
    page = response.content.decode()
    reference = ContactSubmission.objects.get().reference
    assert reference not in final_url
    for value in [*SENTINELS.values(), E164_SENTINEL, "zq.sentinel"]:
        assert value not in final_url
        if value != SENTINELS["email"] and value != "zq.sentinel":  # the chosen way, shown once
            assert value.lower() not in page.lower()
    reload = client.get(final_url).content.decode()
    for value in [*SENTINELS.values(), E164_SENTINEL, reference]:
        assert value.lower() not in reload.lower()


def test_the_thanks_page_deletes_the_session_it_read_and_a_plain_visit_sets_no_cookie(
    client, db, settings, seed_article
):
    sent = post(client)
    assert settings.SESSION_COOKIE_NAME in sent.cookies  # holds the chosen way until shown

    shown = client.get("/contact/thanks/")

    assert shown.cookies[settings.SESSION_COOKIE_NAME].value == ""  # deleted
    assert not Session.objects.exists()
    del client.cookies[settings.SESSION_COOKIE_NAME]  # as a browser drops a deleted cookie
    article = client.get(seed_article.get_absolute_url())
    assert article.cookies == {}
    plain = FormClient().get("/contact/thanks/")
    assert plain.cookies == {}
    assert "Cookie" not in plain.get("Vary", "")


# Rejected forms ------------------------------------------------------------------------------


def test_rejected_form_keeps_everything_typed(client, db):
    data = contact_data(
        name="",
        phone="202-555-0143",
        email="jordan@example.org",
        preferred_contact="text",
        best_time="morning",
        message="Line one\r\nLine two <b>",
    )

    response = client.post("/contact/", data)

    assert response.status_code == 400
    doc = parse(response.content)
    assert doc.select_one("#id_phone")["value"] == "202-555-0143"
    assert doc.select_one("#id_email")["value"] == "jordan@example.org"
    assert doc.select_one("input[name=preferred_contact][value=text]").has_attr("checked")
    assert doc.select_one("input[name=best_time][value=morning]").has_attr("checked")
    assert doc.select_one("#id_message").get_text() == "Line one\nLine two <b>"
    assert doc.select_one("#id_consent").has_attr("checked")
    assert doc.select_one("input[name=form_token]")["value"] == data["form_token"]
    assert not ContactSubmission.objects.exists()


def test_errors_show_on_the_field_and_in_a_summary_at_the_top(client, db):
    response = post(client, name="", consent=None)

    doc = parse(response.content)
    assert doc.title.string.startswith("Error:")
    summary = doc.select_one("main .error-summary")
    assert summary is doc.select_one("main").find(True)
    links = {a["href"]: text_of(a) for a in summary.select("a")}
    assert links == {
        "#id_name": "Enter your name",
        "#id_consent": "Tick the box to agree that we may contact you",
    }
    assert field_errors(response, "name") == ["Error: Enter your name"]
    name_input = doc.select_one("#id_name")
    assert name_input["aria-invalid"] == "true"
    assert "id_name_error" in name_input["aria-describedby"].split()
    fieldset_errors = post(client, preferred_contact=None)
    fieldset = parse(fieldset_errors.content).select_one("fieldset.field--error")
    assert fieldset["aria-describedby"] == "id_preferred_contact_error"


def test_crlf_in_the_name_is_refused_with_its_message(client, db):
    response = post(client, name="Jordan\r\nBcc: victim@example.org")

    assert response.status_code == 400
    assert field_errors(response, "name") == [
        "Error: Your name must not contain line breaks or control characters"
    ]


def test_a_one_megabyte_message_is_refused_with_a_4xx_and_nothing_stored(client, db):
    response = post(client, message="x" * (1024 * 1024))

    assert response.status_code == 413
    doc = parse(response.content)
    assert "up to 2,000 characters" in text_of(doc.select_one("main"))
    assert doc.select_one("main a[href='tel:(555)010-4242']")
    assert not ContactSubmission.objects.exists()


def test_a_one_megabyte_message_with_csrf_checks_is_also_refused(db):
    client = FormClient(enforce_csrf_checks=True)
    client.get("/contact/")

    response = client.post("/contact/", contact_data(message="x" * (1024 * 1024)))

    assert response.status_code == 413
    assert not ContactSubmission.objects.exists()


def test_a_long_message_under_the_request_limit_gets_its_field_message(client, db):
    response = post(client, message="x" * 20_000)

    assert response.status_code == 400
    assert field_errors(response, "message") == [
        "Error: Your message must be 2,000 characters or fewer"
    ]


def test_missing_csrf_token_is_403(db):
    client = FormClient(enforce_csrf_checks=True)

    response = client.post("/contact/", contact_data())

    assert response.status_code == 403
    assert not ContactSubmission.objects.exists()


def test_a_csrf_failure_gets_the_sites_page_saying_the_message_was_not_sent(db, settings):
    client = FormClient(enforce_csrf_checks=True)
    doc = parse(client.get("/contact/").content)
    csrf = doc.select_one("input[name=csrfmiddlewaretoken]")["value"]
    client.cookies.clear()  # cookies blocked, or cleared while the form was open

    response = client.post("/contact/", contact_data(csrfmiddlewaretoken=csrf))

    assert response.status_code == 403
    assert "no-store" in response["Cache-Control"]
    page = parse(response.content)
    main = text_of(page.select_one("main"))
    assert text_of(page.select_one("h1")) == "Your message was not sent"
    assert "Please go back and send it again" in main
    assert page.select_one(f"main a[href='tel:{settings.CLINIC_PHONE.replace(' ', '')}']")
    assert page.select_one("main .crisis a[href='tel:988']")
    assert page.select_one("main a[href='/contact/']")
    assert "default-src 'none'" in response["Content-Security-Policy"].split("; ")
    assert not ContactSubmission.objects.exists()


def test_a_csrf_failure_on_a_staff_page_keeps_djangos_plain_page(db):
    client = FormClient(enforce_csrf_checks=True)

    response = client.post("/admin/login/", {"username": "a", "password": "b"})

    assert response.status_code == 403
    assert "CSRF verification failed" in response.content.decode()


def test_the_real_form_round_trip_passes_csrf(db):
    client = FormClient(enforce_csrf_checks=True)
    doc = parse(client.get("/contact/").content)
    csrf = doc.select_one("input[name=csrfmiddlewaretoken]")["value"]
    token = doc.select_one("input[name=form_token]")["value"]

    response = client.post(
        "/contact/",
        contact_data(csrfmiddlewaretoken=csrf, form_token=token),
        REMOTE_ADDR="10.0.0.9",
    )

    # Sent at once after showing: the form comes back to be sent again (see the time trap).
    assert response.status_code == 400
    assert not ContactSubmission.objects.exists()


# Anti-abuse: quarantined, never dropped --------------------------------------------------------


def test_honeypot_quarantines_the_request_without_notifying(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, website="http://spam.example")

    assert response["Location"] == "/contact/thanks/"
    submission = ContactSubmission.objects.get()
    assert submission.status == Status.SPAM
    assert submission.spam_reason == "hidden field filled"
    assert not DBTaskResult.objects.exists()
    run_worker()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "token",
    [
        lambda: issue_token(),
        lambda: issue_token(now=time.time() - 2 * 86400),
        lambda: "",
        lambda: issue_token()[:-3] + "abc",
        lambda: "eyJrIjoiMSIsInQiOjAsImMiOiIxIn0:forged:sig",
    ],
    ids=["too-fast", "too-old", "missing", "tampered", "forged"],
)
def test_a_token_problem_gives_the_form_back_with_everything_kept(client, db, token):
    response = post(
        client, form_token=token(), name="Zoë Example", message="Please call after work."
    )

    assert response.status_code == 400
    assert not ContactSubmission.objects.exists()
    assert not DBTaskResult.objects.exists()
    doc = parse(response.content)
    alert = doc.select_one("[role=alert]")
    assert "check your details" in text_of(alert) and "send the form again" in text_of(alert)
    assert doc.select_one("#id_name")["value"] == "Zoë Example"
    assert doc.select_one("#id_phone")["value"] == "202-555-0143"
    assert doc.select_one("#id_preferred_contact_0").has_attr("checked")
    assert text_of(doc.select_one("#id_message")) == "Please call after work."
    assert doc.select_one("#id_consent").has_attr("checked")
    assert text_of(doc.select_one("title")).startswith("Error:")


def test_sent_too_fast_then_sent_again_is_stored_as_new_and_staff_told(client, db, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC), tick=False)
    form = parse(client.get("/contact/").content)
    token = form.select_one("input[name=form_token]")["value"]
    first = post(client, form_token=token)
    assert first.status_code == 400
    assert not ContactSubmission.objects.exists()

    time_machine.shift(datetime.timedelta(seconds=5))  # reading the sentence, sending again
    resent_token = parse(first.content).select_one("input[name=form_token]")["value"]
    second = post(client, form_token=resent_token)

    assert second.status_code == 303
    assert second["Location"] == "/contact/thanks/"
    submission = ContactSubmission.objects.get()
    assert submission.status == Status.NEW
    assert submission.spam_reason == ""
    run_worker()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("token", [lambda: issue_token(), lambda: ""], ids=["too-fast", "missing"])
def test_a_filled_honeypot_quarantines_whatever_the_token(client, db, token):
    response = post(client, form_token=token(), website="http://spam.example")

    assert response.status_code == 303
    assert ContactSubmission.objects.get().status == Status.SPAM


def test_minimum_time_comes_from_settings(client, db, settings):
    settings.INTAKE_MIN_SECONDS = 0

    post(client, form_token=issue_token())

    assert ContactSubmission.objects.get().status == Status.NEW


def test_rate_limited_client_gets_a_429_with_phone_and_crisis_lines(client, db, settings):
    settings.INTAKE_RATE_LIMIT = 2
    post(client)
    post(client)

    response = post(client)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "no-store" in response["Cache-Control"]
    doc = parse(response.content)
    assert doc.select_one("main a[href='tel:(555)010-4242']")
    assert doc.select_one("main .crisis a[href='tel:988']")
    assert ContactSubmission.objects.count() == 2


def test_rate_limit_is_per_client(client, db, settings):
    settings.INTAKE_RATE_LIMIT = 1
    client.post("/contact/", contact_data(), REMOTE_ADDR="192.0.2.1")

    response = client.post("/contact/", contact_data(), REMOTE_ADDR="192.0.2.2")

    assert response.status_code == 303


# Durability and notification -------------------------------------------------------------------


def test_the_worker_emails_staff_the_id_and_a_link_only(client, db):
    client.post("/contact/", sentinel_post())
    assert mail.outbox == []  # the request only queued it

    run_worker()

    submission = ContactSubmission.objects.get()
    [email] = mail.outbox
    assert email.to == ["intake@example.org"]
    assert f"#{submission.pk}" in email.subject
    assert f"http://testserver/admin/intake/contactsubmission/{submission.pk}/change/" in email.body
    whole = email.message().as_string()
    for value in [*SENTINELS.values(), E164_SENTINEL, "zq.sentinel", "Zebulon"]:
        assert value not in whole
    submission.refresh_from_db()
    assert submission.notified_at is not None


def test_failing_email_leaves_the_request_saved_and_the_response_successful(
    client, db, settings, caplog
):
    settings.EMAIL_BACKEND = "tests.intake.test_views.FailingEmailBackend"

    response = client.post("/contact/", sentinel_post())
    run_worker()

    assert response.status_code == 303
    submission = ContactSubmission.objects.get()
    assert submission.notified_at is None
    assert submission.notify_claimed_at is None
    failures = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures == [
        f"intake: email about request #{submission.pk} failed (ConnectionRefusedError); "
        "it will be tried again"
    ]


def test_database_failure_answers_503_with_the_phone_and_sends_nothing(
    client, db, monkeypatch, django_capture_on_commit_callbacks
):
    def broken_save(self, *args, **kwargs):
        raise OperationalError("could not write to the database")

    monkeypatch.setattr(ContactSubmission, "save", broken_save)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/contact/", sentinel_post())

    assert response.status_code == 503
    doc = parse(response.content)
    alert = doc.select_one("main [role=alert]")
    assert "We could not save your request" in text_of(alert)
    assert alert.select_one("a[href='tel:(555)010-4242']")
    assert doc.select_one("footer .crisis a[href='tel:988']")
    assert doc.select_one("#id_name")["value"] == SENTINELS["name"]
    assert mail.outbox == []
    assert not ContactSubmission.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_database_down_before_the_form_is_read_is_also_503(client, db, monkeypatch):
    def no_database(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("intake.ratelimit.hit", no_database)

    response = post(client)

    assert response.status_code == 503
    assert "Error:" in parse(response.content).title.string


def test_the_request_queues_the_email_with_the_request_and_sends_nothing(client, db, monkeypatch):
    sent = []
    monkeypatch.setattr("intake.services.send_mail", lambda **kw: sent.append(kw) or 1)

    post(client)

    assert sent == []
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "intake.tasks.notify_staff_of_request"
    assert queued.args_kwargs == {"args": [ContactSubmission.objects.get().pk], "kwargs": {}}


# No patient data in logs, even when things fail -------------------------------------------------


def _leaks(records) -> list[str]:
    found = []
    formatter = logging.Formatter("%(message)s")
    for record in records:
        text = formatter.format(record)
        request = getattr(record, "request", None)
        if record.exc_info and request is not None:
            text += ExceptionReporter(request, *record.exc_info, is_email=True).get_traceback_text()
        for value in [*SENTINELS.values(), E164_SENTINEL, "zq.sentinel", "Zebulon", "SENTINEL"]:
            if value in text:
                found.append(f"{record.name}: {value}")
    return found


def test_sentinel_values_reach_no_log_record_at_any_level(
    client, db, settings, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")  # as someone debugging might set it
    settings.DEBUG = True  # with DEBUG on, the SQL logger would show parameters

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/contact/", sentinel_post())
        client.post("/contact/", sentinel_post(consent=None))
        client.post("/contact/", sentinel_post(website="x"))
    run_worker()

    assert caplog.records, "expected the request to log something"
    assert _leaks(caplog.records) == []


def test_forced_errors_log_no_submitted_values(
    client, db, settings, caplog, monkeypatch, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    settings.EMAIL_BACKEND = "tests.intake.test_views.FailingEmailBackend"
    client.raise_request_exception = False

    def database_error(self, *args, **kwargs):
        raise OperationalError(f"could not save {self.name} {self.email}")

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/contact/", sentinel_post())  # mail fails
        run_worker()
        monkeypatch.setattr(ContactSubmission, "save", database_error)
        assert client.post("/contact/", sentinel_post()).status_code == 503

    def crash(self, *args, **kwargs):
        raise RuntimeError("unexpected failure")

    monkeypatch.setattr(ContactSubmission, "full_clean", crash)
    assert client.post("/contact/", sentinel_post()).status_code == 500

    crash_records = [r for r in caplog.records if r.exc_info and hasattr(r, "request")]
    assert crash_records, "the 500 should be logged with its traceback"
    assert _leaks(caplog.records) == []


def test_error_reports_hide_post_values_and_frame_variables(client, db, monkeypatch, caplog):
    client.raise_request_exception = False

    def crash(**kwargs):
        data = kwargs["data"]  # noqa: F841 - a local holding patient data, as real code would
        raise RuntimeError("boom")

    monkeypatch.setattr("intake.views.create_submission", crash)
    client.post("/contact/", sentinel_post())

    [record] = [r for r in caplog.records if r.exc_info and hasattr(r, "request")]
    report = ExceptionReporter(record.request, *record.exc_info, is_email=True)
    html = report.get_traceback_html()
    for value in [SENTINELS["name"], SENTINELS["message"], E164_SENTINEL]:
        assert value not in html
    assert "********************" in html


def test_idempotency_key_repeated_returns_the_first_request(db):
    key = uuid.uuid4()
    data = {"name": "A", "phone": "+12025550143", "preferred_contact": "phone"}
    first, created = services.create_submission(
        data=data, source=None, idempotency_key=key, consent_version="v"
    )

    again, created_again = services.create_submission(
        data=data, source=None, idempotency_key=key, consent_version="v"
    )

    assert created and not created_again
    assert again.pk == first.pk


def test_idempotency_key_race_is_settled_by_the_unique_column(db, monkeypatch):
    key = uuid.uuid4()
    data = {"name": "A", "phone": "+12025550143", "preferred_contact": "phone"}

    def other_worker_wins(self, *args, **kwargs):
        # Another worker stores the same form between our check and our insert.
        monkeypatch.undo()
        services.create_submission(data=data, source=None, idempotency_key=key, consent_version="v")

    monkeypatch.setattr(ContactSubmission, "full_clean", other_worker_wins)

    submission, created = services.create_submission(
        data=data, source=None, idempotency_key=key, consent_version="v"
    )

    assert not created
    assert ContactSubmission.objects.get().pk == submission.pk


def test_privacy_page_states_what_is_kept_who_sees_it_and_for_how_long(client, db, settings):
    settings.INTAKE_RETENTION_DAYS = 180

    doc = parse(client.get("/privacy/").content)

    assert {h["id"] for h in doc.select("main h2[id]")} == {
        "what-we-count",  # outcomes: views and requests, counted with nothing about a visitor
        "what-we-store",
        "who-sees-it",
        "how-long",
    }
    assert "180 days" in text_of(doc.select_one("main"))
    assert "intake staff" in text_of(doc.select_one("main"))


def test_a_request_is_never_stored_inside_someone_elses_transaction(db):
    from django.db import transaction

    data = {"name": "A", "phone": "+12025550143", "preferred_contact": "phone"}

    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        services.create_submission(
            data=data, source=None, idempotency_key=uuid.uuid4(), consent_version="v"
        )


def test_the_contact_view_opts_out_of_atomic_requests():
    from intake.views import contact

    assert "default" in contact._non_atomic_requests
