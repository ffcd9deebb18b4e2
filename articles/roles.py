"""What each staff group may do with articles (merged by `manage.py setup_roles`).

Editors write: they start drafts (new, from the published text, or reverting to an old
version), edit them and submit them for review. Medical reviewers sign off: they approve the
exact text, or return it to draft, and publish what they approved. Neither group can delete
anything, and only a superuser links a reviewer (name, credentials) to a staff account.
"""

from hartrehab.roles import EDITORS, MEDICAL_REVIEWERS

ROLE_PERMISSIONS = {
    EDITORS: [
        "articles.view_article",
        "articles.add_article",
        "articles.view_articleversion",
        "articles.add_articleversion",
        "articles.change_articleversion",
        "articles.submit_articleversion",
        "articles.view_reviewer",
    ],
    MEDICAL_REVIEWERS: [
        "articles.view_article",
        "articles.view_articleversion",
        "articles.approve_articleversion",
        "articles.publish_articleversion",
        "articles.view_reviewer",
    ],
}
