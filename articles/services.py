"""Writes to articles: every version is created, reviewed and published through these functions.

Each workflow step checks who may take it (`articles.permissions`, the rules the admin uses to
show its buttons), changes the version and records the step in its history, in one transaction.
"""

import dataclasses
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.utils import timezone

from articles import permissions
from articles.models import (
    Approval,
    Article,
    ArticleVersion,
    PublishStamp,
    Reviewer,
    VersionEvent,
    VersionReviewer,
    VersionState,
)
from articles.rendering import RenderRefused, render_many, render_markdown
from articles.sources import (
    MAX_SLUG,
    SLUG_RE,
    ArticleSource,
    ReviewerSource,
    SourceError,
    dump_source,
    normalize_body,
    parse_source,
    text_problems,
    text_sha256,
)

Action = VersionEvent.Action


class WorkflowError(Exception):
    """A step the version's state or review record does not allow; the message says why."""


class LoadRefused(Exception):
    """The loader would replace work made outside the content files; `problems` says where."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class LoadResult:
    path: str
    slug: str
    outcome: str  # "created", "updated" or "unchanged"
    number: int

    def __str__(self):
        if self.outcome == "unchanged":
            return f"{self.path}: unchanged (v{self.number})"
        return f"{self.path}: {self.outcome} v{self.number}"


def default_next_review(last_reviewed: datetime.date) -> datetime.date:
    return last_reviewed + datetime.timedelta(days=settings.ARTICLES_REVIEW_INTERVAL_DAYS)


def render_body(body: str, *, slug: str) -> str:
    """The body's sanitized HTML; ValidationError on the body when it cannot be rendered."""
    try:
        return render_markdown(body, source=slug).html
    except RenderRefused as refused:
        raise ValidationError({"body": [str(refused)]}) from None


def _next_number(article: Article) -> int:
    # Lock the article so two writers cannot take the same number.
    Article.objects.select_for_update().filter(pk=article.pk).first()
    return (article.versions.aggregate(n=Max("number"))["n"] or 0) + 1


def _record(version: ArticleVersion, action: str, by, note: str = "") -> None:
    actor = by if by is not None and by.is_authenticated else None
    VersionEvent.objects.create(
        version=version, action=action, by=actor, at=timezone.now(), note=note[:500]
    )


def create_version(
    article: Article,
    *,
    source: ArticleSource,
    origin: str,
    change_note: str = "",
    by=None,
    reviewers: dict[ReviewerSource, Reviewer] | None = None,
    body_html: str | None = None,
) -> ArticleVersion:
    """Add version n+1 to `article` from a reviewed file, rendering its body once, now.

    The file's front matter carries its medical review, so the version starts approved.
    `reviewers` keeps Reviewer rows between calls (the loader passes one for all its files);
    `body_html` is the body already rendered (the loader renders before it writes).
    """
    if body_html is None:
        body_html = render_body(source.body, slug=article.slug)
    reviewers = {} if reviewers is None else reviewers
    with transaction.atomic():
        version = ArticleVersion(
            article=article,
            number=_next_number(article),
            title=source.title,
            summary=source.summary,
            about=source.about,
            body=source.body,
            body_html=body_html,
            last_reviewed=source.last_reviewed,
            next_review_due=source.next_review_due or default_next_review(source.last_reviewed),
            content_sha256=source.content_sha256,
            source=origin,
            change_note=change_note,
            created_by=by,
            state=VersionState.APPROVED,
            from_file=True,
        )
        # The check constraints are about the workflow state, set just above by this code,
        # and the database enforces them on INSERT; checking them here too would cost a query
        # each, per version (a 1,000-file load, docs/BENCHMARKS.md). Fields are still checked.
        version.full_clean(exclude=["article"], validate_constraints=False)
        version.save()
        for position, item in enumerate(source.reviewed_by):
            if item not in reviewers:
                reviewers[item], _ = Reviewer.objects.get_or_create(
                    name=item.name, credentials=item.credentials
                )
            VersionReviewer.objects.create(
                version=version, reviewer=reviewers[item], position=position
            )
        _record(version, Action.CREATED, by, change_note)
    return version


# --- the editors' workflow ------------------------------------------------------------------


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _locked(version: ArticleVersion) -> ArticleVersion:
    return ArticleVersion.objects.select_for_update().select_related("article").get(pk=version.pk)


def _require_state(version: ArticleVersion, state: str, doing: str) -> None:
    if version.state != state:
        raise WorkflowError(
            f"{version} is {version.get_state_display().lower()}; only a version that is "
            f"{VersionState(state).label.lower()} can be {doing}."
        )


def _clean_text(
    *, title: str, summary: str, about: str, body: str, change_note: str | None
) -> dict[str, str]:
    """The editor's fields, normalized; ValidationError naming each bad field."""
    problems = text_problems(title=title, summary=summary, about=about, body=body)
    if change_note is not None and not change_note.strip():
        problems.setdefault("change_note", []).append("is required: say what changed and why")
    if problems:
        raise ValidationError(problems)
    fields = {
        "title": title.strip(),
        "summary": summary.strip(),
        "about": about.strip(),
        "body": normalize_body(body),
    }
    if change_note is not None:
        fields["change_note"] = change_note.strip()
    return fields


def _new_draft(article: Article, *, by, fields: dict, based_on=None, note: str):
    version = ArticleVersion(
        article=article,
        number=_next_number(article),
        body_html=render_body(fields["body"], slug=article.slug),
        state=VersionState.DRAFT,
        based_on=based_on,
        source=f"admin: {by.get_username()}",
        created_by=by,
        **fields,
    )
    version.full_clean(exclude=["article"])
    version.save()
    _record(version, Action.CREATED, by, note)
    return version


def create_article(
    *, slug: str, title: str, summary: str, about: str = "", body: str, change_note: str, by
) -> ArticleVersion:
    """A new article whose first version is a draft with the given text."""
    _require(permissions.can_create_articles(by), "You may not create articles.")
    problems = {}
    if not SLUG_RE.match(slug) or len(slug) > MAX_SLUG:
        problems["slug"] = [
            f"must be lowercase letters, digits and single hyphens, at most {MAX_SLUG} long"
        ]
    elif Article.objects.filter(slug=slug).exists():
        problems["slug"] = [f"'{slug}' is already used by another article"]
    try:
        fields = _clean_text(
            title=title, summary=summary, about=about, body=body, change_note=change_note
        )
    except ValidationError as error:
        problems.update(error.message_dict)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        article = Article.objects.create(slug=slug)
        return _new_draft(article, by=by, fields=fields, note="New article")


def create_draft(article: Article, *, by, from_version: ArticleVersion | None = None):
    """A new draft copying `from_version`'s text (default: the published version)."""
    _require(permissions.can_start_drafts(by), "You may not start drafts.")
    base = from_version or article.published_version or article.versions.latest_first().first()
    if base is None:
        raise WorkflowError(f"{article} has no version to start a draft from.")
    if base.article_id != article.pk:
        raise WorkflowError(f"{base} belongs to another article.")
    fields = {name: getattr(base, name) for name in ("title", "summary", "about", "body")}
    note = f"Reverted to v{base.number}" if from_version else f"Started from v{base.number}"
    with transaction.atomic():
        return _new_draft(article, by=by, fields=fields, based_on=base, note=note)


def revert_to(version: ArticleVersion, *, by) -> ArticleVersion:
    """A new draft with an old version's text; like any draft, it needs a fresh review."""
    return create_draft(version.article, by=by, from_version=version)


def update_draft(
    version: ArticleVersion,
    *,
    by,
    title: str,
    summary: str,
    about: str = "",
    body: str,
    change_note: str,
) -> ArticleVersion:
    """Change a draft's text; anything but a draft refuses (start a new draft instead)."""
    _require(permissions.can_edit(by), "You may not edit drafts.")
    fields = _clean_text(
        title=title, summary=summary, about=about, body=body, change_note=change_note
    )
    with transaction.atomic():
        locked = _locked(version)
        _require_state(locked, VersionState.DRAFT, "edited")
        if all(getattr(locked, name) == value for name, value in fields.items()):
            return locked
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.body_html = render_body(locked.body, slug=locked.article.slug)
        locked.full_clean(exclude=["article"])
        locked.save()
        _record(locked, Action.EDITED, by)
    return locked


def submit_for_review(version: ArticleVersion, *, by) -> ArticleVersion:
    """Freeze a draft's text and hand it to the medical reviewers."""
    _require(permissions.can_submit(by), "You may not submit drafts for review.")
    with transaction.atomic():
        locked = _locked(version)
        _require_state(locked, VersionState.DRAFT, "submitted for review")
        if not locked.change_note.strip():
            raise WorkflowError(f"{locked} needs a change note before it is submitted.")
        locked.state = VersionState.IN_REVIEW
        locked.save()
        _record(locked, Action.SUBMITTED, by)
    return locked


def return_to_draft(version: ArticleVersion, *, by, note: str = "") -> ArticleVersion:
    """Send a version in review back to its editors (withdrawn, or changes requested)."""
    _require(
        permissions.can_submit(by) or permissions.can_approve(by),
        "You may not return versions to draft.",
    )
    with transaction.atomic():
        locked = _locked(version)
        _require_state(locked, VersionState.IN_REVIEW, "returned to draft")
        locked.state = VersionState.DRAFT
        locked.save()
        _record(locked, Action.RETURNED, by, note)
    return locked


def version_text_sha256(version: ArticleVersion) -> str:
    return text_sha256(
        title=version.title,
        slug=version.article.slug,
        summary=version.summary,
        about=version.about,
        body=version.body,
    )


def version_source(version: ArticleVersion) -> ArticleSource | None:
    """The source file that hashes to the version's `content_sha256`, or None if none does.

    A file may leave out `next_review_due` (then the default interval applies), so both
    spellings are tried.
    """
    if not version.content_sha256 or version.last_reviewed is None:
        return None
    source = _reviewed_source(version)
    for candidate in (source, dataclasses.replace(source, next_review_due=None)):
        if candidate.content_sha256 == version.content_sha256:
            return candidate
    return None


def approve_version(version: ArticleVersion, *, by) -> Approval:
    """Record a medical reviewer's sign-off on the exact text of a version in review.

    The approval dates the review: the page's "Last reviewed" comes from here.
    """
    _require(
        permissions.can_approve(by),
        "Only a medical reviewer whose account is linked to a reviewer with credentials "
        "can approve.",
    )
    with transaction.atomic():
        locked = _locked(version)
        _require_state(locked, VersionState.IN_REVIEW, "approved")
        _require(
            not permissions.self_approval_refused(by, locked),
            f"You wrote or edited {locked}; another medical reviewer must approve it.",
        )
        reviewer = permissions.reviewer_for(by)
        now = timezone.now()
        today = timezone.localdate(now)
        VersionReviewer.objects.create(version=locked, reviewer=reviewer, position=0)
        locked.state = VersionState.APPROVED
        locked.last_reviewed = today
        locked.next_review_due = default_next_review(today)
        locked.content_sha256 = _reviewed_source(locked).content_sha256
        locked.full_clean(exclude=["article"])
        locked.save()
        approval = Approval.objects.create(
            version=locked,
            reviewer=reviewer,
            approved_by=by,
            approved_at=now,
            text_sha256=version_text_sha256(locked),
        )
        _record(locked, Action.APPROVED, by, str(reviewer))
    return approval


def _reviewed_source(version: ArticleVersion) -> ArticleSource:
    return ArticleSource(
        path=f"{version.article.slug}.md",
        title=version.title,
        slug=version.article.slug,
        summary=version.summary,
        reviewed_by=tuple(
            ReviewerSource(name=link.reviewer.name, credentials=link.reviewer.credentials)
            for link in version.reviewer_links.select_related("reviewer")
        ),
        last_reviewed=version.last_reviewed,
        next_review_due=version.next_review_due,
        about=version.about,
        body=version.body,
    )


def check_review(version: ArticleVersion) -> None:
    """Raise WorkflowError unless the version's review covers exactly its current text."""
    if version_source(version) is None:
        raise WorkflowError(
            f"{version}: its text or review record no longer matches the hash recorded at "
            "review; it cannot be published. Start a new draft."
        )
    if version.from_file:
        return
    approval = Approval.objects.filter(version=version).first()
    if approval is None:
        raise WorkflowError(f"{version} has no medical approval.")
    if approval.text_sha256 != version_text_sha256(version):
        raise WorkflowError(
            f"{version}: the text changed after it was approved; it needs a fresh review."
        )


def publish_version(version: ArticleVersion, *, by=None) -> Article:
    """Make an approved version the one patients see, in one transaction.

    `by=None` is the loader, whose files carry their review; people need the permission.
    Every older version still open or published becomes superseded.
    """
    if by is not None:
        _require(permissions.can_publish(by), "Only medical reviewers can publish.")
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=version.article_id)
        locked = _locked(version)
        _require_state(locked, VersionState.APPROVED, "published")
        check_review(locked)
        older = article.versions.filter(number__lt=locked.number).exclude(
            state=VersionState.SUPERSEDED
        )
        for old in older:
            old.state = VersionState.SUPERSEDED
            old.save()
            _record(old, Action.SUPERSEDED, by, f"v{locked.number} was published")
        locked.state = VersionState.PUBLISHED
        locked.save()
        article.published_version = locked
        article.published_at = timezone.now()
        article.published_by = by
        article.save(update_fields=["published_version", "published_at", "published_by"])
        _record(locked, Action.PUBLISHED, by)
        _count_publish(article.published_at)
    return article


def _count_publish(when: datetime.datetime) -> None:
    """Move the publish stamp on, in the publishing transaction (see PublishStamp)."""
    stamps = PublishStamp.objects.filter(pk=PublishStamp.SINGLETON_PK)
    if not stamps.update(count=F("count") + 1, changed_at=when):
        # Migration 0004 makes the row; only a flushed database (tests) lacks it.
        PublishStamp.objects.get_or_create(pk=PublishStamp.SINGLETON_PK)
        stamps.update(count=F("count") + 1, changed_at=when)


def export_text(version: ArticleVersion) -> str:
    """The content file for a reviewed version; loading it gives back the same content hash,
    so export → load creates no version."""
    source = version_source(version)
    if source is None:
        raise WorkflowError(f"{version}: its review record does not match its hash.")
    text = dump_source(source)
    try:
        reread = parse_source(text, name=source.path)
    except SourceError as error:
        raise WorkflowError("; ".join(error.problems)) from None
    if reread.content_sha256 != version.content_sha256:
        raise WorkflowError(f"{version}: the exported file would not load back unchanged.")
    return text


def _newest_versions(slugs: list[str]) -> dict[str, ArticleVersion]:
    """The newest version of each named article, in one query per 500 slugs."""
    newest_number = (
        ArticleVersion.objects.filter(article=OuterRef("article"))
        .order_by("-number")
        .values("number")[:1]
    )
    found: dict[str, ArticleVersion] = {}
    for start in range(0, len(slugs), 500):
        versions = (
            ArticleVersion.objects.filter(
                article__slug__in=slugs[start : start + 500], number=Subquery(newest_number)
            )
            .select_related("article")
            .only("number", "content_sha256", "source", "article__slug")
        )
        found.update((version.article.slug, version) for version in versions)
    return found


def _plan(
    source: ArticleSource, latest: ArticleVersion | None, *, force: bool
) -> tuple[str, ArticleVersion | None]:
    if latest is None:
        return "created", None
    if latest.content_sha256 == source.content_sha256:
        return "unchanged", latest
    if latest.source != source.path and not force:
        raise LoadRefused(
            [
                f"{source.path}: slug: v{latest.number} of '{source.slug}' was made by "
                f"'{latest.source}', not by this file; run with --force to replace it"
            ]
        )
    return "updated", latest


def load_sources(
    sources: list[ArticleSource], *, force: bool = False, dry_run: bool = False
) -> list[LoadResult]:
    """Load validated sources: a new published version for each changed one, nothing otherwise.

    All files are checked before any is written, and all are written in one transaction.
    """
    newest = _newest_versions([source.slug for source in sources])
    plans, problems = [], []
    for source in sources:
        try:
            plans.append((source, *_plan(source, newest.get(source.slug), force=force)))
        except LoadRefused as refused:
            problems.extend(refused.problems)
    # Render every changed body before writing: a body that cannot be rendered is one more
    # problem to report, and no render runs inside the transaction.
    changed = [source for source, outcome, _latest in plans if outcome != "unchanged"]
    rendered: dict[str, str] = {}
    for source, result in zip(
        changed, render_many([(source.body, source.slug) for source in changed]), strict=True
    ):
        if isinstance(result, RenderRefused):
            problems.append(f"{source.path}: body: {result}")
        else:
            rendered[source.path] = result.html
    if problems:
        raise LoadRefused(problems)
    results, reviewers = [], {}
    with transaction.atomic():
        for source, outcome, latest in plans:
            if outcome == "unchanged":
                results.append(LoadResult(source.path, source.slug, outcome, latest.number))
                continue
            number = (latest.number if latest else 0) + 1
            if not dry_run:
                article, _ = Article.objects.get_or_create(slug=source.slug)
                version = create_version(
                    article,
                    source=source,
                    origin=source.path,
                    change_note="Loaded from file",
                    reviewers=reviewers,
                    body_html=rendered[source.path],
                )
                publish_version(version)
                number = version.number
            results.append(LoadResult(source.path, source.slug, outcome, number))
    return results
