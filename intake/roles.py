"""What each staff group may do with intake requests (merged by `manage.py setup_roles`).

Only intake staff see requests. Editors and medical reviewers get nothing here, and the audit
log is for superusers only (checked in the admin, not by a permission).
"""

from hartrehab.roles import INTAKE_STAFF

ROLE_PERMISSIONS = {
    INTAKE_STAFF: [
        "intake.view_contactsubmission",
        "intake.change_contactsubmission",
        "intake.export_contactsubmission",
        "intake.view_submissionnote",
        "intake.add_submissionnote",
    ],
}
