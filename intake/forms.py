"""The patient's contact form: every rule has a message that names its field."""

import unicodedata

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError

from intake.consent import CONSENT_TEXT
from intake.models import MESSAGE_MAX_LENGTH, ContactSubmission
from intake.services import EraseReason

Method = ContactSubmission.ContactMethod
# Joiners are letters' glue in Persian, Hindi and other scripts; other format characters
# (bidi overrides, zero-width spaces) only hide or reorder text.
ALLOWED_FORMAT_CHARACTERS = {"\u200c", "\u200d"}
LINE_BREAKS = {"\n", "\r"}


def has_control_characters(value: str, *, allow: set[str] = frozenset()) -> bool:
    return any(
        char not in allow
        and char not in ALLOWED_FORMAT_CHARACTERS
        and unicodedata.category(char) in {"Cc", "Cf"}
        for char in value
    )


class NoControlCharactersMixin:
    """Rejects control characters in what was typed (checked before any stripping)."""

    allowed_controls: set[str] = set()

    def __init__(self, *, control_message: str, **kwargs):
        self.control_message = control_message
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str) and has_control_characters(value, allow=self.allowed_controls):
            raise ValidationError(self.control_message, code="control_characters")
        value = super().to_python(value)
        return unicodedata.normalize("NFC", value) if value else value


class PlainTextField(NoControlCharactersMixin, forms.CharField):
    """One line of text (a name, a best time to call) with no control characters."""


class MessageField(NoControlCharactersMixin, forms.CharField):
    """Multi-line text: line breaks and tabs allowed, counted as one character each."""

    allowed_controls = LINE_BREAKS | {"\t"}

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return super().to_python(value)


class PlainEmailField(NoControlCharactersMixin, forms.EmailField):
    """An email address with no control characters (EmailField alone lets some through)."""


# Stated once above the phone and email fields; each of them points at it.
EITHER_OR_ID = "contact-either-or"
EITHER_OR_FIELDS = {"phone", "email"}


class ContactBoundField(forms.BoundField):
    @property
    def aria_describedby(self):
        ids = super().aria_describedby or ""
        if self.name in EITHER_OR_FIELDS:
            ids = f"{EITHER_OR_ID} {ids}".strip()
        return ids


class ContactForm(forms.Form):
    bound_field_class = ContactBoundField
    either_or_id = EITHER_OR_ID
    either_or_rule = "Give us a phone number, an email address or both."
    name = PlainTextField(
        label="Your name",
        max_length=100,
        control_message="Your name must not contain line breaks or control characters",
        error_messages={
            "required": "Enter your name",
            "max_length": "Your name must be 100 characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    preferred_contact = forms.ChoiceField(
        label="How should we contact you?",
        choices=Method.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how you would like us to contact you",
            "invalid_choice": "Choose phone call, text message or email",
        },
    )
    phone = PlainTextField(
        label="Phone number",
        help_text="Needed if you would like a call or a text. For example, 202-555-0143.",
        required=False,
        max_length=30,
        control_message="Your phone number must not contain line breaks or control characters",
        error_messages={"max_length": "Enter a phone number, like 202-555-0143"},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = PlainEmailField(
        label="Email address",
        help_text="Needed if you would like us to email you.",
        required=False,
        max_length=254,
        control_message="Your email address must not contain line breaks or control characters",
        error_messages={
            "invalid": "Enter an email address in the right format, like name@example.com",
            "max_length": "Your email address must be 254 characters or fewer",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    best_time = forms.ChoiceField(
        label="Best time to reach you (optional)",
        choices=[("", "Any time"), *ContactSubmission.BestTime.choices],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a time of day from the list"},
    )
    message = MessageField(
        label="Anything you would like us to know (optional)",
        help_text="You do not have to tell us anything about your health here. "
        f"At most {MESSAGE_MAX_LENGTH:,} characters.",
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        control_message="Your message must not contain control characters",
        error_messages={
            "max_length": f"Your message must be {MESSAGE_MAX_LENGTH:,} characters or fewer"
        },
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        # The template writes this hint with a link to /privacy/; the text here makes Django
        # point aria-describedby at it.
        help_text="Our privacy notice says what we keep, who can see it and for how long.",
        error_messages={"required": "Tick the box to agree that we may contact you"},
    )

    def error_summary(self) -> list[tuple[str, str]]:
        """(element id, message) for the summary at the top; radios link to their first one."""
        items = []
        for field in self:
            target = f"{field.auto_id}_0" if field.field.widget.use_fieldset else field.auto_id
            items.extend((target, str(error)) for error in field.errors)
        return items

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        try:
            number = phonenumbers.parse(raw, "US")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise ValidationError("Enter a phone number, like 202-555-0143", code="invalid")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean(self):
        data = super().clean()
        method = data.get("preferred_contact")
        phone, email = data.get("phone"), data.get("email")
        if "phone" in self.errors or "email" in self.errors:
            return data
        if method == Method.EMAIL and not email:
            self.add_error("email", "Enter your email address, or choose a call or a text")
        elif method in {Method.PHONE, Method.TEXT} and not phone:
            self.add_error("phone", "Enter your phone number, or choose email")
        elif not phone and not email:
            self.add_error("phone", "Enter a phone number or an email address")
        return data


class EraseForm(forms.Form):
    """Staff's reason for erasing one request early (intake admin)."""

    reason = forms.ChoiceField(
        label="Why is this request being erased?",
        choices=EraseReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why this request is being erased."},
    )
