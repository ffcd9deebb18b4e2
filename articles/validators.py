"""Text rules shared by the model fields, the admin forms and the loader."""

import unicodedata

from django.core.exceptions import ValidationError

# Invisible characters outside Unicode's "format" category that can still hide or disguise text.
_ALSO_INVISIBLE = frozenset("\u034f\u115f\u1160\u3164\uffa0")
# The soft hyphen only marks where a long word may break; it is allowed.
_ALLOWED_FORMAT = frozenset("\u00ad")


def invisible_character(value: str) -> str | None:
    """The first bidirectional-control, zero-width or other invisible character, described."""
    for char in value:
        category = unicodedata.category(char)
        invisible = category in {"Cf", "Zl", "Zp"} and char not in _ALLOWED_FORMAT
        if invisible or char in _ALSO_INVISIBLE:
            name = unicodedata.name(char, "unnamed character")
            return f"U+{ord(char):04X} {name}"
    return None


def invisible_character_problem(value: str) -> str | None:
    """The message for `value`, when it holds a character the rule refuses."""
    found = invisible_character(value)
    if found is None:
        return None
    return (
        f"contains an invisible or direction-changing character ({found}); retype the text "
        "without it"
    )


def validate_visible_text(value: str) -> None:
    """Refuse bidi controls (U+202E …) and zero-width characters (U+200B …) in short texts
    patients see: they can reverse or hide words. Model fields and forms use this."""
    problem = invisible_character_problem(value)
    if problem:
        raise ValidationError(problem[0].upper() + problem[1:] + ".", code="invisible")
