"""Who may see the outcomes page (merged by `manage.py setup_roles`).

Clinic managers, and editors, who decide what the articles say. Intake staff see requests
themselves and do not need it. The group names are those hartrehab.roles lists.
"""

VIEW_OUTCOMES = "outcomes.view_outcomes"

ROLE_PERMISSIONS = {
    "Clinic managers": [VIEW_OUTCOMES],
    "Editors": [VIEW_OUTCOMES],
}
