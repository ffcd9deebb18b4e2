"""Who may take which step of the editors' workflow, read from the table in `articles.workflow`.

The services call `check` before every step; the admin asks `allowed_steps` which buttons to
show. Both read the same table, so a button is shown exactly when its service would agree.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied

from articles import workflow
from articles.models import ArticleVersion, Reviewer, VersionEvent


def is_active_staff(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def reviewer_for(user) -> Reviewer | None:
    """The clinician `user` approves as, if linked and credentialed."""
    try:
        reviewer = user.reviewer_profile
    except (AttributeError, Reviewer.DoesNotExist):
        return None
    return reviewer if reviewer.credentials.strip() else None


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


def has_role_for(user, name: str) -> bool:
    """Whether `user` holds the permissions the table gives some role for step `name`
    (and is a credentialed clinician, for a clinician's step), whatever the version."""
    step = workflow.step(name)
    if not is_active_staff(user):
        return False
    if not any(
        all(user.has_perm(f"articles.{codename}") for codename in codenames)
        for codenames in step.grants.values()
    ):
        return False
    return not step.clinician or reviewer_for(user) is not None


def check(user, name: str, version: ArticleVersion | None = None) -> None:
    """Raise PermissionDenied unless `user` may take step `name` (on `version`, if given).

    The version's state is the service's to check (a WorkflowError, not a refusal).
    """
    step = workflow.step(name)
    if not has_role_for(user, name):
        raise PermissionDenied(step.refused)
    if version is None:
        return
    if not step.by_author and self_approval_refused(user, version):
        raise PermissionDenied(
            f"You wrote or edited {version}; another medical reviewer must {step.label.lower()}."
        )
    if step.clinician and not listed(user, version):
        listed_names = ", ".join(str(r) for r in version.ordered_reviewers)
        raise PermissionDenied(
            f"{reviewer_for(user)} is not listed to review {version}; its reviewers are "
            f"{listed_names}."
        )


def listed(user, version: ArticleVersion) -> bool:
    """Whether `user`'s clinician is on the version's reviewer list (an empty list takes the
    first clinician who approves)."""
    reviewer = reviewer_for(user)
    reviewer_ids = [r.pk for r in version.ordered_reviewers]
    return reviewer is not None and (not reviewer_ids or reviewer.pk in reviewer_ids)


def signed(user, version: ArticleVersion) -> bool:
    """Whether `user`'s clinician has approved the version's current text already."""
    reviewer = reviewer_for(user)
    return (
        reviewer is not None
        and version.approvals.filter(reviewer=reviewer, text_sha256=version.text_sha256()).exists()
    )


def may(user, name: str, version: ArticleVersion | None = None) -> bool:
    """Whether `user` may take step `name` now (on `version` in its current state)."""
    step = workflow.step(name)
    if version is not None and version.state not in step.sources:
        return False
    try:
        check(user, name, version)
    except PermissionDenied:
        return False
    return not (version is not None and step.clinician and signed(user, version))


def allowed_steps(user, version: ArticleVersion) -> list[workflow.Step]:
    """The buttons `user` may press on `version` now, in the order they show."""
    return [step for step in workflow.buttons() if may(user, step.name, version)]


def can_edit(user) -> bool:
    return has_role_for(user, "edit")


def can_start_drafts(user) -> bool:
    return has_role_for(user, "new_draft")


def can_create_articles(user) -> bool:
    return has_role_for(user, "create_article")
