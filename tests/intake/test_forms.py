import pytest

from intake.forms import ContactForm
from tests.factories import contact_data


def errors_for(**overrides) -> dict[str, list[str]]:
    form = ContactForm(contact_data(**overrides))
    form.is_valid()
    return {name: list(messages) for name, messages in form.errors.items()}


def test_valid_data_is_accepted_and_phone_stored_as_e164():
    form = ContactForm(contact_data(phone="(202) 555-0143"))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == "+12025550143"


@pytest.mark.parametrize(
    "name",
    ["José Núñez", "李小龍", "Zoë O’Brien-Smith", "محمد‌رضا", "Ольга Петрова", "A"],
)
def test_unicode_names_are_accepted(name):
    form = ContactForm(contact_data(name=name))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == name


def test_name_is_normalized_to_nfc():
    form = ContactForm(contact_data(name="Jose\u0301"))

    assert form.is_valid()
    assert form.cleaned_data["name"] == "Jos\u00e9"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Enter your name"),
        ({"name": "   "}, "name", "Enter your name"),
        ({"name": "x" * 101}, "name", "Your name must be 100 characters or fewer"),
        ({"name": "Jo\x00rdan"}, "name", "Your name must not contain line breaks or control"),
        ({"name": "Jordan\u202eevil"}, "name", "Your name must not contain line breaks or control"),
        ({"phone": "12345"}, "phone", "Enter a phone number, like 202-555-0143"),
        ({"phone": "call me"}, "phone", "Enter a phone number, like 202-555-0143"),
        ({"phone": "2" * 31}, "phone", "Enter a phone number, like 202-555-0143"),
        ({"email": "not-an-email"}, "email", "Enter an email address in the right format"),
        (
            {"phone": "", "email": "", "preferred_contact": "phone"},
            "phone",
            "Enter your phone number, or choose email",
        ),
        (
            {"phone": "", "email": "", "preferred_contact": "text"},
            "phone",
            "Enter your phone number, or choose email",
        ),
        (
            {"phone": "202-555-0143", "email": "", "preferred_contact": "email"},
            "email",
            "Enter your email address, or choose a call or a text",
        ),
        ({"preferred_contact": None}, "preferred_contact", "Choose how you would like us to"),
        ({"preferred_contact": "pigeon"}, "preferred_contact", "Choose phone call, text message"),
        ({"best_time": "midnight"}, "best_time", "Choose a time of day from the list"),
        ({"message": "x" * 2001}, "message", "Your message must be 2,000 characters or fewer"),
        ({"message": "bell\x07"}, "message", "Your message must not contain control characters"),
        ({"consent": None}, "consent", "Tick the box to agree that we may contact you"),
    ],
)
def test_each_rule_gives_its_message_on_its_field(overrides, field, message):
    errors = errors_for(**overrides)

    assert field in errors, errors
    assert errors[field][0].startswith(message)


@pytest.mark.parametrize("field", ["name", "phone", "email"])
@pytest.mark.parametrize("line_break", ["\r\n", "\n", "\r"])
def test_line_breaks_in_single_line_fields_are_refused(field, line_break):
    value = {"name": "Jordan", "phone": "202-555-0143", "email": "j@example.org"}[field]

    overrides = {"email": "j@example.org", field: value + line_break + "Bcc: x@evil.test"}

    errors = errors_for(**overrides)

    assert "line breaks" in errors[field][0]


@pytest.mark.parametrize("field", ["name", "phone", "email"])
def test_a_trailing_line_break_is_refused_not_stripped(field):
    value = {"name": "Jordan", "phone": "202-555-0143", "email": "j@example.org"}[field]

    overrides = {"email": "j@example.org", field: value + "\r\n"}

    assert field in errors_for(**overrides)


@pytest.mark.parametrize("field", ["preferred_contact", "best_time"])
def test_line_breaks_in_choices_are_refused(field):
    assert field in errors_for(**{field: "phone\r\n"})


def test_message_keeps_line_breaks_and_counts_crlf_as_one():
    message = "line one\r\n" * 200  # 2,000 characters once CRLF counts as one

    form = ContactForm(contact_data(message=message))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["message"] == message.replace("\r\n", "\n").strip()


def test_email_only_contact_needs_no_phone():
    form = ContactForm(contact_data(phone="", email="j@example.org", preferred_contact="email"))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == ""


def test_error_summary_links_radios_to_their_first_button():
    form = ContactForm(contact_data(name="", preferred_contact=None))
    form.is_valid()

    assert form.error_summary() == [
        ("id_name", "Enter your name"),
        ("id_preferred_contact_0", "Choose how you would like us to contact you"),
    ]
