"""The staff roles, merged from each app's `roles.py` (ROLE_PERMISSIONS)."""

from importlib import import_module

from django.apps import apps

EDITORS = "Editors"
MEDICAL_REVIEWERS = "Medical reviewers"
INTAKE_STAFF = "Intake staff"
CLINIC_MANAGERS = "Clinic managers"
ROLE_NAMES = (EDITORS, MEDICAL_REVIEWERS, INTAKE_STAFF, CLINIC_MANAGERS)


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
