"""The workflow table drives every step: the services, the permission checks and the model.

Each test walks `articles.workflow.STEPS`, so a step added to the table is tested here too.
"""

import inspect

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied

from articles import permissions, services, workflow
from articles.models import Article, ArticleVersion, Reviewer, VersionState
from articles.workflow import STEPS, Step
from hartrehab.roles import EDITORS, INTAKE_STAFF, MEDICAL_REVIEWERS
from tests.factories import make_article, make_draft, make_editor, make_medical_reviewer, make_staff

State = VersionState
SUPERUSER, ANONYMOUS = "superuser", "anonymous"
ROLES = [EDITORS, MEDICAL_REVIEWERS, INTAKE_STAFF, ANONYMOUS, SUPERUSER]


def person(role: str):
    """A user of `role`; the superuser is a credentialed clinician too (else approving,
    which needs one, would be refused for a reason that is not the role)."""
    if role == ANONYMOUS:
        return AnonymousUser()
    if role == SUPERUSER:
        user = make_staff("root", is_superuser=True)
        Reviewer.objects.create(name="Sue Per", credentials="DO", user=user)
        return user
    if role == MEDICAL_REVIEWERS:
        return make_medical_reviewer("clinician", name="Cleo Nician", credentials="NP")
    if role == EDITORS:
        return make_editor("writer")
    return make_staff("intake", role)


def version_in(state: str, article: Article) -> ArticleVersion:
    """A version of `article` in `state`, written by one editor and approved by another
    clinician, so no role under test wrote or approved it."""
    author = User.objects.filter(username="author").first() or make_editor("author")
    approver = User.objects.filter(username="approver").first() or make_medical_reviewer(
        "approver", name="Al Prover", credentials="MD"
    )
    if state == State.PUBLISHED:
        return article.published_version
    version = make_draft(article, by=author, body="Changed text.\n")
    if state == State.DRAFT:
        return version
    services.submit_for_review(version, by=author)
    if state == State.IN_REVIEW:
        return version
    services.approve_version(version, by=approver)
    if state == State.APPROVED:
        return ArticleVersion.objects.get(pk=version.pk)
    services.publish_version(version, by=approver)
    return ArticleVersion.objects.get(pk=article.published_version.pk)  # superseded now


def take(step: Step, user, version: ArticleVersion):
    """Call the service the table names for `step`, as the admin would."""
    service = getattr(services, step.service)
    if step.name == "create_article":
        return service(
            slug="new-one", title="New", summary="S.", body="B.\n", change_note="New", by=user
        )
    if step.name == "new_draft":
        return service(version.article, by=user)
    if step.name == "edit":
        return service(
            version,
            by=user,
            title=version.title,
            summary=version.summary,
            body="Edited again.\n",
            change_note="Edit",
        )
    if step.reason:
        return service(version, by=user, note="A reason the author reads")
    return service(version, by=user)


def snapshot() -> list[tuple]:
    return list(
        ArticleVersion.objects.order_by("pk").values_list("pk", "state", "body", "change_note")
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.name)
def test_each_step_is_allowed_exactly_to_the_roles_it_names(db, step, role):
    article = make_article("Published text.\n")
    version = version_in(step.sources[-1] if step.sources else State.PUBLISHED, article)
    user = person(role)
    before = snapshot()

    if role in step.roles or role == SUPERUSER:
        result = take(step, user, version)
        after = ArticleVersion.objects.get(pk=version.pk)
        if step.target is not None:
            assert after.state == step.target
        else:
            assert snapshot() != before
        assert result is not None
    else:
        with pytest.raises(PermissionDenied):
            take(step, user, version)
        assert snapshot() == before
    assert permissions.has_role_for(user, step.name) == (role in step.roles or role == SUPERUSER)


@pytest.mark.parametrize("step", [s for s in STEPS if s.target], ids=lambda s: s.name)
def test_a_step_is_refused_from_every_state_the_table_does_not_name(db, step):
    article = make_article("Published text.\n")
    root = person(SUPERUSER)
    for state in set(State) - set(step.sources):
        version = version_in(state, article)
        before = snapshot()
        with pytest.raises(services.WorkflowError):
            take(step, root, version)
        assert snapshot() == before
        article.refresh_from_db()


def test_every_step_names_a_service_that_takes_keyword_by():
    for step in STEPS:
        service = getattr(services, step.service)
        by = inspect.signature(service).parameters["by"]
        assert by.kind is inspect.Parameter.KEYWORD_ONLY
        assert by.default is inspect.Parameter.empty, f"{step.service} must not default `by`"


def test_the_model_allows_exactly_the_tables_moves():
    moves = {move for step in STEPS for move in step.moves}
    assert set(workflow.TRANSITIONS) == moves | set(workflow.SUPERSEDE_MOVES)


def test_setup_roles_grants_each_role_exactly_its_steps_permissions():
    from articles.roles import ROLE_PERMISSIONS

    for step in STEPS:
        for role, codenames in step.grants.items():
            assert {f"articles.{c}" for c in codenames} <= set(ROLE_PERMISSIONS[role])
    step_perms = {f"articles.{c}" for s in STEPS for cs in s.grants.values() for c in cs}
    for role, granted in ROLE_PERMISSIONS.items():
        named = {f"articles.{c}" for s in STEPS for c in s.grants.get(role, ())}
        assert set(granted) & step_perms == named


@pytest.mark.parametrize("by", [None, AnonymousUser()], ids=["None", "anonymous"])
def test_publish_without_a_person_is_refused(db, by):
    article = make_article("Published text.\n")
    approved = version_in(State.APPROVED, article)

    with pytest.raises(PermissionDenied):
        services.publish_version(approved, by=by)
    assert ArticleVersion.objects.get(pk=approved.pk).state == State.APPROVED


def test_the_loaders_publish_is_only_for_versions_loaded_from_files(db):
    article = make_article("Published text.\n")
    approved = version_in(State.APPROVED, article)

    with pytest.raises(PermissionDenied, match="not loaded from a content file"):
        services.publish_loaded_version(approved)
    assert ArticleVersion.objects.get(pk=approved.pk).state == State.APPROVED
