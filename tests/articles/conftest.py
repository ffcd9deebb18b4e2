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
