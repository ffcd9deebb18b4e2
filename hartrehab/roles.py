"""The staff roles, merged from each app's `roles.py` (ROLE_PERMISSIONS).

The group names are declared in `staffroles`, which apps import; they are re-exported here.
"""

from importlib import import_module

from django.apps import apps

from staffroles import CLINIC_MANAGERS, EDITORS, INTAKE_STAFF, MEDICAL_REVIEWERS, ROLE_NAMES

__all__ = ["CLINIC_MANAGERS", "EDITORS", "INTAKE_STAFF", "MEDICAL_REVIEWERS", "ROLE_NAMES"]
# The names `invite_staff --role` takes, and the group each one joins.
ROLE_SLUGS = {"editor": EDITORS, "medical-reviewer": MEDICAL_REVIEWERS, "intake": INTAKE_STAFF}
# Superusers, and anyone given this permission, may invite staff and reset a second factor.
INVITE_STAFF_PERMISSION = "hartrehab.invite_staff"


def may_invite_staff(user) -> bool:
    return bool(user.is_active and (user.is_superuser or user.has_perm(INVITE_STAFF_PERMISSION)))


def role_permissions(name: str) -> set[str]:
    """Every "app_label.codename" that any installed app grants to the group `name`."""
    codes: set[str] = set()
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.roles")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.roles":
                raise
            continue
        codes.update(getattr(module, "ROLE_PERMISSIONS", {}).get(name, ()))
    return codes
