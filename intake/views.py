"""The patient's contact form and what follows it.

Every response here carries Cache-Control: no-store (never_cache), and the views are marked
sensitive so error reports carry none of the posted values.
"""

import logging
import re

from django.conf import settings
from django.db import DatabaseError, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_safe

from articles.models import Article
from intake import ratelimit
from intake.forms import ContactForm
from intake.formtoken import check_token, issue_token
from intake.models import ContactSubmission
from intake.phones import display_phone
from intake.services import create_submission
from intake.signals import contact_form_shown

logger = logging.getLogger(__name__)
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}")
# A call to action's position in its article, from 1 (CTA links carry it as `cta`).
CTA_POSITION = re.compile(r"[1-9][0-9]?")
# Bots fill every field; people never see this one (hidden by the .intake-hp class).
HONEYPOT = "website"
THANKS_KEY = "intake_thanks"
Method = ContactSubmission.ContactMethod


def source_article(slug: str) -> Article | None:
    """The published article a CTA named, or None for anything else (never an error)."""
    if not isinstance(slug, str) or not SLUG.fullmatch(slug):
        return None
    return Article.objects.published().filter(slug=slug).first()


def source_cta(value: str, source: Article | None) -> int | None:
    """The position of the call to action a link named, kept only with its article."""
    if source is None or not isinstance(value, str) or not CTA_POSITION.fullmatch(value):
        return None
    return int(value)


def _form_page(
    request, form, *, source, cta=None, token, status=200, unavailable=False, resend=False
):
    context = {
        "form": form,
        "source": source,
        "cta": cta,
        "form_token": token,
        "honeypot": HONEYPOT,
        "unavailable": unavailable,
        "resend": resend,
        "intake_response_time": settings.INTAKE_RESPONSE_TIME,
    }
    return render(request, "intake/contact_form.html", context, status=status)


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@transaction.non_atomic_requests  # the request is stored in a transaction of its own
@sensitive_variables()
def contact(request):
    if request.method == "POST":
        return _post(request)
    try:
        source = source_article(request.GET.get("source", ""))
    except DatabaseError as error:
        logger.error("intake: database unavailable for the contact form (%s)", type(error).__name__)
        source = None
    cta = source_cta(request.GET.get("cta", ""), source)
    contact_form_shown.send(sender=ContactForm, request=request, source=source, cta=cta)
    return _form_page(request, ContactForm(), source=source, cta=cta, token=issue_token())


@sensitive_variables()
def _post(request):
    form = ContactForm(request.POST)
    check = check_token(request.POST.get("form_token", ""))
    token = request.POST.get("form_token") if check.reusable else issue_token()
    source = cta = None
    try:
        decision = ratelimit.hit(request.META.get("REMOTE_ADDR", ""))
        if not decision.allowed:
            return _rate_limited(request, decision.retry_after)
        source = source_article(request.POST.get("source", ""))
        cta = source_cta(request.POST.get("cta", ""), source)
        if not form.is_valid():
            return _form_page(request, form, source=source, cta=cta, token=token, status=400)
        honeypot_filled = bool(request.POST.get(HONEYPOT))
        if check.problem and not honeypot_filled:
            # Sent very fast (autofill and one tap) or from a page left open too long: a
            # person is as likely as a bot, so nothing is stored and the form comes back with
            # everything kept, to be sent again. Only the hidden field quarantines.
            return _form_page(
                request, form, source=source, cta=cta, token=token, status=400, resend=True
            )
        submission, _ = create_submission(
            data=form.cleaned_data,
            source=source,
            cta=cta,
            idempotency_key=check.idempotency_key,
            consent_version=check.consent_version,
            spam_reason="hidden field filled" if honeypot_filled else "",
        )
    except DatabaseError as error:
        # The class name only: database messages can quote the row being written.
        logger.error("intake: a request could not be stored (%s)", type(error).__name__)
        return _form_page(
            request, form, source=source, cta=cta, token=token, status=503, unavailable=True
        )
    # For the thanks page's first showing only (never the URL): how we will reach them, so a
    # typo can be caught, and the reference to quote.
    request.session[THANKS_KEY] = {
        "method": submission.preferred_contact,
        "contact": (
            submission.email
            if submission.preferred_contact == Method.EMAIL
            else display_phone(submission.phone)
        ),
        "reference": submission.reference,
    }
    return HttpResponseRedirect(reverse("intake:thanks"), status=303)


def _rate_limited(request, retry_after: int):
    minutes = max(1, -(-retry_after // 60))
    response = render(request, "intake/rate_limited.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


@never_cache
@require_safe
def thanks(request):
    sent = None
    # The session is opened only if the browser has one: a plain visit sets no cookie and
    # does not vary by one.
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        sent = request.session.pop(THANKS_KEY, None)
        if not request.session.keys():
            request.session.flush()  # nothing else in it: the cookie is deleted
    context = {"intake_response_time": settings.INTAKE_RESPONSE_TIME, "sent": sent}
    return render(request, "intake/thanks.html", context)
