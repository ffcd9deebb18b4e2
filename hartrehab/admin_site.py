"""The staff admin: password plus a TOTP code on one login form, for every staff user.

Staff can read health information, so no admin page opens without a second factor in the
session (django-otp's OTPAdminSite). A missing or wrong code is answered and counted by
django-axes exactly like a wrong password, so the page never tells whether the password was
right.
"""

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.utils import unquote
from django.contrib.auth.signals import user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import devices_for_user
from django_otp.admin import OTPAdminSite
from django_otp.forms import OTPAuthenticationFormMixin

NO_DEVICE = (
    "No authenticator app is enrolled for this account. Ask an administrator to run "
    "`manage.py enrol_totp` for you."
)
SEVERAL_DEVICES = (
    "This account has more than one authenticator. Ask an administrator to run "
    "`manage.py enrol_totp --replace` for you."
)


class StaffLoginForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    """Username, password and the current code from the user's one authenticator app."""

    otp_token = forms.CharField(
        label="Authentication code",
        required=False,  # the mixin asks for it by name once the password is right
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        help_text="The 6-digit code your authenticator app shows for Hart Rehab.",
    )
    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": (
            "The username, password or authentication code is wrong, or the code has expired. "
            "Enter all three again; the password is case-sensitive."
        ),
    }

    def clean(self):
        cleaned_data = super().clean()
        user = self.get_user()
        if user is not None:
            cleaned_data["otp_device"] = self._only_device_id(user)
            try:
                self.clean_otp(user)
            except forms.ValidationError:
                # Missing, wrong, expired or throttled: one answer, and a failed login.
                self._count_as_failed_login()
                raise self.get_invalid_login_error() from None
        return cleaned_data

    def _update_form(self, user) -> None:
        # django-otp would send the password back in the page after a right password with a
        # wrong code, which shows the password was right (and puts it in the HTML).
        pass

    def _only_device_id(self, user) -> str:
        devices = list(devices_for_user(user))
        if not devices:
            raise forms.ValidationError(NO_DEVICE, code="no_device")
        if len(devices) > 1:
            raise forms.ValidationError(SEVERAL_DEVICES, code="several_devices")
        return devices[0].persistent_id

    def _count_as_failed_login(self) -> None:
        user_login_failed.send(
            sender=__name__,
            credentials={"username": self.cleaned_data.get("username")},
            request=self.request,
        )


class StaffAdminSite(OTPAdminSite):
    """`admin.site` for this project (see hartrehab.apps.StaffAdminConfig)."""

    site_header = "Hart Rehab staff"
    site_title = "Hart Rehab staff"
    index_title = "Staff administration"
    login_form = StaffLoginForm
    login_template = "admin/staff_login.html"

    def __init__(self, name: str = "admin"):
        super().__init__(name)

    @method_decorator(sensitive_post_parameters())
    def login(self, request, extra_context=None):
        return super().login(request, extra_context)

    def get_urls(self):
        # Replaces Django's "view on site" shortcut (same URL and name), which redirects any
        # staff user to any object's page: an unpublished article's address, or a request's.
        view_on_site = path(
            "r/<int:content_type_id>/<path:object_id>/",
            self.admin_view(self.view_on_site),
            name="view_on_site",
        )
        return [view_on_site, *super().get_urls()]

    def view_on_site(self, request, content_type_id, object_id):
        """Redirect to an object's page if the user may see it in the admin and the admin
        offers it a page; the same 404 whether it exists or not."""
        content_type = ContentType.objects.filter(pk=content_type_id).first()
        model_admin = self._registry.get(content_type.model_class()) if content_type else None
        obj = None
        if model_admin is not None and model_admin.has_view_or_change_permission(request):
            obj = model_admin.get_object(request, unquote(object_id))
        if (
            obj is None
            or not model_admin.has_view_or_change_permission(request, obj)
            or model_admin.get_view_on_site_url(obj) is None
        ):
            raise Http404("No page to show.")
        return shortcut(request, content_type_id, object_id)


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login (AXES_LOCKOUT_CALLABLE): 429, plain words."""
    from django.contrib import admin

    context = {
        **admin.site.each_context(request),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "admin/locked_out.html", context, status=429)


def client_ip(request) -> str | None:
    """The address django-axes locks out: REMOTE_ADDR unless settings.TRUSTED_PROXY_COUNT > 0.

    Each trusted proxy appends the address it was reached from to X-Forwarded-For, so with N of
    them the Nth entry from the right is the client; anything left of it may be forged.
    """
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [address for address in forwarded if address]
    if count > 0 and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
