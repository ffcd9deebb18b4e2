"""Who may take which step of the editors' workflow.

The services enforce these rules; the admin asks the same functions which buttons to show.
"""

from django.conf import settings

from articles.models import ArticleVersion, Reviewer, VersionEvent, VersionState


def is_active_staff(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def _staff_with(user, *codenames: str) -> bool:
    return is_active_staff(user) and all(user.has_perm(f"articles.{c}") for c in codenames)


def can_edit(user) -> bool:
    return _staff_with(user, "change_articleversion")


def can_start_drafts(user) -> bool:
    return _staff_with(user, "add_articleversion")


def can_create_articles(user) -> bool:
    return _staff_with(user, "add_article", "add_articleversion")


def can_submit(user) -> bool:
    return _staff_with(user, "submit_articleversion")


def can_publish(user) -> bool:
    return _staff_with(user, "publish_articleversion")


def reviewer_for(user) -> Reviewer | None:
    """The clinician `user` approves as, if linked and credentialed."""
    try:
        reviewer = user.reviewer_profile
    except (AttributeError, Reviewer.DoesNotExist):
        return None
    return reviewer if reviewer.credentials.strip() else None


def can_approve(user) -> bool:
    return _staff_with(user, "approve_articleversion") and reviewer_for(user) is not None


def wrote(user, version: ArticleVersion) -> bool:
    """Whether `user` created or edited `version` (then approving it is self-approval)."""
    if version.created_by_id == user.pk:
        return True
    return VersionEvent.objects.filter(
        version=version,
        by=user,
        action__in=[VersionEvent.Action.CREATED, VersionEvent.Action.EDITED],
    ).exists()


def self_approval_refused(user, version: ArticleVersion) -> bool:
    return not settings.ARTICLES_ALLOW_SELF_APPROVAL and wrote(user, version)


def allowed_actions(user, version: ArticleVersion) -> list[str]:
    """The workflow steps `user` may take on `version` now, in the order buttons show."""
    state = version.state
    actions = []
    if state == VersionState.DRAFT and can_submit(user):
        actions.append("submit")
    if state == VersionState.IN_REVIEW:
        if can_approve(user) and not self_approval_refused(user, version):
            actions.append("approve")
        if can_submit(user) or can_approve(user):
            actions.append("return")
    if state == VersionState.APPROVED and can_publish(user):
        actions.append("publish")
    if state in (VersionState.PUBLISHED, VersionState.SUPERSEDED) and can_start_drafts(user):
        actions.append("revert")
    return actions
