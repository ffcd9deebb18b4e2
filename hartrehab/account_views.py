"""The page an invited person opens from their email to set up their staff account.

It is reached before any login, so the signed token in the link is the only credential: the
page is never cached, sends no Referer onward, and a used, expired or forged link changes
nothing (410 or 404).
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from hartrehab import second_factor, services
from hartrehab.forms import AcceptInvitationForm
from hartrehab.invitations import (
    TOKEN_PARAMETER,
    InvalidInvitation,
    UsedInvitation,
    user_for_token,
)


def _private(response):
    response["Referrer-Policy"] = "no-referrer"
    return response


# No CSRF check: the signed token in the URL is the credential, so a page that could forge this
# post would need the token, and with it could open the page itself. And under
# Referrer-Policy: no-referrer browsers send "Origin: null", which Django's check refuses.
@csrf_exempt
@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request):
    context = admin.site.each_context(request)
    try:
        user = user_for_token(request.GET.get(TOKEN_PARAMETER, ""))
    except InvalidInvitation:
        return _private(render(request, "admin/invitation_unusable.html", context, status=404))
    except UsedInvitation:
        context["used"] = True
        return _private(render(request, "admin/invitation_unusable.html", context, status=410))
    device = second_factor.pending_totp_device(user)
    form = AcceptInvitationForm(user, request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            codes = services.accept_invitation(
                user,
                password=form.cleaned_data["new_password1"],
                device=device,
                code=form.cleaned_data["code"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            context.update(title="Your account is ready", codes=codes, account=user)
            return _private(render(request, "admin/invitation_done.html", context))
    context.update(
        title="Set up your staff account",
        form=form,
        account=user,
        qr_svg=second_factor.qr_svg(device),
        manual_key=second_factor.manual_key(device),
    )
    status = 400 if form.is_bound else 200
    return _private(render(request, "admin/invitation_accept.html", context, status=status))
