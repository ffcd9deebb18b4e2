"""The editors' workflow, declared once: its states, and every step a person can take.

The model allows a version's state to move only along these steps, the services check who
may take a step from here (through `articles.permissions`), `setup_roles` grants each step's
permission to the roles named here, and the admin shows a button per step, labelled here,
that calls the service named here. A new step is one new row.
"""

from dataclasses import dataclass

from django.db import models

from staffroles import EDITORS, MEDICAL_REVIEWERS


class VersionState(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"


State = VersionState

# What an editor writes; editable only while the version is a draft.
TEXT_FIELDS = ("title", "summary", "about", "body", "change_note")
# Recorded by the approval (the in_review → approved move), never typed by an editor.
REVIEW_FIELDS = ("last_reviewed", "next_review_due", "content_sha256")
# States a version can still be superseded from when a newer one is published.
OPEN_STATES = (State.DRAFT, State.IN_REVIEW, State.APPROVED, State.PUBLISHED)


@dataclass(frozen=True)
class Step:
    """One step of the workflow.

    `sources` are the states it starts from; `target` is the state the version moves to, or
    None when the step makes a new version (then the version itself does not move).
    `grants` maps each role that may take it to the permissions ("articles.<codename>")
    `setup_roles` gives that role for it; a person holding all of any one role's permissions
    may take it. `clinician` steps also need an account linked to a credentialed Reviewer, and
    `by_author` False refuses whoever wrote the text (unless the site allows self-approval).
    """

    name: str
    sources: tuple[str, ...]
    target: str | None
    grants: dict[str, tuple[str, ...]]
    label: str
    service: str
    done: str
    refused: str
    fields: tuple[str, ...] = ()
    clinician: bool = False
    by_author: bool = True
    button: bool = True
    # The button opens a page showing what changes (diff, checks) with a single confirm button.
    confirm: bool = False
    # The step needs a reason, which the version's author is shown.
    reason: bool = False
    # What to say when the step was taken but the version has not moved yet (more to sign).
    pending: str = ""

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(self.grants)

    @property
    def moves(self) -> list[tuple[str, str]]:
        return [(source, self.target) for source in self.sources if self.target is not None]


STEPS: tuple[Step, ...] = (
    Step(
        name="create_article",
        sources=(),
        target=None,
        grants={EDITORS: ("add_article", "add_articleversion")},
        label="Add article",
        service="create_article",
        done="Created {slug}: v{number} is a draft.",
        refused="You may not create articles.",
        button=False,  # the admin's own "Add" page
    ),
    Step(
        name="edit",
        sources=(State.DRAFT,),
        target=None,
        grants={EDITORS: ("change_articleversion",)},
        label="Save",
        service="update_draft",
        done="Saved {slug} v{number}.",
        refused="You may not edit drafts.",
        button=False,  # the admin's own Save button
    ),
    Step(
        name="new_draft",
        sources=tuple(State),
        target=None,
        grants={EDITORS: ("add_articleversion",)},
        label="New draft",
        service="create_draft",
        done="Started {slug} v{number} from v{base}.",
        refused="You may not start drafts.",
        button=False,  # on the article's page, not a version's
    ),
    Step(
        name="submit",
        sources=(State.DRAFT,),
        target=State.IN_REVIEW,
        grants={EDITORS: ("submit_articleversion",)},
        label="Submit for medical review",
        service="submit_for_review",
        done="Version {number} of {slug} was submitted for medical review.",
        refused="You may not submit drafts for review.",
    ),
    Step(
        name="approve",
        sources=(State.IN_REVIEW,),
        target=State.APPROVED,
        grants={MEDICAL_REVIEWERS: ("approve_articleversion",)},
        label="Approve this text",
        service="approve_version",
        done="Version {number} of {slug} is approved; it can be published.",
        pending="Your approval of version {number} of {slug} is recorded; it still awaits "
        "{awaited}.",
        refused="Only a medical reviewer whose account is linked to a reviewer with "
        "credentials can approve.",
        fields=REVIEW_FIELDS,
        clinician=True,
        by_author=False,
        confirm=True,
    ),
    Step(
        name="return",
        sources=(State.IN_REVIEW,),
        target=State.DRAFT,
        grants={
            EDITORS: ("submit_articleversion",),
            MEDICAL_REVIEWERS: ("approve_articleversion",),
        },
        label="Return to draft",
        service="return_to_draft",
        done="Version {number} of {slug} is a draft again.",
        refused="You may not return versions to draft.",
        reason=True,
    ),
    Step(
        name="publish",
        sources=(State.APPROVED,),
        target=State.PUBLISHED,
        grants={MEDICAL_REVIEWERS: ("publish_articleversion",)},
        label="Publish",
        service="publish_version",
        done="Version {number} of {slug} is published: patients see it now.",
        refused="Only medical reviewers can publish.",
        confirm=True,
    ),
    Step(
        name="revert",
        sources=(State.PUBLISHED, State.SUPERSEDED),
        target=None,
        grants={EDITORS: ("add_articleversion",)},
        label="Start a new draft from this version",
        service="revert_to",
        done="Started {slug} v{number} from v{base}; it needs a fresh review.",
        refused="You may not start drafts.",
    ),
)

BY_NAME: dict[str, Step] = {step.name: step for step in STEPS}

# Publishing supersedes every older open version; no person takes that step on its own.
SUPERSEDE_MOVES = [(state, State.SUPERSEDED) for state in OPEN_STATES]

# (from, to) → fields that may change besides `state` in that move (the model enforces it).
TRANSITIONS: dict[tuple[str, str], tuple[str, ...]] = {
    **{move: step.fields for step in STEPS for move in step.moves},
    **dict.fromkeys(SUPERSEDE_MOVES, ()),
}


def step(name: str) -> Step:
    return BY_NAME[name]


def buttons() -> list[Step]:
    """The steps shown as buttons on a version's page, in the order they show."""
    return [s for s in STEPS if s.button]


def role_permissions() -> dict[str, set[str]]:
    """role → the "articles.<codename>" permissions its steps need (merged by setup_roles)."""
    granted: dict[str, set[str]] = {}
    for s in STEPS:
        for role, codenames in s.grants.items():
            granted.setdefault(role, set()).update(f"articles.{c}" for c in codenames)
    return granted
