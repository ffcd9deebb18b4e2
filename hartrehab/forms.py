"""Forms for staff accounts: inviting a person, and the person setting up their account."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm

from hartrehab.roles import ROLE_SLUGS

REVIEWER_LIST_ID = "reviewer-names"


class InviteStaffForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="The invitation goes here; it is also their username.",
    )
    name = forms.CharField(label="Full name", max_length=150, required=False)
    role = forms.ChoiceField(
        label="Role",
        choices=[(slug, group) for slug, group in ROLE_SLUGS.items()],
        widget=forms.RadioSelect,
    )
    reviewer = forms.CharField(
        label="Reviewer name and credentials",
        max_length=400,
        required=False,
        help_text=(
            "Medical reviewers only: as patients see them, e.g. “Ray Hamilton, DNP, PMHNP-BC, "
            "FNP-C”. Start typing to choose an existing reviewer; a new one is created."
        ),
        widget=forms.TextInput(attrs={"list": REVIEWER_LIST_ID, "autocomplete": "off"}),
    )


class AcceptInvitationForm(SetPasswordForm):
    """A new password (Django's validators) and the first code from the authenticator app."""

    code = forms.CharField(
        label="Code from the app",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        help_text="The 6-digit code the app shows for Hart Rehab now.",
    )
