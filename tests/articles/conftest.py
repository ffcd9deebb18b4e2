"""Fixtures shared by the editors' workflow tests."""

import pytest

from tests.factories import make_article, make_editor, make_medical_reviewer


@pytest.fixture
def editor(db):
    return make_editor()


@pytest.fixture
def reviewer(db):
    return make_medical_reviewer()


@pytest.fixture
def article(db):
    return make_article("Published text.\n")


RANDY = ("Randy Gelow", "MD, FASAM")
RAY = ("Ray Hamilton", "DNP, PMHNP-BC, FNP-C")


@pytest.fixture
def two_reviewed(db):
    """An article both clinicians reviewed in its file, and their staff accounts (with email)."""
    article = make_article(
        "Reviewed words.\n",
        title="Pain and opioids",
        reviewed_by=[{"name": n, "credentials": c} for n, c in (RANDY, RAY)],
    )
    randy = make_medical_reviewer("randy", name=RANDY[0], credentials=RANDY[1])
    ray = make_medical_reviewer("ray", name=RAY[0], credentials=RAY[1])
    for user in (randy, ray):
        user.email = f"{user.username}@clinic.example"
        user.save(update_fields=["email"])
    return article, randy, ray
