"""Email about the editors' workflow: what waits for whom, what came back, what went live.

One function per mail, each taking only ids: the worker runs it (articles/tasks.py) after the
step's transaction stored it, and review_report --notify calls it from cron. A mail
names the article's title, the version number and a link to its staff page — nothing else
(a returned draft's mail also carries the reviewer's reason). Each recipient gets their own
mail, so no one sees who else was told. A failure is logged by its class name and never
undoes the step.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from articles.models import ArticleVersion, Reviewer, VersionEvent

logger = logging.getLogger(__name__)


def staff_link(version: ArticleVersion) -> str:
    return settings.SITE_URL + reverse("admin:articles_articleversion_change", args=[version.pk])


def _version(version_id: int) -> ArticleVersion:
    return ArticleVersion.objects.select_related("article", "created_by").get(pk=version_id)


def _emails(users) -> list[str]:
    seen: list[str] = []
    for user in users:
        email = (getattr(user, "email", "") or "").strip()
        if user is not None and user.is_active and email and email not in seen:
            seen.append(email)
    return seen


def _reviewer_users(version: ArticleVersion) -> list:
    """The accounts of the clinicians listed on `version` (or, listing none, of every
    clinician who could approve it)."""
    reviewers = version.ordered_reviewers or Reviewer.objects.filter(user__isnull=False).exclude(
        credentials=""
    )
    return [reviewer.user for reviewer in reviewers if reviewer.user_id]


def _send(subject: str, lines: list[str], recipients: list[str], what: str) -> int:
    sent = 0
    for recipient in recipients:
        try:
            send_mail(
                subject=subject,
                message="\n".join(lines) + "\n",
                from_email=settings.ARTICLES_NOTIFY_FROM,
                recipient_list=[recipient],
            )
        except Exception as error:  # noqa: BLE001 - a mail failure never undoes the step
            logger.error("articles: %s email failed (%s)", what, type(error).__name__)
            continue
        sent += 1
    logger.info("articles: %s email sent to %s recipient(s)", what, sent)
    return sent


def _about(version: ArticleVersion) -> list[str]:
    return [
        f"Article: {version.title}",
        f"Version: {version.number}",
        f"Staff page: {staff_link(version)}",
    ]


def send_submitted(version_id: int) -> int:
    """To each listed reviewer: a version waits for their review."""
    version = _version(version_id)
    return _send(
        f"Waiting for your review: {version.title} (version {version.number})",
        _about(version),
        _emails(_reviewer_users(version)),
        "submitted",
    )


def send_returned(version_id: int) -> int:
    """To the author: their version came back to draft, and why."""
    version = _version(version_id)
    returned = version.events.filter(action=VersionEvent.Action.RETURNED).last()
    reason = returned.note if returned else ""
    return _send(
        f"Returned to you: {version.title} (version {version.number})",
        [*_about(version), f"Reason: {reason}"],
        _emails([version.created_by]),
        "returned",
    )


def send_published(version_id: int) -> int:
    """To the author and the reviewers: the version is what patients see now."""
    version = _version(version_id)
    users = [version.created_by, *_reviewer_users(version)] if not version.from_file else []
    return _send(
        f"Published: {version.title} (version {version.number})",
        _about(version),
        _emails(users),
        "published",
    )


def send_review_due(reviewer_id: int, version_ids: list[int], today: datetime.date) -> int:
    """To one reviewer: the published articles whose review is due soon or overdue."""
    reviewer = Reviewer.objects.select_related("user").get(pk=reviewer_id)
    versions = ArticleVersion.objects.select_related("article").filter(pk__in=version_ids)
    lines = []
    for version in sorted(versions, key=lambda v: (v.next_review_due, v.article.slug)):
        due = version.next_review_due
        when = "overdue since" if due < today else "due"
        lines += [*_about(version), f"Review {when}: {due.isoformat()}", ""]
    return _send(
        f"Reviews due: {len(lines) // 5} article(s)",
        lines[:-1],
        _emails([reviewer.user]),
        "review due",
    )
