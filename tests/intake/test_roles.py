from django.contrib.auth.models import Group

from tests.test_setup_roles import permission_codes, setup_roles


def test_intake_staff_get_exactly_what_the_queue_needs(db):
    setup_roles()

    assert permission_codes("Intake staff") == {
        "intake.view_contactsubmission",
        "intake.change_contactsubmission",
        "intake.export_contactsubmission",
        "intake.view_submissionnote",
        "intake.add_submissionnote",
        "intake.view_contactattempt",
        "intake.add_contactattempt",
    }


def test_editors_and_reviewers_get_nothing_from_intake(db):
    setup_roles()

    for name in ("Editors", "Medical reviewers"):
        assert not {code for code in permission_codes(name) if code.startswith("intake.")}


def test_nobody_may_delete_requests_or_touch_the_audit_log(db):
    setup_roles()

    granted = set().union(*(permission_codes(g.name) for g in Group.objects.all()))
    assert "intake.delete_contactsubmission" not in granted
    assert "intake.erase_contactsubmission" not in granted  # superusers, or one named person
    assert not {code for code in granted if code.endswith("auditevent")}


def test_running_twice_changes_nothing_for_intake_staff(db):
    setup_roles()
    before = permission_codes("Intake staff")

    output = setup_roles()

    assert "Intake staff: unchanged (7 permissions)" in output
    assert permission_codes("Intake staff") == before
