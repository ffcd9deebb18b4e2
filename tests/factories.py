"""Small factories for test data (no JSON fixtures)."""

import datetime
import functools
import textwrap
import time
import uuid
from io import StringIO
from pathlib import Path
from unittest import mock

import yaml
from django.core.management import call_command

from articles.models import Article
from articles.services import create_version, publish_loaded_version
from articles.sources import parse_source
from intake.formtoken import issue_token  # INTAKE
from intake.models import ContactSubmission  # INTAKE

PASSWORD = "correct-horse-battery-staple"


def front_matter(**overrides) -> dict:
    meta = {
        "title": "Test article",
        "slug": "test-article",
        "summary": "A short summary.",
        "reviewed_by": [{"name": "Ada Reviewer", "credentials": "MD"}],
        "last_reviewed": datetime.date(2025, 3, 13),
    }
    meta.update(overrides)
    return {key: value for key, value in meta.items() if value is not ...}


def source_text(body: str = "Some reviewed text.\n", **overrides) -> str:
    meta = yaml.safe_dump(front_matter(**overrides), sort_keys=False, allow_unicode=True)
    return f"---\n{meta}---\n\n{textwrap.dedent(body)}"


def write_source(folder: Path, name: str = "test-article.md", body: str = "Text.\n", **kw) -> Path:
    path = folder / name
    path.write_text(source_text(body, **kw), encoding="utf-8")
    return path


def make_article(body: str = "Some reviewed text.\n", *, publish: bool = True, **kw) -> Article:
    source = parse_source(source_text(body, **kw), name="factory")
    article, _ = Article.objects.get_or_create(slug=source.slug)
    version = create_version(article, source=source, origin="factory")
    if publish:
        publish_loaded_version(version)
    article.refresh_from_db()
    return article


# INTAKE ---------------------------------------------------------------------------------


def contact_data(**overrides) -> dict:
    """A valid POST for /contact/; its token was issued a minute ago (past the time trap).

    Pass a value of None to leave that field out of the POST.
    """
    data = {
        "name": "Jordan Example",
        "preferred_contact": "phone",
        "phone": "202-555-0143",
        "email": "",
        "best_time": "",
        "message": "",
        "consent": "on",
        "form_token": issue_token(now=time.time() - 60),
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def make_submission(**kw) -> ContactSubmission:
    now = datetime.datetime.now(datetime.UTC)
    kw.setdefault("name", "Jordan Example")
    kw.setdefault("phone", "+12025550143")
    kw.setdefault("preferred_contact", ContactSubmission.ContactMethod.PHONE)
    kw.setdefault("consent_given_at", now)
    kw.setdefault("consent_version", "test")
    kw.setdefault("idempotency_key", uuid.uuid4())
    return ContactSubmission.objects.create(**kw)


def make_user(username: str, *, groups: tuple[str, ...] = (), **kw):
    from django.contrib.auth.models import Group, User

    kw.setdefault("is_staff", True)
    user = User.objects.create_user(username=username, password=None, **kw)  # tests force_login
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


# --- editors' workflow -------------------------------------------------------------------


@functools.cache
def _password_hash() -> str:
    # Hashing is slow on purpose; one hash shared by every test user keeps the suite fast.
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)


def make_staff(username: str, *groups: str, **kw):
    """An active staff user in `groups` (made with setup_roles' exact permissions)."""
    from django.contrib.auth.models import Group, User

    if groups and not Group.objects.filter(name__in=groups).count() == len(groups):
        call_command("setup_roles", stdout=StringIO())
    kw.setdefault("is_staff", True)
    user = User.objects.create_user(username=username, **kw)
    user.password = _password_hash()
    user.save(update_fields=["password"])
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


def make_editor(username: str = "edna"):
    return make_staff(username, "Editors")


def make_medical_reviewer(
    username: str = "rhea", *, name: str = "Rhea Medic", credentials: str = "MD"
):
    from articles.models import Reviewer

    user = make_staff(username, "Medical reviewers")
    # A clinician named in a loaded file already exists as a Reviewer; link the account to it.
    reviewer, _ = Reviewer.objects.get_or_create(name=name, credentials=credentials)
    reviewer.user = user
    reviewer.save(update_fields=["user"])
    return user


def make_draft(article: Article, *, by, body: str | None = None, **text):
    """A draft of `article` from its published text, with `body`/`text` changed if given."""
    from articles.services import create_draft, update_draft

    draft = create_draft(article, by=by)
    fields = {
        "title": draft.title,
        "summary": draft.summary,
        "about": draft.about,
        "body": body if body is not None else draft.body,
        "change_note": "Clearer wording",
        **text,
    }
    return update_draft(draft, by=by, **fields)


def make_approved(article: Article, *, editor, reviewer, body: str = "Approved text.\n"):
    from articles.services import approve_version, submit_for_review

    draft = make_draft(article, by=editor, body=body)
    submit_for_review(draft, by=editor)
    approve_version(draft, by=reviewer)
    draft.refresh_from_db()
    return draft


def run_worker() -> None:
    """The real task worker (django-tasks' db_worker), in this process, until the queue is empty.

    It keeps the test's connection open, as Django's test client does for requests: closing it
    between tasks would end the transaction the test runs in.
    """
    from django_tasks_db.management.commands import db_worker

    with mock.patch.object(db_worker, "close_old_connections"):
        call_command(
            "db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0
        )
