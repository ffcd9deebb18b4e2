"""Who may see the outcomes page (merged by `manage.py setup_roles`).

Clinic managers, and editors, who decide what the articles say. Intake staff see requests
themselves and do not need it.
"""

from staffroles import CLINIC_MANAGERS, EDITORS

VIEW_OUTCOMES = "outcomes.view_outcomes"

ROLE_PERMISSIONS = {
    CLINIC_MANAGERS: [VIEW_OUTCOMES],
    EDITORS: [VIEW_OUTCOMES],
}
