"""The names of the staff groups: one declaration every layer reads.

Not a Django app and imports nothing: each app's `roles.py` names the groups it grants
permissions to from here, and `manage.py setup_roles` (in `hartrehab`) creates exactly these.
"""

EDITORS = "Editors"
MEDICAL_REVIEWERS = "Medical reviewers"
INTAKE_STAFF = "Intake staff"
CLINIC_MANAGERS = "Clinic managers"
ROLE_NAMES = (EDITORS, MEDICAL_REVIEWERS, INTAKE_STAFF, CLINIC_MANAGERS)
