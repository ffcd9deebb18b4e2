"""What each staff group may do with articles (merged by `manage.py setup_roles`)."""

from hartrehab.roles import EDITORS, MEDICAL_REVIEWERS

ROLE_PERMISSIONS = {
    EDITORS: [
        "articles.view_article",
        "articles.view_articleversion",
        "articles.view_reviewer",
    ],
    MEDICAL_REVIEWERS: [
        "articles.view_article",
        "articles.view_articleversion",
        "articles.view_reviewer",
    ],
}
