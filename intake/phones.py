"""Phone numbers as staff and patients read them, and as staff type them in a search."""

import phonenumbers

Format = phonenumbers.PhoneNumberFormat


def display_phone(e164: str) -> str:
    """A stored number as people write it: (202) 555-0143 for the US, +44 20 … otherwise."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    region = phonenumbers.region_code_for_number(number)
    return phonenumbers.format_number(
        number, Format.NATIONAL if region == "US" else Format.INTERNATIONAL
    )


def as_e164(term: str) -> str:
    """The text as a stored phone number, if it reads as one (202-555-0143 → +1…), else ""."""
    try:
        number = phonenumbers.parse(term, "US")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, Format.E164)
