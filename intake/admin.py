"""The intake staff's queue, in the Django admin.

What a patient wrote is read-only; staff change only status and assignment, add notes, and
export with their own permission. Every page that shows a request (its page, whether or not a
posted change was valid, and its history), every change, export and search is audited; a
search without what was searched for.
"""

import re

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from intake import services
from intake.forms import EraseForm
from intake.models import (
    REFERENCE_LENGTH,
    AuditEvent,
    ContactAttempt,
    ContactSubmission,
    SubmissionNote,
    fold,
)
from intake.phones import as_e164, display_phone
from intake.roles import assignees
from intake.waiting import overdue_before, waited

Status = ContactSubmission.Status
Method = ContactSubmission.ContactMethod
# Part of a phone number as staff type it: digits and the usual separators, at least 4 digits.
PHONE_FRAGMENT = re.compile(r"[\d\s().+-]+")
PHONE_FRAGMENT_DIGITS = 4
LINK_SCHEMES = {Method.PHONE: "tel", Method.TEXT: "sms", Method.EMAIL: "mailto"}
VERBS = {Method.PHONE: "Call", Method.TEXT: "Text", Method.EMAIL: "Email"}


def reach_link(submission: ContactSubmission) -> str:
    """The preferred way to reach the patient as one tap: tel:, sms: or mailto:."""
    method = submission.preferred_contact
    detail = submission.email if method == Method.EMAIL else submission.phone
    shown = detail if method == Method.EMAIL else display_phone(detail)
    return format_html(
        '<a href="{}:{}">{} {}</a>', LINK_SCHEMES[method], detail, VERBS[method], shown
    )


def waited_label(submission: ContactSubmission, *, cutoff) -> str:
    label = waited(submission.created_at)
    if submission.status in ContactSubmission.OPEN_STATUSES and submission.created_at < cutoff:
        return format_html('{} <strong class="intake-overdue">overdue</strong>', label)
    return label


def source_title(submission: ContactSubmission) -> str | None:
    article = submission.source
    if article is None:
        return None
    return article.published_version.title if article.published_version else article.slug


def source_label(submission: ContactSubmission) -> str:
    """The source article and which of its calls to action the patient followed."""
    title = source_title(submission)
    if title is None:
        return "None"
    if submission.source_cta:
        return f"{title} (call to action {submission.source_cta})"
    return title


def timeline(submission: ContactSubmission) -> list[dict]:
    """Contact attempts and notes, oldest first, as one story of the request."""
    entries = [
        {
            "at": attempt.created_at,
            "who": attempt.author,
            "what": f"{attempt.get_method_display()}: {attempt.get_outcome_display()}",
            "text": attempt.note,
        }
        for attempt in submission.attempts.select_related("author")
    ]
    entries += [
        {"at": note.created_at, "who": note.author, "what": "Note", "text": note.text}
        for note in submission.notes.select_related("author")
    ]
    return sorted(entries, key=lambda entry: entry["at"])


class AssignedFilter(admin.SimpleListFilter):
    title = "assigned"
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("mine", "Mine"), ("nobody", "Unassigned")]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "nobody":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = "waiting"
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.overdue(before=overdue_before())
        return queryset


class SubmissionNoteInline(admin.TabularInline):
    model = SubmissionNote
    fields = ["text", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    extra = 1
    can_delete = False

    def has_change_permission(self, request, obj=None):
        # Saved notes are shown read-only: a note is never edited after saving.
        return False


class ContactAttemptInline(admin.TabularInline):
    """Record a call, text or email in one step: method, outcome, optional note."""

    model = ContactAttempt
    fields = ["method", "outcome", "note", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    extra = 1
    can_delete = False
    verbose_name = "contact attempt"
    verbose_name_plural = "Contact attempts: record a call, text or email"

    def has_change_permission(self, request, obj=None):
        return False  # an attempt is the record of what happened


def _status_action(status: str, description: str):
    @admin.action(description=description, permissions=["change"])
    def action(modeladmin, request, queryset):
        changed = sum(
            services.set_status(submission, status=status, by=request.user)
            for submission in queryset
        )
        modeladmin.message_user(request, f"{changed} request(s) marked {status.replace('_', ' ')}.")

    action.__name__ = f"mark_{status}"
    return action


@admin.register(ContactSubmission)
class ContactSubmissionAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "how_to_reach",
        "best_time",
        "waited",
        "status",
        "assigned_to",
        "source_article",
    ]
    list_display_links = ["name"]
    list_filter = [
        AssignedFilter,
        OverdueFilter,
        "status",
        ("source", admin.RelatedOnlyFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["source__published_version", "assigned_to"]
    # Oldest open request first, then the rest oldest first (index intake_worklist_order).
    ordering = ["open_rank", "created_at", "id"]
    # Django's "view on site" would open this same admin page: a request has no public page.
    view_on_site = False

    class Media:
        css = {"all": ["intake/worklist.css"]}

    # name_search is the name folded (no case, no accents); the term is folded the same way.
    search_fields = ["name_search", "email"]
    search_help_text = "Search by name, email, phone number or reference."
    # No date_hierarchy: on a queue of 100,000 it scans the table for its year links and its
    # MIN/MAX can pick a plan that walks the whole date index on a search (docs/BENCHMARKS.md);
    # the "By created at" filter covers today, the past 7 days, this month and this year.
    fields = [
        "status",
        "assigned_to",
        "name",
        "phone",
        "email",
        "preferred_contact",
        "best_time",
        "message",
        "source",
        "source_cta",
        "created_at",
        "consent_given_at",
        "consent_version",
        "notified_at",
        "spam_reason",
    ]
    readonly_fields = fields[2:]
    inlines = [ContactAttemptInline, SubmissionNoteInline]
    actions = [
        _status_action(Status.IN_PROGRESS, "Mark selected requests in progress"),
        _status_action(Status.CONTACTED, "Mark selected requests contacted"),
        _status_action(Status.CLOSED, "Mark selected requests closed"),
        _status_action(Status.SPAM, "Mark selected requests as spam"),
        "not_spam",
        "assign_to_me",
        "export_csv",
    ]

    @admin.display(description="How to reach them")
    def how_to_reach(self, submission):
        return reach_link(submission)

    @admin.display(description="Waited", ordering="created_at")
    def waited(self, submission):
        # Computed per row (a few date steps): the admin object is shared between requests.
        return waited_label(submission, cutoff=overdue_before())

    @admin.display(description="Source article", ordering="source")
    def source_article(self, submission):
        return source_title(submission)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            kwargs["queryset"] = assignees()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return False  # requests come only from the form

    def has_delete_permission(self, request, obj=None):
        return False  # deleting is purge_submissions' job, which is audited

    def has_export_permission(self, request):
        return request.user.has_perm("intake.export_contactsubmission")

    def has_erase_permission(self, request):
        return request.user.has_perm("intake.erase_contactsubmission")

    def get_urls(self):
        erase = path(
            "<path:object_id>/erase/",
            self.admin_site.admin_view(self.erase_view),
            name="intake_contactsubmission_erase",
        )
        return [erase, *super().get_urls()]

    def get_search_results(self, request, queryset, search_term):
        results, distinct = super().get_search_results(request, queryset, fold(search_term))
        phone = as_e164(search_term)
        if phone:
            results |= queryset.filter(phone=phone)
        digits = re.sub(r"\D", "", search_term)
        if PHONE_FRAGMENT.fullmatch(search_term.strip()) and len(digits) >= PHONE_FRAGMENT_DIGITS:
            # icontains: UPPER(phone) LIKE .., which the trigram index on phone serves.
            results |= queryset.filter(phone__icontains=digits)  # the end of a number: 555-0143
        reference = search_term.strip().upper()
        if len(reference) == REFERENCE_LENGTH:
            results |= queryset.filter(reference=reference)
        return results, distinct

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "quarantined": ContactSubmission.objects.quarantined().count(),
        }
        response = super().changelist_view(request, extra_context)
        if request.GET.get(SEARCH_VAR, "").strip() and response.status_code == 200:
            services.record_search(by=request.user)
        return response

    @method_decorator(sensitive_post_parameters())  # staff notes can hold health information
    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_erase": self.has_erase_permission(request)}
        submission = self.get_object(request, unquote(object_id))
        if submission is not None:
            extra_context["facts"] = [
                ("Name", submission.name),
                ("How to reach them", reach_link(submission)),
                ("Best time", submission.get_best_time_display() or "Any time"),
                ("Waited", waited_label(submission, cutoff=overdue_before())),
                ("Status", submission.get_status_display()),
                ("Assigned", submission.assigned_to or "Nobody"),
                ("Source article", source_label(submission)),
                ("Reference", submission.reference),
            ]
            extra_context["timeline"] = timeline(submission)
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Every showing of a request is a read, whatever the method and whether a posted form
        # was valid; a valid change redirects instead, and is audited as that change.
        if obj is not None:
            services.record_view(obj, by=request.user)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        submission = self.get_object(request, unquote(object_id))
        if submission is not None and response.status_code == 200:
            services.record_view(submission, by=request.user, detail="history")
        return response

    def save_model(self, request, obj, form, change):
        current = ContactSubmission.objects.get(pk=obj.pk)
        services.update_submission(
            current,
            status=form.cleaned_data["status"],
            assigned_to=form.cleaned_data["assigned_to"],
            by=request.user,
        )

    def save_formset(self, request, form, formset, change):
        for row in formset.save(commit=False):
            if row.pk is not None:
                continue
            if isinstance(row, ContactAttempt):
                services.record_attempt(
                    form.instance,
                    method=row.method,
                    outcome=row.outcome,
                    note=row.note,
                    by=request.user,
                )
            else:
                services.add_note(form.instance, text=row.text, by=request.user)

    @method_decorator(require_http_methods(["GET", "POST"]))
    def erase_view(self, request, object_id):
        """Erase one request and its notes when the patient asks, after a confirmation."""
        if not self.has_erase_permission(request):
            raise PermissionDenied
        submission = self.get_object(request, unquote(object_id))
        if submission is None:
            raise Http404("No contact request has that number.")
        form = EraseForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            number = services.erase_submission(
                submission, reason=form.cleaned_data["reason"], by=request.user
            )
            self.message_user(
                request, f"Request #{number} and its notes were erased.", messages.SUCCESS
            )
            return redirect("admin:intake_contactsubmission_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": submission,
            "form": form,
            "title": f"Erase request #{submission.pk}?",
        }
        template = "admin/intake/contactsubmission/erase.html"
        return TemplateResponse(request, template, context, status=400 if form.errors else 200)

    @admin.action(description="Not spam: move to new and tell staff", permissions=["change"])
    def not_spam(self, request, queryset):
        released = sum(
            services.release_from_quarantine(submission, by=request.user)
            for submission in queryset.quarantined()
        )
        self.message_user(request, f"{released} request(s) moved from quarantine to new.")

    @admin.action(description="Assign selected requests to me", permissions=["change"])
    def assign_to_me(self, request, queryset):
        changed = sum(
            services.assign(submission, to=request.user, by=request.user) for submission in queryset
        )
        self.message_user(request, f"{changed} request(s) assigned to you.")

    @admin.action(description="Export selected requests as CSV", permissions=["export"])
    def export_csv(self, request, queryset):
        body = services.export_csv(
            queryset.select_related("source", "assigned_to").order_by("pk"), by=request.user
        )
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="intake-requests-{stamp}.csv"'
        response["Cache-Control"] = "no-store"
        return response


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_name", "action", "submission_number", "detail"]
    list_filter = ["action", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["actor_name"]
    search_help_text = "Search by username, or by request number."

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().lstrip("#")
        if term.isdigit():
            return queryset.filter(submission_number=int(term)), False
        return super().get_search_results(request, queryset, search_term)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
