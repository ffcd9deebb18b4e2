from io import StringIO

from django.contrib.auth.models import Group
from django.core.management import call_command


def setup_roles(**options) -> str:
    out = StringIO()
    call_command("setup_roles", stdout=out, **options)
    return out.getvalue()


def permission_codes(name: str) -> set[str]:
    group = Group.objects.get(name=name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_creates_the_four_groups(db):
    setup_roles()

    assert set(Group.objects.values_list("name", flat=True)) == {
        "Editors",
        "Medical reviewers",
        "Intake staff",
        "Clinic managers",
    }
    assert "articles.view_articleversion" in permission_codes("Editors")


def test_second_run_changes_nothing(db):
    setup_roles()
    before = {g.name: permission_codes(g.name) for g in Group.objects.all()}

    output = setup_roles()

    assert output.count("unchanged") == 4
    assert {g.name: permission_codes(g.name) for g in Group.objects.all()} == before


def test_extra_permissions_are_removed(db):
    setup_roles()
    from django.contrib.auth.models import Permission

    Group.objects.get(name="Editors").permissions.add(Permission.objects.get(codename="add_user"))

    assert "Editors: updated" in setup_roles()
    assert "auth.add_user" not in permission_codes("Editors")


def test_dry_run_writes_nothing(db):
    setup_roles(dry_run=True)

    assert not Group.objects.exists()


def test_editors_write_and_submit_but_never_approve_or_publish(db):
    setup_roles()

    editors = permission_codes("Editors")
    assert {
        "articles.add_articleversion",
        "articles.change_articleversion",
        "articles.submit_articleversion",
        "articles.add_article",
    } <= editors
    assert not editors & {
        "articles.approve_articleversion",
        "articles.publish_articleversion",
        "articles.delete_articleversion",
        "articles.delete_article",
    }


def test_medical_reviewers_approve_and_publish_but_never_edit(db):
    setup_roles()

    reviewers = permission_codes("Medical reviewers")
    assert {"articles.approve_articleversion", "articles.publish_articleversion"} <= reviewers
    assert not reviewers & {
        "articles.add_articleversion",
        "articles.change_articleversion",
        "articles.submit_articleversion",
        "articles.change_reviewer",
    }
    assert not any(code.startswith("articles.") for code in permission_codes("Intake staff"))


def test_every_group_an_app_grants_to_is_one_setup_roles_makes():
    """Apps name groups by their words (they do not import the project package)."""
    from django.apps import apps

    from hartrehab.roles import ROLE_NAMES, role_permissions

    granted = {
        name
        for config in apps.get_app_configs()
        for name in getattr(_roles_module(config), "ROLE_PERMISSIONS", {})
    }
    assert granted <= set(ROLE_NAMES)
    assert role_permissions("Clinic managers") == {"outcomes.view_outcomes"}


def _roles_module(config):
    from importlib import import_module

    try:
        return import_module(f"{config.name}.roles")
    except ModuleNotFoundError:
        return None
