"""The admin index's panels: what waits for each person in the editors' workflow."""

from django import template

from articles import permissions
from articles.models import ArticleVersion, VersionEvent

register = template.Library()


@register.inclusion_tag("admin/articles/_inbox.html")
def review_inbox(user) -> dict:
    """ "Waiting for your review" for clinicians; "Returned to you" and "Your drafts" for
    editors. Each lists only what this person must act on."""
    context = {"show_waiting": False, "show_drafts": False}
    if permissions.has_role_for(user, "approve"):
        reviewer = permissions.reviewer_for(user)
        waiting = ArticleVersion.objects.awaiting_approval_by(reviewer)
        context["show_waiting"] = True
        context["waiting"] = [
            v
            for v in waiting
            if not permissions.self_approval_refused(user, v) and not permissions.signed(user, v)
        ]
    if permissions.has_role_for(user, "edit"):
        drafts = list(ArticleVersion.objects.drafts_of(user).order_by("-last_at", "-pk"))
        returned = VersionEvent.Action.RETURNED
        context["show_drafts"] = True
        context["returned"] = [v for v in drafts if v.last_action == returned]
        context["drafts"] = [v for v in drafts if v.last_action != returned]
    return context
