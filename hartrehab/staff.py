"""Who counts as staff, and the guard for staff-only URLs outside the admin.

The admin enforces the same rule through StaffAdminSite.has_permission; this middleware covers
every other prefix in settings.STAFF_URL_PREFIXES (markdownx's preview and upload views have
no login check of their own).
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseForbidden


def is_verified_staff(user) -> bool:
    """An active staff user who has passed a second factor in this session."""
    return bool(user.is_authenticated and user.is_active and user.is_staff and user.is_verified())


class StaffOnlyMiddleware:
    """Sends anyone but verified staff on STAFF_URL_PREFIXES to the admin login (GET) or a 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(tuple(settings.STAFF_URL_PREFIXES)) and not (
            is_verified_staff(request.user)
        ):
            if request.method in ("GET", "HEAD"):
                return redirect_to_login(request.get_full_path())
            return HttpResponseForbidden("Staff only: log in with your second factor first.")
        return self.get_response(request)
