"""The intake queue's figures shown on other admin pages (the admin index)."""

from django import template

from intake.models import ContactSubmission

register = template.Library()


@register.inclusion_tag("admin/intake/_quarantine.html", takes_context=True)
def intake_quarantine(context):
    """How many requests wait in quarantine, for people who may work the queue."""
    user = context["request"].user
    if not user.has_perm("intake.view_contactsubmission"):
        return {"show": False}
    return {"show": True, "quarantined": ContactSubmission.objects.quarantined().count()}
