"""Writes to articles: every version is created, reviewed and published through these functions.

Each workflow step checks who may take it (`articles.permissions`, reading the table in
`articles.workflow` that the admin's buttons come from too), changes the version and records
the step in its history, in one transaction. No step trusts a missing user: the loader, whose
files carry their own medical review, publishes through `publish_loaded_version`.
"""

import dataclasses
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.utils import timezone

from articles import notifications, permissions, tasks, workflow
from articles.models import (
    Approval,
    Article,
    ArticleVersion,
    PublishStamp,
    Reviewer,
    ReviewReminder,
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
    outcome: str  # "created", "updated", "unchanged" or "kept"
    number: int
    made_by: str = ""

    def __str__(self):
        if self.outcome == "unchanged":
            return f"{self.path}: unchanged (v{self.number})"
        if self.outcome == "kept":
            return (
                f"{self.path}: kept v{self.number} of '{self.slug}', made by '{self.made_by}'; "
                f"the file was not loaded. `manage.py export_content {self.slug}` writes the "
                "published text back to the file for git"
            )
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
                version=version,
                reviewer=reviewers[item],
                position=position,
                name=item.name,
                credentials=item.credentials,
            )
        _record(version, Action.CREATED, by, change_note)
    return version


# --- the editors' workflow ------------------------------------------------------------------


def _queue_mail(mail, version_id: int) -> None:
    """Store the step's email as a task in the step's transaction; the worker sends it.

    Every workflow email goes through here (articles/tasks.py): none is sent in a request,
    and none about a step that was rolled back.
    """
    mail.enqueue(version_id)


def _locked(version: ArticleVersion) -> ArticleVersion:
    return ArticleVersion.objects.select_for_update().select_related("article").get(pk=version.pk)


def _require_state(version: ArticleVersion, step: str, doing: str) -> None:
    """WorkflowError unless the table lets `step` start from the version's state."""
    sources = workflow.step(step).sources
    if version.state not in sources:
        allowed = " or ".join(VersionState(state).label.lower() for state in sources)
        raise WorkflowError(
            f"{version} is {version.get_state_display().lower()}; only a version that is "
            f"{allowed} can be {doing}."
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


def can_sign(reviewer: Reviewer) -> bool:
    """Whether `reviewer` can be listed on a draft: a credentialed clinician with an account."""
    return reviewer.user_id is not None and bool(reviewer.credentials.strip())


def _list_reviewers(version: ArticleVersion, reviewers: list[Reviewer]) -> None:
    VersionReviewer.objects.filter(version=version).delete()
    VersionReviewer.objects.bulk_create(
        VersionReviewer(version=version, reviewer=reviewer, position=position)
        for position, reviewer in enumerate(reviewers)
    )


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
    if based_on is not None:
        # The same clinicians review the change, if they can sign in the admin.
        _list_reviewers(version, [r for r in based_on.ordered_reviewers if can_sign(r)])
    _record(version, Action.CREATED, by, note)
    return version


def create_article(
    *, slug: str, title: str, summary: str, about: str = "", body: str, change_note: str, by
) -> ArticleVersion:
    """A new article whose first version is a draft with the given text."""
    permissions.check(by, "create_article")
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
    permissions.check(by, "new_draft")
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
    reviewers: list[Reviewer] | None = None,
) -> ArticleVersion:
    """Change a draft's text (and, if given, the reviewers who must approve it); anything but
    a draft refuses (start a new draft instead). A changed text voids every approval."""
    permissions.check(by, "edit")
    fields = _clean_text(
        title=title, summary=summary, about=about, body=body, change_note=change_note
    )
    if reviewers is not None and not all(can_sign(r) for r in reviewers):
        raise ValidationError(
            {"reviewers": ["must be clinicians with credentials and a staff account"]}
        )
    with transaction.atomic():
        locked = _locked(version)
        _require_state(locked, "edit", "edited")
        listed = locked.ordered_reviewers
        new_list = reviewers is not None and [r.pk for r in reviewers] != [r.pk for r in listed]
        same_text = all(getattr(locked, name) == value for name, value in fields.items())
        if same_text and not new_list:
            return locked
        voided = len(current_approvals(locked))
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.body_html = render_body(locked.body, slug=locked.article.slug)
        locked.full_clean(exclude=["article"])
        locked.save()
        notes = []
        if new_list:
            _list_reviewers(locked, reviewers)
            notes.append("Reviewers: " + (", ".join(str(r) for r in reviewers) or "none"))
        if voided and not same_text:
            notes.append(f"the text changed, so {voided} approval(s) no longer count")
        _record(locked, Action.EDITED, by, "; ".join(notes))
    return locked


def submit_for_review(version: ArticleVersion, *, by) -> ArticleVersion:
    """Freeze a draft's text and hand it to the medical reviewers."""
    permissions.check(by, "submit")
    with transaction.atomic():
        locked = _locked(version)
        _require_state(locked, "submit", "submitted for review")
        if not locked.change_note.strip():
            raise WorkflowError(f"{locked} needs a change note before it is submitted.")
        locked.state = VersionState.IN_REVIEW
        locked.save()
        _record(locked, Action.SUBMITTED, by)
        _queue_mail(tasks.mail_submitted, locked.pk)
    return locked


def return_to_draft(version: ArticleVersion, *, by, note: str = "") -> ArticleVersion:
    """Send a version in review back to its editors (withdrawn, or changes requested), with
    the reason its author is shown."""
    permissions.check(by, "return")
    if not note.strip():
        raise ValidationError({"note": ["is required: say why it goes back to draft"]})
    note = note.strip()
    with transaction.atomic():
        locked = _locked(version)
        _require_state(locked, "return", "returned to draft")
        locked.state = VersionState.DRAFT
        locked.save()
        _record(locked, Action.RETURNED, by, note)
        _queue_mail(tasks.mail_returned, locked.pk)
    return locked


def version_text_sha256(version: ArticleVersion) -> str:
    return version.text_sha256()


def required_approvals(listed: int) -> int:
    """How many of `listed` reviewers must approve: ARTICLES_REQUIRED_APPROVALS (None: all),
    never more than are listed and never fewer than one."""
    wanted = settings.ARTICLES_REQUIRED_APPROVALS
    return max(1, listed if wanted is None else min(wanted, listed))


def current_approvals(version: ArticleVersion, text: str | None = None) -> list[Approval]:
    """The sign-offs that count, in the list's order: by a reviewer listed on the version,
    on exactly its current text (or on the text hashing to `text`)."""
    positions = {link.reviewer_id: link.position for link in version.reviewer_links.all()}
    text = text or version.text_sha256()
    approvals = [
        approval
        for approval in version.approvals.all()
        if approval.text_sha256 == text and approval.reviewer_id in positions
    ]
    return sorted(approvals, key=lambda approval: positions[approval.reviewer_id])


def awaited_reviewers(version: ArticleVersion) -> list[Reviewer]:
    """Listed reviewers who have not yet approved the version's current text."""
    signed = {approval.reviewer_id for approval in current_approvals(version)}
    return [reviewer for reviewer in version.ordered_reviewers if reviewer.pk not in signed]


def signatories(version: ArticleVersion) -> list[ReviewerSource]:
    """Whom the page names for the version's medical review, as they signed.

    A content file names its reviewers; an approved version, everyone whose approval counts
    (name and credentials as at signing); a version not yet approved, whom it awaits.
    """
    if version.from_file:
        return [
            ReviewerSource(name=link.name, credentials=link.credentials)
            if link.name
            else ReviewerSource(name=link.reviewer.name, credentials=link.reviewer.credentials)
            for link in version.reviewer_links.select_related("reviewer")
        ]
    if version.last_reviewed is not None:
        # The text the last sign-off approved: if the text were changed behind the workflow's
        # back, the names stay and the content hash, which covers the text, tells.
        approved = version.approval
        return [
            ReviewerSource(name=a.reviewer_name, credentials=a.reviewer_credentials)
            for a in current_approvals(version, approved.text_sha256 if approved else None)
        ]
    return [
        ReviewerSource(name=reviewer.name, credentials=reviewer.credentials)
        for reviewer in version.ordered_reviewers
    ]


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
    """Record one listed reviewer's sign-off on the exact text of a version in review.

    The version becomes approved once enough listed reviewers have signed that text
    (`required_approvals`); the last sign-off dates the review ("Last reviewed"). A version
    that lists no reviewer takes the first clinician who approves it as its reviewer.
    """
    permissions.check(by, "approve")
    with transaction.atomic():
        locked = _locked(version)
        _require_state(locked, "approve", "approved")
        permissions.check(by, "approve", locked)
        reviewer = permissions.reviewer_for(by)
        if not locked.reviewer_links.exists():
            _list_reviewers(locked, [reviewer])
        text = locked.text_sha256()
        if locked.approvals.filter(reviewer=reviewer, text_sha256=text).exists():
            raise WorkflowError(f"{reviewer} has already approved this text of {locked}.")
        now = timezone.now()
        approval = Approval.objects.create(
            version=locked,
            reviewer=reviewer,
            reviewer_name=reviewer.name,
            reviewer_credentials=reviewer.credentials,
            approved_by=by,
            approved_at=now,
            text_sha256=text,
        )
        _record(locked, Action.APPROVED, by, str(reviewer))
        signed = current_approvals(locked)
        if len(signed) >= required_approvals(locked.reviewer_links.count()):
            today = timezone.localdate(now)
            locked.state = VersionState.APPROVED
            locked.last_reviewed = today
            locked.next_review_due = default_next_review(today)
            locked.content_sha256 = _reviewed_source(locked).content_sha256
            locked.full_clean(exclude=["article"])
            locked.save()
    return approval


def _reviewed_source(version: ArticleVersion) -> ArticleSource:
    return ArticleSource(
        path=f"{version.article.slug}.md",
        title=version.title,
        slug=version.article.slug,
        summary=version.summary,
        reviewed_by=tuple(signatories(version)),
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
    if not version.from_file:
        _check_approvals(version)


def _check_approvals(version: ArticleVersion) -> None:
    if not version.approvals.exists():
        raise WorkflowError(f"{version} has no medical approval.")
    signed = current_approvals(version)
    if not signed and version.approvals.exclude(text_sha256=version.text_sha256()).exists():
        raise WorkflowError(
            f"{version}: the text changed after it was approved; it needs a fresh review."
        )
    if len(signed) < required_approvals(version.reviewer_links.count()):
        raise WorkflowError(f"{version} still awaits approvals from its listed reviewers.")


def publish_version(version: ArticleVersion, *, by) -> Article:
    """Make an approved version the one patients see, in one transaction.

    Every older version still open or published becomes superseded.
    """
    permissions.check(by, "publish")
    with transaction.atomic():
        article = _publish(version, by=by)
        _queue_mail(tasks.mail_published, version.pk)
    return article


def publish_loaded_version(version: ArticleVersion) -> Article:
    """Publish a version loaded from a content file: the file's front matter is its medical
    review, so no person's permission is asked; any other version is refused."""
    if not ArticleVersion.objects.filter(pk=version.pk, from_file=True).exists():
        raise PermissionDenied(f"{version} was not loaded from a content file.")
    return _publish(version, by=None)


def _publish(version: ArticleVersion, *, by) -> Article:
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=version.article_id)
        locked = _locked(version)
        _require_state(locked, "publish", "published")
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


def signing_reviewers(version: ArticleVersion) -> list[Reviewer]:
    """The Reviewer records behind the clinicians a reviewed version names."""
    if version.from_file:
        return version.ordered_reviewers
    approved = version.approval
    text = approved.text_sha256 if approved else None
    return [approval.reviewer for approval in current_approvals(version, text)]


def remind_reviewers(articles) -> dict[Reviewer, list[ArticleVersion]]:
    """Email each reviewer of `articles` (published, review due) about the ones they have not
    been told of in this review cycle; returns who was told of what. Safe to run daily."""
    due: dict[Reviewer, list[ArticleVersion]] = {}
    for article in articles:
        version = article.published_version
        for reviewer in signing_reviewers(version):
            if not ReviewReminder.objects.filter(version=version, reviewer=reviewer).exists():
                due.setdefault(reviewer, []).append(version)
    told: dict[Reviewer, list[ArticleVersion]] = {}
    today = timezone.localdate()
    for reviewer, versions in due.items():
        if not notifications.send_review_due(reviewer.pk, [v.pk for v in versions], today):
            continue  # no address, or the mail failed: try again next run
        now = timezone.now()
        ReviewReminder.objects.bulk_create(
            [ReviewReminder(version=v, reviewer=reviewer, sent_at=now) for v in versions],
            ignore_conflicts=True,
        )
        told[reviewer] = versions
    return told


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
    source: ArticleSource, latest: ArticleVersion | None, *, force: bool, keep_elsewhere: bool
) -> tuple[str, ArticleVersion | None]:
    if latest is None:
        return "created", None
    if latest.content_sha256 == source.content_sha256:
        return "unchanged", latest
    if latest.source != source.path and not force:
        if keep_elsewhere:
            return "kept", latest
        raise LoadRefused(
            [
                f"{source.path}: slug: v{latest.number} of '{source.slug}' was made by "
                f"'{latest.source}', not by this file; run with --force to replace it"
            ]
        )
    return "updated", latest


def load_sources(
    sources: list[ArticleSource],
    *,
    force: bool = False,
    keep_elsewhere: bool = False,
    dry_run: bool = False,
) -> list[LoadResult]:
    """Load validated sources: a new published version for each changed one, nothing otherwise.

    An article whose newest version was made outside its file (in the admin) is refused,
    replaced with `force`, or left as it is with `keep_elsewhere` (how the site starts up).
    All files are checked before any is written, and all are written in one transaction.
    """
    newest = _newest_versions([source.slug for source in sources])
    plans, problems = [], []
    for source in sources:
        try:
            latest = newest.get(source.slug)
            plan = _plan(source, latest, force=force, keep_elsewhere=keep_elsewhere)
            plans.append((source, *plan))
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
            if outcome in ("unchanged", "kept"):
                results.append(
                    LoadResult(source.path, source.slug, outcome, latest.number, latest.source)
                )
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
                publish_loaded_version(version)
                number = version.number
            results.append(LoadResult(source.path, source.slug, outcome, number))
    return results


# Staff accounts: linking a clinician's Reviewer record to the account they approve with.


def parse_reviewer(text: str) -> tuple[str, str]:
    """ "Ray Hamilton, DNP, PMHNP-BC, FNP-C" → ("Ray Hamilton", "DNP, PMHNP-BC, FNP-C")."""
    name, _, credentials = text.partition(",")
    return " ".join(name.split()), ", ".join(c.strip() for c in credentials.split(",") if c.strip())


def unlinked_reviewer_names() -> list[str]:
    """ "Name, Credentials" of every reviewer no staff account approves with yet."""
    return [str(reviewer) for reviewer in Reviewer.objects.filter(user__isnull=True)]


def link_reviewer(user, *, text: str, by) -> Reviewer:
    """Link `user` to the reviewer written as "Name, Credentials", created if new.

    `by` None means a server command. Refuses a reviewer already linked to someone else.
    """
    if by is not None and not (
        by.is_superuser or by.has_perms(["articles.add_reviewer", "articles.change_reviewer"])
    ):
        raise PermissionDenied("Only a superuser or someone who may add and change reviewers.")
    name, credentials = parse_reviewer(text)
    if not name:
        raise ValidationError({"reviewer": "Write the reviewer as “Name, Credentials”."})
    with transaction.atomic():
        reviewer = (
            Reviewer.objects.select_for_update().filter(name=name, credentials=credentials).first()
        )
        if reviewer is None:
            reviewer = Reviewer(name=name, credentials=credentials)
        elif reviewer.user_id not in (None, user.pk):
            raise ValidationError(
                {"reviewer": f"{reviewer} is already linked to another staff account."}
            )
        reviewer.user = user
        reviewer.full_clean()
        reviewer.save()
    return reviewer
