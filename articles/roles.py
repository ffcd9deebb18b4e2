"""What each staff group may do with articles (merged by `manage.py setup_roles`).

Editors write: they start drafts (new, from the published text, or reverting to an old
version), edit them and submit them for review. Medical reviewers sign off: they approve the
exact text, or return it to draft, and publish what they approved. Which group takes which
step is declared in the workflow table (`articles.workflow`); this adds what every role needs
to see articles at all. Neither group can delete anything, and only a superuser links a
reviewer (name, credentials) to a staff account.
"""

from articles.workflow import role_permissions
from staffroles import EDITORS, MEDICAL_REVIEWERS

_VIEW = ["articles.view_article", "articles.view_articleversion", "articles.view_reviewer"]
_STEPS = role_permissions()

ROLE_PERMISSIONS = {role: sorted({*_VIEW, *_STEPS[role]}) for role in (EDITORS, MEDICAL_REVIEWERS)}
