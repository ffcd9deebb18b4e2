"""Staff accounts in the admin: invite, reset a second factor, offboard, and the audit trail.

Every button calls a service in hartrehab.services, which checks the caller's permission again.
"""

import logging
import smtplib

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django_otp.plugins.otp_totp.models import TOTPDevice

from hartrehab import services
from hartrehab.forms import REVIEWER_LIST_ID, InviteStaffForm
from hartrehab.models import AccountEvent
from hartrehab.roles import may_invite_staff

logger = logging.getLogger("hartrehab.accounts")
User = get_user_model()
MAIL_FAILED = (
    "The email to {email} could not be sent (the mail server did not accept it). Try "
    "“Reset second factor and email a new set-up link” later."
)


def _send(request, user, url: str) -> bool:
    try:
        services.send_invitation(user, url)
    except (OSError, smtplib.SMTPException):
        logger.warning("invitation email for account %s failed", user.pk)
        messages.error(request, MAIL_FAILED.format(email=user.email))
        return False
    return True


class SecondFactorFilter(admin.SimpleListFilter):
    title = "second factor"
    parameter_name = "second_factor"

    def lookups(self, request, model_admin):
        return [("enrolled", "Enrolled"), ("not-enrolled", "Not enrolled")]

    def queryset(self, request, queryset):
        if self.value() == "enrolled":
            return queryset.filter(has_authenticator=True)
        if self.value() == "not-enrolled":
            return queryset.filter(has_authenticator=False)
        return queryset


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "is_staff",
        "is_active",
        "second_factor",
    ]
    list_filter = [SecondFactorFilter, "is_staff", "is_superuser", "is_active", "groups"]
    actions = ["offboard_selected", "reset_second_factor"]
    change_list_template = "admin/auth/user/staff_change_list.html"

    def get_queryset(self, request):
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_authenticator=Exists(confirmed))

    @admin.display(description="Second factor", boolean=True, ordering="has_authenticator")
    def second_factor(self, obj):
        return obj.has_authenticator

    def has_invite_permission(self, request) -> bool:
        return may_invite_staff(request.user)

    def get_urls(self):
        return [
            path(
                "invite/",
                self.admin_site.admin_view(self.invite_view),
                name="auth_user_invite",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_invite": may_invite_staff(request.user)}
        return super().changelist_view(request, extra_context)

    def invite_view(self, request):
        if not may_invite_staff(request.user):
            raise PermissionDenied
        form = InviteStaffForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                user, url = services.invite_staff(
                    form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    name=form.cleaned_data["name"],
                    reviewer=form.cleaned_data["reviewer"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            except PermissionDenied as error:
                form.add_error("reviewer", str(error))
            else:
                if _send(request, user, url):
                    messages.success(
                        request,
                        f"Invitation sent to {user.email}. The link works once, for "
                        f"{settings.STAFF_INVITE_HOURS} hours.",
                    )
                if self.has_view_or_change_permission(request, user):
                    return redirect("admin:auth_user_change", user.pk)
                return redirect("admin:auth_user_invite")
        from articles.services import unlinked_reviewer_names

        context = {
            **self.admin_site.each_context(request),
            "title": "Invite a staff member",
            "opts": self.opts,
            "form": form,
            "reviewer_names": unlinked_reviewer_names(),
            "reviewer_list_id": REVIEWER_LIST_ID,
        }
        status = 400 if form.is_bound and not form.is_valid() else 200
        return TemplateResponse(request, "admin/auth/user/invite.html", context, status=status)

    def save_model(self, request, obj, form, change):
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if deactivating and obj.pk == request.user.pk:
            obj.is_active = True
            deactivating = False
            messages.error(request, "You cannot deactivate your own account.")
        super().save_model(request, obj, form, change)
        if deactivating:
            ended = services.offboard(obj, by=request.user)
            messages.info(
                request,
                f"{obj.get_username()} is deactivated: {ended} session(s) ended, "
                "authenticator and recovery codes removed.",
            )

    @admin.action(description="Deactivate selected staff (end sessions, remove authenticators)")
    def offboard_selected(self, request, queryset):
        done = 0
        for user in queryset:
            if user.pk == request.user.pk:
                messages.error(request, "You cannot deactivate your own account.")
                continue
            services.offboard(user, by=request.user)
            done += 1
        if done:
            messages.success(request, f"{done} account(s) deactivated; their sessions ended.")

    @admin.action(
        description="Reset second factor and email a new set-up link",
        permissions=["invite"],
    )
    def reset_second_factor(self, request, queryset):
        done = 0
        for user in queryset:
            try:
                url = services.reset_second_factor(user, by=request.user)
            except PermissionDenied as error:
                messages.error(request, f"{user.get_username()}: {error}")
                continue
            except ValidationError as error:
                messages.error(request, f"{user.get_username()}: {' '.join(error.messages)}")
                continue
            done += _send(request, user, url)
        if done:
            messages.success(request, f"{done} new set-up link(s) sent.")


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    """The staff-account audit trail: superusers read it, nobody edits it."""

    list_display = ["at", "user", "action", "by", "detail"]
    list_filter = ["action"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user", "by"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
