"""Editorial checks shown on each version: length, reading level, structure, links, review.

They advise; they do not block publishing. Patient content should read at grade 8 or below
(Flesch-Kincaid, via textstat). No ORM here: the caller passes in what the checks need.
"""

import datetime
import math
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

import textstat
from django.urls import Resolver404, resolve

from articles.sources import MAX_SUMMARY

READING_GRADE_TARGET = 8
WORDS_PER_MINUTE = 200
BLOCK_TAGS = {"p", "li", "h2", "h3", "h4", "h5", "h6", "td", "th", "blockquote", "pre", "aside"}
HEADING_TAGS = {"h2", "h3", "h4", "h5", "h6"}


@dataclass(frozen=True)
class Check:
    label: str
    result: str
    ok: bool


class _BodyParser(HTMLParser):
    """Collects text blocks, headings (level, text, id) and link targets from body HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.headings: list[tuple[int, str, str]] = []
        self.links: list[str] = []
        self._text: list[str] = []
        self._heading: tuple[int, str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self._flush()
        if tag in HEADING_TAGS:
            self._heading = (int(tag[1]), dict(attrs).get("id") or "")
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            text = self._flush()
            if tag in HEADING_TAGS and self._heading:
                self.headings.append((self._heading[0], text, self._heading[1]))
                self._heading = None

    def handle_data(self, data):
        self._text.append(data)

    def _flush(self) -> str:
        text = " ".join("".join(self._text).split())
        self._text = []
        if text:
            self.blocks.append(text)
        return text


def plain_text(blocks: list[str]) -> str:
    """Blocks joined as sentences: a heading or list item without a full stop still ends one."""
    return " ".join(b if b[-1] in ".!?:" else b + "." for b in blocks)


def run_checks(
    *,
    summary: str,
    body_html: str,
    next_review_due: datetime.date | None,
    today: datetime.date,
    published_slugs: set[str],
) -> list[Check]:
    parser = _BodyParser()
    parser.feed(body_html)
    parser.close()
    text = plain_text(parser.blocks)
    return [
        *_length_checks(text),
        _grade_check(text),
        _heading_check(parser.headings),
        _link_check(parser.links, {h[2] for h in parser.headings}, published_slugs),
        _summary_check(summary),
        _review_check(next_review_due, today),
    ]


def _length_checks(text: str) -> list[Check]:
    words = textstat.lexicon_count(text)
    minutes = max(1, math.ceil(words / WORDS_PER_MINUTE)) if words else 0
    return [
        Check("Word count", f"{words} words", words > 0),
        Check("Reading time", f"about {minutes} min at {WORDS_PER_MINUTE} words a minute", True),
    ]


def _grade_check(text: str) -> Check:
    if not text:
        return Check("Reading grade", "no text", False)
    grade = textstat.flesch_kincaid_grade(text)
    ok = grade <= READING_GRADE_TARGET
    advice = "" if ok else "; use shorter sentences and everyday words"
    return Check(
        "Reading grade",
        f"{grade:.1f} (Flesch-Kincaid; target {READING_GRADE_TARGET} or below{advice})",
        ok,
    )


def heading_problems(headings: list[tuple[int, str, str]]) -> list[str]:
    """Headings that skip a level (the page title is the h1, so the body starts at h2)."""
    problems = []
    previous = 1
    for level, text, _ in headings:
        if level > previous + 1:
            problems.append(f"h{level} “{text}” follows h{previous}")
        previous = level
    return problems


def _heading_check(headings) -> Check:
    problems = heading_problems(headings)
    if problems:
        return Check("Headings in order", "; ".join(problems), False)
    return Check("Headings in order", f"{len(headings)} headings, none skips a level", True)


def missing_links(hrefs: list[str], anchors: set[str], published_slugs: set[str]) -> list[str]:
    """Links to this site (or to a heading here) that lead nowhere a patient can read."""
    missing = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            continue
        if not parts.path:
            if parts.fragment and parts.fragment not in anchors:
                missing.append(href)
            continue
        if not parts.path.startswith("/"):
            missing.append(href)  # relative to the article's own address: almost always a slip
            continue
        try:
            match = resolve(parts.path)
        except Resolver404:
            missing.append(href)
            continue
        if match.view_name == "articles:detail" and match.kwargs["slug"] not in published_slugs:
            missing.append(href)
    return sorted(set(missing))


def _link_check(hrefs, anchors, published_slugs) -> Check:
    missing = missing_links(hrefs, anchors, published_slugs)
    if missing:
        return Check("Internal links", "missing: " + ", ".join(missing), False)
    return Check("Internal links", "every link to this site leads to a page", True)


def _summary_check(summary: str) -> Check:
    length = len(summary.strip())
    if not length:
        return Check("Summary", "missing", False)
    if length > MAX_SUMMARY:
        return Check("Summary", f"{length} characters; at most {MAX_SUMMARY}", False)
    return Check("Summary", f"{length} characters (at most {MAX_SUMMARY})", True)


def _review_check(next_review_due: datetime.date | None, today: datetime.date) -> Check:
    if next_review_due is None:
        return Check("Review", "not reviewed yet: the approval dates the review", True)
    if next_review_due < today:
        days = (today - next_review_due).days
        return Check("Review", f"overdue since {next_review_due.isoformat()} ({days} days)", False)
    return Check("Review", f"next review due {next_review_due.isoformat()}", True)
