"""Two Content Security Policies: a script-free one for patients, a working one for staff."""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


def staff_prefixes() -> tuple[str, ...]:
    """URL path prefixes of staff-only pages: the admin and settings.STAFF_URL_PREFIXES."""
    return (f"/{settings.ADMIN_PATH}", *settings.STAFF_URL_PREFIXES)


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, choosing STAFF_CONTENT_SECURITY_POLICY on staff paths.

    A view's own @csp/@csp_replace decorators still win over either default.
    """

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only or parts.config is not None:
            return parts
        if request.path_info.startswith(staff_prefixes()):
            parts.config = settings.STAFF_CONTENT_SECURITY_POLICY["DIRECTIVES"]
        return parts
