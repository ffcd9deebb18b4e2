"""Staff accounts without a shell: invite, set up from the link, recovery codes, offboarding."""

import datetime
import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.models import Reviewer
from hartrehab import services
from hartrehab.models import AccountEvent
from tests.html import parse, text_of
from tests.staff import (
    admin_url,
    current_code,
    fresh_code,
    login_staff,
    make_staff,
)

User = get_user_model()
NEW_PASSWORD = "violet harbour lantern 42"
RAY = "Ray Hamilton, DNP, PMHNP-BC, FNP-C"
LINK_RE = re.compile(r"https?://\S+/account/set-up/\?token=\S+")


@pytest.fixture
def roles(db):
    call_command("setup_roles", verbosity=0)


def invite(email="new@example.org", role="editor", **kw) -> tuple:
    """An invited account and the path (with token) of its set-up link."""
    user, url = services.invite_staff(email, role=role, by=None, **kw)
    parts = urlsplit(url)
    return user, f"{parts.path}?{parts.query}"


def pending_device(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=False)


def accept(client, link, *, password=NEW_PASSWORD, confirm=None, code=None):
    """Open the link, then post the form with the pending device's current code."""
    page = client.get(link)
    user = User.objects.get(username=page.context["account"].username) if page.context else None
    data = {
        "new_password1": password,
        "new_password2": confirm or password,
        "code": code if code is not None else current_code(pending_device(user)),
    }
    return client.post(link, data)


def account_state(user) -> tuple:
    user.refresh_from_db()
    devices = TOTPDevice.objects.filter(user=user).count()
    return (user.is_active, user.password, devices, StaticDevice.objects.filter(user=user).count())


def errors(response) -> str:
    return " ".join(text_of(p) for p in parse(response.content).select(".errornote, .errorlist"))


# Inviting ------------------------------------------------------------------------------


def test_invited_account_is_staff_in_its_group_and_cannot_log_in(roles):
    user, _ = invite(role="intake", name="Ivy Lane")

    assert user.is_staff and not user.is_active
    assert not user.has_usable_password()
    assert [g.name for g in user.groups.all()] == ["Intake staff"]
    assert (user.first_name, user.last_name, user.username) == ("Ivy", "Lane", "new@example.org")
    assert AccountEvent.objects.get(user=user).action == AccountEvent.Action.INVITED


def test_command_emails_the_link_and_print_link_prints_it(roles):
    call_command("invite_staff", "ed@example.org", "--role", "editor", stdout=StringIO())
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ed@example.org"]
    assert LINK_RE.search(mail.outbox[0].body)

    out = StringIO()
    call_command("invite_staff", "in@example.org", "--role", "intake", "--print-link", stdout=out)
    assert LINK_RE.search(out.getvalue())
    assert len(mail.outbox) == 1


def test_medical_reviewer_is_linked_to_a_new_or_existing_reviewer(roles):
    existing = Reviewer.objects.create(name="Randy Gelow", credentials="MD, FASAM")

    ray, _ = invite("ray@example.org", role="medical-reviewer", reviewer=RAY)
    randy, _ = invite("randy@example.org", role="medical-reviewer", reviewer=str(existing))

    assert Reviewer.objects.get(user=ray).credentials == "DNP, PMHNP-BC, FNP-C"
    assert Reviewer.objects.get(user=ray).name == "Ray Hamilton"
    existing.refresh_from_db()
    assert existing.user == randy
    assert Reviewer.objects.count() == 2


def test_a_reviewer_linked_to_someone_else_is_refused_and_nothing_is_written(roles):
    invite("ray@example.org", role="medical-reviewer", reviewer=RAY)

    with pytest.raises(Exception, match="already linked"):
        invite("other@example.org", role="medical-reviewer", reviewer=RAY)

    assert not User.objects.filter(username="other@example.org").exists()


def test_command_without_roles_says_to_run_setup_roles(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="setup_roles"):
        call_command("invite_staff", "ed@example.org", "--role", "editor", "--print-link")


def test_reinviting_a_former_superuser_grants_only_the_role(roles):
    former = make_staff("old@example.org", superuser=True, is_active=False)

    user, _ = invite("old@example.org", role="intake")

    assert user.pk == former.pk
    assert not user.is_superuser and not user.is_active
    assert [g.name for g in user.groups.all()] == ["Intake staff"]


def test_the_service_checks_who_invites(roles):
    editor = make_staff("ed", groups=("Editors",))

    with pytest.raises(PermissionDenied):
        services.invite_staff("x@example.org", role="editor", by=editor)
    assert not User.objects.filter(username="x@example.org").exists()


def test_command_refuses_an_active_account(roles):
    make_staff("ed@example.org", email="ed@example.org", is_active=True)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="already has an active account"):
        call_command("invite_staff", "ed@example.org", "--role", "editor", "--print-link")


# Setting up from the link --------------------------------------------------------------


def test_set_up_page_shows_qr_svg_and_manual_key_and_keeps_the_link_private(client, roles):
    user, link = invite()

    response = client.get(link)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    page = parse(response.content)
    assert page.select_one("figure.qr svg") is not None
    key = text_of(page.select_one("#manual-key")).replace(" ", "")
    assert key and re.fullmatch(r"[A-Z2-7]+", key)
    for node in page.find_all(src=True) + page.find_all(href=True):
        url = node.get("src") or node.get("href")
        assert not urlsplit(url).netloc, url  # nothing from another site
    help_text = text_of(page.select_one("#id_new_password1_helptext"))
    assert "at least 12 characters" in help_text


def test_the_token_never_reaches_the_request_log(client, roles, caplog):
    _, link = invite()
    token = link.split("token=")[1]

    with caplog.at_level("INFO", logger="hartrehab.request"):
        client.get(link)

    assert caplog.records
    assert not any(token in record.getMessage() for record in caplog.records)


def test_accepting_sets_the_password_confirms_the_device_and_activates(client, roles):
    user, link = invite()

    response = accept(client, link)

    assert response.status_code == 200, errors(response)
    user.refresh_from_db()
    assert user.is_active and user.check_password(NEW_PASSWORD)
    assert TOTPDevice.objects.get(user=user).confirmed
    codes = [text_of(li) for li in parse(response.content).select("#recovery-codes li")]
    assert len(codes) == 10
    assert sorted(codes) == sorted(StaticToken.objects.values_list("token", flat=True))
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


def test_the_link_works_once(client, roles):
    user, link = invite()
    accept(client, link)
    before = account_state(user)

    again = client.get(link)
    reposted = client.post(link, {"new_password1": "x", "new_password2": "x", "code": "1"})

    assert again.status_code == 410
    assert reposted.status_code == 410
    assert account_state(user) == before


def test_an_expired_link_changes_nothing(client, roles, time_machine):
    time_machine.move_to(datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC), tick=False)
    user, link = invite()
    before = account_state(user)

    time_machine.move_to(datetime.datetime(2026, 1, 8, 9, 1, tzinfo=datetime.UTC), tick=False)
    response = client.get(link)

    assert response.status_code == 410
    assert account_state(user) == before


def test_a_tampered_link_changes_nothing(client, roles):
    user, link = invite()
    before = account_state(user)
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")

    assert client.get(tampered).status_code == 404
    assert client.get(admin_url("account/set-up/?token=nonsense")).status_code == 404
    assert client.post(tampered, {"new_password1": NEW_PASSWORD}).status_code == 404
    assert account_state(user) == before


def test_a_weak_password_is_refused_with_the_validators_message(client, roles):
    user, link = invite()

    response = accept(client, link, password="short1")

    assert response.status_code == 400
    assert "This password is too short. It must contain at least 12 characters." in errors(response)
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()


def test_a_wrong_code_leaves_the_account_inactive(client, roles):
    user, link = invite()
    client.get(link)
    wrong = f"{(int(current_code(pending_device(user))) + 1) % 1_000_000:06d}"

    response = accept(client, link, code=wrong)

    assert response.status_code == 400
    assert "code" in errors(response)
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert not StaticDevice.objects.filter(user=user).exists()


def test_an_unconfirmed_enrolment_leaves_the_account_inactive(client, roles):
    user, link = invite()

    client.get(link)  # the page was opened, the QR code maybe scanned, nothing confirmed

    user.refresh_from_db()
    assert not user.is_active
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


# Logging in after set-up, recovery codes -------------------------------------------------


def login(client, username, code, password=NEW_PASSWORD):
    data = {"username": username, "password": password, "otp_token": code, "next": admin_url()}
    return client.post(admin_url("login/"), data)


def test_a_recovery_code_logs_in_once(client, roles):
    user, link = invite()
    codes = [
        text_of(li) for li in parse(accept(Client(), link).content).select("#recovery-codes li")
    ]

    first = login(client, user.username, codes[0].upper())
    assert first.status_code == 302, errors(first)
    assert client.get(admin_url()).status_code == 200

    client.logout()
    second = login(client, user.username, codes[0])
    assert second.status_code == 200
    assert "_auth_user_id" not in client.session
    event = AccountEvent.objects.get(user=user, action=AccountEvent.Action.RECOVERY_CODE_USED)
    assert codes[0] not in event.detail
    assert StaticToken.objects.count() == 9


def test_a_wrong_recovery_code_counts_as_a_failed_login(client, roles):
    from axes.models import AccessAttempt

    user, link = invite()
    accept(Client(), link)

    response = login(client, user.username, "notacode")

    assert response.status_code == 200
    assert AccessAttempt.objects.get(username=user.username).failures_since_start == 1


def test_the_authenticator_logs_in_after_set_up(client, roles):
    user, link = invite()
    accept(Client(), link)

    response = login(client, user.username, fresh_code(TOTPDevice.objects.get(user=user)))

    assert response.status_code == 302, errors(response)


# Offboarding and resets -----------------------------------------------------------------


def test_deactivating_in_the_admin_ends_every_session_at_once(client, roles):
    admin_user = make_staff("boss", superuser=True)
    login_staff(client, admin_user)
    leaver = make_staff("leaver", groups=("Editors",), email="leaver@example.org")
    other = Client()
    login_staff(other, leaver)
    assert other.get(admin_url()).status_code == 200
    form = client.get(admin_url(f"auth/user/{leaver.pk}/change/")).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(groups=[g.pk for g in leaver.groups.all()], user_permissions=[])
    data.update(is_active="", is_staff="on", date_joined_0="2026-01-05", date_joined_1="09:00:00")
    data.pop("last_login", None)

    response = client.post(admin_url(f"auth/user/{leaver.pk}/change/"), data)

    assert response.status_code == 302
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert not TOTPDevice.objects.filter(user=leaver).exists()
    assert [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(leaver.pk)
    ] == []
    assert other.get(admin_url()).status_code == 302  # sent to the login page
    assert AccountEvent.objects.filter(user=leaver, action="offboarded", by=admin_user).exists()


def test_offboard_action_deactivates_and_is_audited(client, roles):
    admin_user = make_staff("boss", superuser=True)
    login_staff(client, admin_user)
    leaver = make_staff("leaver", groups=("Intake staff",))
    other = Client()
    login_staff(other, leaver)

    client.post(
        admin_url("auth/user/"),
        {"action": "offboard_selected", "_selected_action": [leaver.pk, admin_user.pk]},
    )

    leaver.refresh_from_db()
    admin_user.refresh_from_db()
    assert not leaver.is_active and admin_user.is_active
    assert other.get(admin_url()).status_code == 302
    assert AccountEvent.objects.filter(user=leaver, action="offboarded").count() == 1


def test_reset_sends_a_new_link_and_the_old_device_stops_working(client, roles):
    admin_user = make_staff("boss", superuser=True)
    login_staff(client, admin_user)
    user, old_link = invite()
    accept(Client(), old_link)
    old_device = TOTPDevice.objects.get(user=user)
    mail.outbox.clear()

    client.post(
        admin_url("auth/user/"), {"action": "reset_second_factor", "_selected_action": [user.pk]}
    )

    assert len(mail.outbox) == 1
    new_link = LINK_RE.search(mail.outbox[0].body).group(0)
    assert not TOTPDevice.objects.filter(pk=old_device.pk).exists()
    assert login(Client(), user.username, current_code(old_device)).status_code == 200
    assert AccountEvent.objects.filter(user=user, action="second_factor_reset", by=admin_user)
    parts = urlsplit(new_link)
    assert accept(Client(), f"{parts.path}?{parts.query}").status_code == 200
    user.refresh_from_db()
    assert user.is_active


# Who may invite --------------------------------------------------------------------------


@pytest.mark.parametrize("group", ["Editors", "Medical reviewers", "Intake staff"])
def test_staff_without_the_permission_cannot_invite(client, roles, group):
    login_staff(client, make_staff("worker", groups=(group,)))

    assert client.get(admin_url("auth/user/invite/")).status_code == 403
    response = client.post(
        admin_url("auth/user/invite/"), {"email": "x@example.org", "role": "editor"}
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="x@example.org").exists()


def test_a_superuser_invites_a_medical_reviewer_in_the_admin(client, roles):
    Reviewer.objects.create(name="Randy Gelow", credentials="MD, FASAM")
    login_staff(client, make_staff("boss", superuser=True))

    page = parse(client.get(admin_url("auth/user/invite/")).content)
    options = [o["value"] for o in page.select("datalist option")]
    response = client.post(
        admin_url("auth/user/invite/"),
        {
            "email": "Ray@Example.org",
            "name": "Ray Hamilton",
            "role": "medical-reviewer",
            "reviewer": RAY,
        },
    )

    assert options == ["Randy Gelow, MD, FASAM"]
    assert response.status_code == 302, errors(response)
    ray = User.objects.get(username="ray@example.org")
    assert ray.reviewer_profile.name == "Ray Hamilton"
    assert mail.outbox[0].to == ["ray@example.org"]


def test_someone_given_the_invite_permission_can_invite(client, roles):
    from django.contrib.auth.models import Permission

    manager = make_staff("manager")
    manager.user_permissions.add(Permission.objects.get(codename="invite_staff"))
    login_staff(client, manager)

    response = client.post(
        admin_url("auth/user/invite/"), {"email": "ed@example.org", "role": "editor"}
    )

    assert response.status_code == 302
    assert response["Location"] == admin_url("auth/user/invite/")
    assert User.objects.get(username="ed@example.org").groups.get().name == "Editors"
    assert AccountEvent.objects.get(action="invited").by == manager


def test_a_reviewer_is_linked_to_an_account_from_a_searchable_list(client, roles):
    login_staff(client, make_staff("boss", superuser=True))

    page = parse(client.get(admin_url("articles/reviewer/add/")).content)

    field = page.find("select", attrs={"name": "user"})
    assert "admin-autocomplete" in field["class"]


def test_invite_form_says_which_field_is_wrong(client, roles):
    login_staff(client, make_staff("boss", superuser=True))

    response = client.post(
        admin_url("auth/user/invite/"), {"email": "ray@example.org", "role": "medical-reviewer"}
    )

    assert response.status_code == 400
    assert "Name, Credentials" in errors(response)


# The admin's lists ------------------------------------------------------------------------


def test_users_can_be_filtered_by_second_factor(client, roles):
    login_staff(client, make_staff("boss", superuser=True))
    invite("pending@example.org")

    enrolled = client.get(admin_url("auth/user/?second_factor=enrolled"))
    missing = client.get(admin_url("auth/user/?second_factor=not-enrolled"))

    assert [u.username for u in enrolled.context["cl"].result_list] == ["boss"]
    assert [u.username for u in missing.context["cl"].result_list] == ["pending@example.org"]


def test_admin_index_has_readable_headings_and_one_security_heading(client, roles):
    login_staff(client, make_staff("boss", superuser=True))

    page = parse(client.get(admin_url()).content)
    headings = [text_of(c) for c in page.select("#content-main .module caption")]

    assert "Security" in headings
    assert not any(
        h.upper() in {"OTP_TOTP", "OTP_STATIC", "AXES", "TOTP", "HART REHAB"} for h in headings
    )
    assert client.get(admin_url("security/")).status_code == 200


def test_security_heading_is_for_superusers_only(client, roles):
    login_staff(client, make_staff("ed", groups=("Editors",)))

    page = parse(client.get(admin_url()).content)

    assert "Security" not in [text_of(c) for c in page.select("#content-main .module caption")]
    assert client.get(admin_url("security/")).status_code == 403


def test_account_events_are_append_only(roles):
    user, _ = invite()
    event = AccountEvent.objects.get(user=user)
    event.detail = "rewritten"

    with pytest.raises(ValueError, match="append-only"):
        event.save()
