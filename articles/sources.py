"""Markdown source files → validated front matter and body.

Every problem is collected and reported as `file: field: what is wrong`, so an editor
can fix a whole batch at once. No ORM here.
"""

import datetime
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import frontmatter
import yaml
from django.conf import settings

from articles.rendering import CTA_BODY_LINE_RE, CTA_HEADER_RE, limit_problems
from articles.validators import invisible_character_problem


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML as content files need it: no anchors or aliases, dates left as text.

    An alias can expand a few hundred bytes into gigabytes (a "billion laughs"), so the first
    anchor or alias is refused while the document is composed, before any value is built.
    Dates stay text so an impossible one (2025-02-30) is reported on its field by `_date`.
    """

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (&name, *name) are not allowed", event.start_mark
            )
        return super().compose_node(parent, index)


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _YAMLOnly(frontmatter.YAMLHandler):
    """Front matter is YAML between --- lines, nothing else (python-frontmatter would also take
    JSON or TOML by the file's first character)."""

    def load(self, fm: str, **kwargs):
        return yaml.load(fm, Loader=_FrontMatterLoader)  # noqa: S506 - a SafeLoader subclass


REQUIRED_KEYS = ("title", "slug", "summary", "reviewed_by", "last_reviewed")
OPTIONAL_KEYS = ("next_review_due", "about")
REVIEWER_KEYS = ("name", "credentials")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_TITLE = 200
MAX_SUMMARY = 160
MAX_SLUG = 100
MAX_NAME = 200


@dataclass(frozen=True)
class ReviewerSource:
    name: str
    credentials: str


@dataclass(frozen=True)
class ArticleSource:
    """One article as its source file describes it."""

    path: str
    title: str
    slug: str
    summary: str
    reviewed_by: tuple[ReviewerSource, ...]
    last_reviewed: datetime.date
    next_review_due: datetime.date | None
    about: str
    body: str

    @property
    def content_sha256(self) -> str:
        return content_sha256(
            title=self.title,
            slug=self.slug,
            summary=self.summary,
            reviewed_by=self.reviewed_by,
            last_reviewed=self.last_reviewed,
            next_review_due=self.next_review_due,
            about=self.about,
            body=self.body,
        )


class SourceError(Exception):
    """A source file failed validation; `problems` holds every `file: field: message` line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def normalize_body(body: str) -> str:
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n") + "\n"


def content_sha256(
    *,
    title: str,
    slug: str,
    summary: str,
    reviewed_by,
    last_reviewed: datetime.date,
    next_review_due: datetime.date | None,
    about: str,
    body: str,
) -> str:
    """Hash of what a reader and a reviewer see, independent of YAML layout or line endings."""
    canonical = json.dumps(
        {
            "title": title,
            "slug": slug,
            "summary": summary,
            "reviewed_by": [[r.name, r.credentials] for r in reviewed_by],
            "last_reviewed": last_reviewed.isoformat(),
            "next_review_due": next_review_due.isoformat() if next_review_due else None,
            "about": about,
            "body": normalize_body(body),
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def text_sha256(*, title: str, slug: str, summary: str, about: str, body: str) -> str:
    """Hash of the words an editor writes and a reviewer approves (no review metadata)."""
    canonical = json.dumps(
        {
            "title": title,
            "slug": slug,
            "summary": summary,
            "about": about,
            "body": normalize_body(body),
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def dump_source(source: ArticleSource) -> str:
    """The markdown file for `source`: front matter, a blank line, the body.

    `parse_source` reads it back to the same `content_sha256`.
    """
    meta: dict = {"title": source.title, "slug": source.slug, "summary": source.summary}
    if source.about:
        meta["about"] = source.about
    meta["reviewed_by"] = [
        {"name": r.name, "credentials": r.credentials} for r in source.reviewed_by
    ]
    meta["last_reviewed"] = source.last_reviewed
    if source.next_review_due:
        meta["next_review_due"] = source.next_review_due
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{front}---\n\n{normalize_body(source.body)}"


def collect_paths(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Expand folders to their `*.md` files (sorted); report paths that do not exist."""
    found: list[Path] = []
    problems: list[str] = []
    for path in paths:
        if path.is_dir():
            root = path.resolve()
            for candidate in sorted(path.rglob("*.md")):
                if not candidate.resolve().is_relative_to(root):
                    problems.append(f"{candidate}: path: a link to outside {path}; refused")
                elif candidate.is_file():
                    found.append(candidate)
                else:
                    problems.append(f"{candidate}: path: not a file")
        elif path.is_file():
            if path.is_symlink() and not path.resolve().is_relative_to(path.parent.resolve()):
                problems.append(f"{path}: path: a link to outside its folder; refused")
            else:
                found.append(path)
        else:
            problems.append(f"{path}: path: no such file or folder")
    return found, problems


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(settings.BASE_DIR))
    except ValueError:
        return str(path)


def read_source(path: Path) -> ArticleSource:
    """Read and validate one file; raises SourceError listing every problem found."""
    name = display_path(path)
    try:
        size = path.stat().st_size
        limit = settings.ARTICLES_MAX_SOURCE_BYTES
        if size > limit:
            raise SourceError([f"{name}: file: {size} bytes is over the {limit} byte limit"])
        raw = path.read_bytes()
    except OSError as error:
        raise SourceError([f"{name}: file: cannot be read ({error.strerror})"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError([f"{name}: file: not valid UTF-8 (byte {exc.start})"]) from None
    return parse_source(text, name=name)


def parse_source(text: str, *, name: str) -> ArticleSource:
    if not text.startswith("---"):
        raise SourceError([f"{name}: front matter: missing (a YAML block between --- lines)"])
    try:
        post = frontmatter.loads(text, handler=_YAMLOnly())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        why = f": {exc.problem}" if getattr(exc, "problem", None) else ""
        raise SourceError([f"{name}: front matter: not valid YAML{where}{why}"]) from None
    except RecursionError:
        raise SourceError([f"{name}: front matter: nested too deeply"]) from None
    except (ValueError, OverflowError) as exc:  # e.g. an integer of 5,000 digits
        raise SourceError([f"{name}: front matter: a value cannot be read ({exc})"[:300]]) from None
    meta = post.metadata
    if not isinstance(meta, dict) or not meta:
        raise SourceError([f"{name}: front matter: missing (a YAML block between --- lines)"])
    problems: list[str] = []

    def problem(field_name: str, message: str) -> None:
        problems.append(f"{name}: {field_name}: {message}")

    for key in sorted(set(map(str, meta)) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS)):
        problem(
            _shown(key), "unknown key (allowed: " + ", ".join(REQUIRED_KEYS + OPTIONAL_KEYS) + ")"
        )
    for key in REQUIRED_KEYS:
        if key not in meta:
            problem(key, "missing")

    title = _text(meta, "title", MAX_TITLE, problem, required=True)
    summary = _text(meta, "summary", MAX_SUMMARY, problem, required=True)
    about = _text(meta, "about", MAX_TITLE, problem, required=False)
    slug = meta.get("slug")
    if "slug" in meta and not (isinstance(slug, str) and SLUG_RE.match(slug)):
        problem("slug", "must be lowercase letters, digits and single hyphens, like 'my-article'")
    elif isinstance(slug, str) and len(slug) > MAX_SLUG:
        problem("slug", f"longer than {MAX_SLUG} characters")
    reviewers = _reviewers(meta.get("reviewed_by"), problem) if "reviewed_by" in meta else ()
    last_reviewed = _date(meta, "last_reviewed", problem)
    next_review_due = _date(meta, "next_review_due", problem)
    if last_reviewed and last_reviewed > datetime.date.today():
        problem("last_reviewed", f"{last_reviewed.isoformat()} is in the future")
    if last_reviewed and next_review_due and next_review_due < last_reviewed:
        problem("next_review_due", "is before last_reviewed")
    body = normalize_body(post.content)
    problems.extend(f"{name}: body: {message}" for message in body_problems(body))
    if problems:
        raise SourceError(problems)
    return ArticleSource(
        path=name,
        title=title,
        slug=slug,
        summary=summary,
        reviewed_by=reviewers,
        last_reviewed=last_reviewed,
        next_review_due=next_review_due,
        about=about,
        body=body,
    )


def _shown(text: str, limit: int = 40) -> str:
    """`text` cut short for a problem line, so a huge key cannot flood the report."""
    return text if len(text) <= limit else text[:limit] + "…"


def text_problems(*, title: str, summary: str, about: str, body: str) -> dict[str, list[str]]:
    """Problems in the fields an editor writes, by field name: the same rules as for files."""
    problems: dict[str, list[str]] = {}

    def problem(field_name: str, message: str) -> None:
        problems.setdefault(field_name, []).append(message)

    meta = {"title": title, "summary": summary, "about": about}
    _text(meta, "title", MAX_TITLE, problem, required=True)
    _text(meta, "summary", MAX_SUMMARY, problem, required=True)
    _text(meta, "about", MAX_TITLE, problem, required=False)
    for message in body_problems(normalize_body(body)):
        problem("body", message)
    return problems


def _text(meta: dict, key: str, limit: int, problem, *, required: bool) -> str:
    value = meta.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        problem(key, "must be text")
        return ""
    value = value.strip()
    if required and not value:
        problem(key, "is empty")
    elif len(value) > limit:
        problem(key, f"is {len(value)} characters; the limit is {limit}")
    elif CONTROL_RE.search(value) or "\n" in value:
        problem(key, "contains a line break or control character")
    elif invisible := invisible_character_problem(value):
        problem(key, invisible)
    return value


def _reviewers(value, problem) -> tuple[ReviewerSource, ...]:
    if not isinstance(value, list) or not value:
        problem("reviewed_by", "needs at least one reviewer, as a list of {name, credentials}")
        return ()
    reviewers = []
    for index, item in enumerate(value, start=1):
        label = f"reviewed_by[{index}]"
        if not isinstance(item, dict):
            problem(label, "must be a mapping with name and credentials")
            continue
        unknown = sorted(_shown(str(key)) for key in set(item) - set(REVIEWER_KEYS))
        if unknown:
            problem(label, "unknown key " + ", ".join(unknown) + " (allowed: name, credentials)")
        name = item.get("name")
        credentials = item.get("credentials") or ""
        if not isinstance(name, str) or not name.strip():
            problem(f"{label}.name", "missing or empty")
            continue
        if not isinstance(credentials, str):
            problem(f"{label}.credentials", "must be text")
            continue
        name, credentials = name.strip(), credentials.strip()
        if len(name) > MAX_NAME or len(credentials) > MAX_NAME:
            problem(label, f"name and credentials are limited to {MAX_NAME} characters")
        elif CONTROL_RE.search(name + credentials) or "\n" in name + credentials:
            problem(label, "contains a line break or control character")
        elif invisible := invisible_character_problem(name):
            problem(f"{label}.name", invisible)
        elif invisible := invisible_character_problem(credentials):
            problem(f"{label}.credentials", invisible)
        elif ReviewerSource(name=name, credentials=credentials) in reviewers:
            problem(label, f"{name} is listed twice")
        else:
            reviewers.append(ReviewerSource(name=name, credentials=credentials))
    return tuple(reviewers)


def _date(meta: dict, key: str, problem) -> datetime.date | None:
    value = meta.get(key)
    if value is None:
        return None
    # YAML turns an unquoted 2025-03-13 into a date; a quoted one stays text.
    if isinstance(value, datetime.datetime):
        problem(key, "must be a date (YYYY-MM-DD) without a time")
        return None
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}[Tt ].*", value.strip()):
        problem(key, "must be a date (YYYY-MM-DD) without a time")
        return None
    problem(key, f"{str(value)[:40]!r} is not an ISO date (YYYY-MM-DD)")
    return None


def body_problems(body: str) -> list[str]:
    """Problems in the markdown body: empty, control characters, malformed `!!! cta` blocks,
    and the rendering limits (size, costly markup)."""
    if not body.strip():
        return ["is empty"]
    problems = limit_problems(body)
    lines = body.split("\n")
    for number, line in enumerate(lines, start=1):
        if CONTROL_RE.search(line):
            problems.append(f"line {number}: contains a control character")
        if not line.startswith("!!!"):
            continue
        problems.extend(f"line {number}: {message}" for message in _cta_problems(lines, number))
    return problems


def _cta_problems(lines: list[str], number: int) -> list[str]:
    """Check the `!!!` block starting on 1-based line `number` (it must stand alone)."""
    match = CTA_HEADER_RE.match(lines[number - 1])
    if not match:
        return ['a call-to-action must be written !!! cta "Heading"']
    if not match.group("heading").strip():
        return ["call-to-action heading is empty"]
    if invisible := invisible_character_problem(match.group("heading")):
        return [f"call-to-action heading {invisible}"]
    if number > 1 and lines[number - 2].strip():
        return ["call-to-action needs a blank line before it"]
    end = number
    while end < len(lines) and CTA_BODY_LINE_RE.match(lines[end]):
        end += 1
    if end == number:
        return ["call-to-action needs an indented sentence on the next line"]
    if end < len(lines) and lines[end].strip():
        return [f"call-to-action must be followed by a blank line (line {end + 1})"]
    return []
