"""What each staff group may do with intake requests (merged by `manage.py setup_roles`).

Only intake staff see requests. Editors and medical reviewers get nothing here, and the audit
log is for superusers only (checked in the admin, not by a permission).
"""

from django.contrib.auth import get_user_model
from django.db.models import Q

from staffroles import INTAKE_STAFF

ROLE_PERMISSIONS = {
    INTAKE_STAFF: [
        "intake.view_contactsubmission",
        "intake.change_contactsubmission",
        "intake.export_contactsubmission",
        "intake.view_submissionnote",
        "intake.add_submissionnote",
        "intake.view_contactattempt",
        "intake.add_contactattempt",
    ],
}


def assignees():
    """Who a request can be given to: active members of Intake staff, and superusers."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name=INTAKE_STAFF) | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )
