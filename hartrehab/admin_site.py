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
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.admin import OTPAdminSite
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

NO_DEVICE = (
    "No authenticator app is enrolled for this account. Ask an administrator to reset your "
    "second factor: you will get an email with a new set-up link."
)
SEVERAL_DEVICES = (
    "This account has more than one authenticator. Ask an administrator to reset your "
    "second factor: you will get an email with a new set-up link."
)
# Apps whose models are account security; superusers see them under one "Security" heading.
SECURITY_APP_LABELS = ("hartrehab", "otp_totp", "otp_static", "axes")
SECURITY = "Security"


class StaffLoginForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    """Username, password and the current code from the user's one authenticator app."""

    otp_token = forms.CharField(
        label="Authentication code",
        required=False,  # the mixin asks for it by name once the password is right
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        help_text=(
            "The 6-digit code your authenticator app shows for Hart Rehab, or one of your "
            "recovery codes."
        ),
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
            self._require_one_authenticator(user)
            try:
                self._clean_second_factor(user)
            except forms.ValidationError:
                # Missing, wrong, expired or throttled: one answer, and a failed login.
                self._count_as_failed_login()
                raise self.get_invalid_login_error() from None
        return cleaned_data

    def _require_one_authenticator(self, user) -> None:
        count = TOTPDevice.objects.devices_for_user(user, confirmed=True).count()
        if not count:
            raise forms.ValidationError(NO_DEVICE, code="no_device")
        if count > 1:
            raise forms.ValidationError(SEVERAL_DEVICES, code="several_devices")

    def _clean_second_factor(self, user) -> None:
        """The authenticator's current code or an unused recovery code (hartrehab.second_factor)."""
        from hartrehab import second_factor, services

        token = self.cleaned_data.get("otp_token")
        if not token:
            raise forms.ValidationError(
                self.otp_error_messages["token_required"], code="token_required"
            )
        device = second_factor.verify_code(user, token)
        if device is None:
            raise forms.ValidationError(
                self.otp_error_messages["invalid_token"], code="invalid_token"
            )
        if second_factor.is_recovery_device(device):
            services.record_recovery_code_use(user)
        user.otp_device = device  # django_otp stores it in the session at login

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
        from hartrehab.account_views import accept_invitation

        # Replaces Django's "view on site" shortcut (same URL and name), which redirects any
        # staff user to any object's page: an unpublished article's address, or a request's.
        view_on_site = path(
            "r/<int:content_type_id>/<path:object_id>/",
            self.admin_view(self.view_on_site),
            name="view_on_site",
        )
        return [
            view_on_site,
            # Opened from the invitation email, before the person can log in.
            path("account/set-up/", accept_invitation, name="accept_invitation"),
            path("security/", self.admin_view(self.security_index), name="security"),
            *super().get_urls(),
        ]

    def get_app_list(self, request, app_label=None):
        """Readable headings: account security models under one "Security" heading."""
        app_list = super().get_app_list(request, app_label)
        if app_label is not None:
            return app_list
        others = [app for app in app_list if app["app_label"] not in SECURITY_APP_LABELS]
        security = self._security_app(request, app_list)
        return sorted([*others, security], key=lambda a: a["name"].lower()) if security else others

    def _security_app(self, request, app_list) -> dict | None:
        if not request.user.is_superuser:
            return None
        models = [
            model
            for app in app_list
            if app["app_label"] in SECURITY_APP_LABELS
            for model in app["models"]
        ]
        if not models:
            return None
        return {
            "name": SECURITY,
            "app_label": "security",
            "app_url": reverse("admin:security", current_app=self.name),
            "has_module_perms": True,
            "models": sorted(models, key=lambda m: m["name"]),
        }

    def security_index(self, request):
        security = self._security_app(request, super().get_app_list(request))
        if security is None:
            raise PermissionDenied
        context = {
            **self.each_context(request),
            "title": SECURITY,
            "subtitle": None,
            "app_list": [security],
            "app_label": "security",
        }
        return TemplateResponse(request, "admin/app_index.html", context)

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
