"""Markdown → sanitized HTML → call-to-action blocks: the one render function.

The public page, the staff preview and markdownx's live preview all call
`render_markdown`, so what an editor previews is byte for byte what patients get.
No ORM here: callers pass in what the render needs.
"""

import functools
import math
import os
import pickle
import re
import resource
import secrets
import select
import signal
import time
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import bleach
import markdown
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.text import slugify
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension

# `!!! cta "Heading"` followed by indented lines: Python-Markdown's admonition syntax,
# restricted to the one block type the site renders.
CTA_HEADER_RE = re.compile(r'^!!! cta "(?P<heading>[^"\r\n]*)"[ \t]*$')
CTA_BODY_LINE_RE = re.compile(r"^(?: {4}|\t)(?P<text>.*\S.*)$")

ALLOWED_TAGS = frozenset(
    {
        "h2", "h3", "h4", "h5", "h6", "p", "br", "hr",
        "ul", "ol", "li", "strong", "em", "b", "i", "a", "blockquote",
        "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub",
    }
)  # fmt: skip
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})
HEADING_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
HEADING_TAGS = {"h2", "h3", "h4", "h5", "h6"}


# What a browser's URL parser drops or reads as "/" before it resolves a link: leading and
# trailing C0 controls and spaces, tabs and newlines anywhere, and "\\" (for http(s) pages).
_URL_STRIP = "".join(chr(c) for c in range(0x21))
_URL_DROP = str.maketrans({"\t": None, "\n": None, "\r": None, "\\": "/"})


def is_allowed_href(value: str) -> bool:
    """An absolute http(s), mailto: or tel: URL, a site-relative path or a #fragment.

    Read the way a browser reads it, so `//host`, `/\\host`, `\\\\host` or `/<tab>/host`
    (which all lead to another site) are refused, as are bare relative paths like
    `www.example.org`, which would point at a page of this site that does not exist.
    """
    url = value.strip(_URL_STRIP).translate(_URL_DROP)
    if url.startswith("//"):
        return False
    if url.startswith(("/", "#")):
        return True
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return False
    return scheme in ALLOWED_PROTOCOLS


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if tag == "a":
        return name == "title" or (name == "href" and is_allowed_href(value))
    if tag in HEADING_TAGS:
        # Only the ids the toc extension makes (no page-level ids can be clobbered).
        return name == "id" and bool(HEADING_ID_RE.match(value))
    if tag == "ol":
        return name == "start" and value.isdigit()
    return False


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allowed_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)


@dataclass
class CallToAction:
    heading: str
    text: str


@dataclass
class Rendered:
    html: str
    ctas: list[CallToAction] = field(default_factory=list)


class CtaBlockProcessor(BlockProcessor):
    """Turns a `!!! cta "Heading"` block into a placeholder paragraph.

    The placeholder is plain text carrying a per-render random token, so it passes through
    the sanitizer untouched and cannot be forged by an editor; after sanitizing it is
    replaced by the call-to-action template.
    """

    def __init__(self, parser, token: str, ctas: list[CallToAction]):
        super().__init__(parser)
        self.token = token
        self.ctas = ctas

    def test(self, parent, block):
        lines = block.split("\n")
        return (
            bool(CTA_HEADER_RE.match(lines[0]))
            and len(lines) > 1
            and all(CTA_BODY_LINE_RE.match(line) for line in lines[1:])
        )

    def run(self, parent, blocks):
        lines = blocks.pop(0).split("\n")
        heading = CTA_HEADER_RE.match(lines[0]).group("heading").strip()
        text = " ".join(CTA_BODY_LINE_RE.match(line).group("text").strip() for line in lines[1:])
        self.ctas.append(CallToAction(heading=heading, text=text))
        placeholder = etree.SubElement(parent, "p")
        placeholder.text = f"{self.token}x{len(self.ctas) - 1}"


class SiteMarkdownExtension(Extension):
    def __init__(self, token: str, ctas: list[CallToAction]):
        super().__init__()
        self.token = token
        self.ctas = ctas

    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's API name
        # Editors write markdown, not HTML: raw HTML is shown as text instead of passed on.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.parser.blockprocessors.register(
            CtaBlockProcessor(md.parser, self.token, self.ctas), "cta", 105
        )


# Ids the page templates use around the body (skip link target, table of contents, crisis
# card): a heading slug that would repeat one gets a prefix, so ids stay unique on the page.
PAGE_ID_PREFIXES = ("main-content", "toc-", "crisis-")


def _heading_slug(value: str, separator: str) -> str:
    slug = slugify(value).replace("-", separator)[:80] or "section"
    if slug.startswith(PAGE_ID_PREFIXES):
        slug = f"section{separator}{slug}"
    return slug


def _new_markdown(token: str, ctas: list[CallToAction]) -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[
            "toc",
            "tables",
            "sane_lists",
            "fenced_code",
            SiteMarkdownExtension(token, ctas),
        ],
        extension_configs={"toc": {"slugify": _heading_slug}},
        output_format="html",
    )


def sanitize(html: str) -> str:
    return _cleaner.clean(html)


class RenderRefused(ValueError):
    """A body the site will not render (too long, too costly, too slow); says why, for editors."""


# Python-Markdown finds the partner of each "[", "(" and backtick run by scanning forward, to
# the end of the paragraph when there is none, and rebuilds a paragraph's text after each piece
# of inline markup it finds. Unmatched or deeply nested markup therefore costs the square of
# the paragraph's length (2,500 "[" take a second, 20,000 a minute). These bounds are measured
# in one linear pass before it runs; real articles use a small fraction of each
# (`python -m bench.render_shapes` measures each shape against them).
MAX_PARTNER_SCAN = 300_000  # characters scanned looking for partners, in the whole body
MAX_MARKUP_COPY = 100_000_000  # markup characters × their paragraph's length, in the whole body
MAX_NESTING = 20  # list and quote levels
MAX_HEADINGS = 500
MAX_FENCES = 200  # ``` or ~~~ lines
MAX_BLOCK_LINES = 1000  # lines in one paragraph, list or table (the sanitizer's cost grows faster)
# Each element costs a fraction of a millisecond in Python-Markdown and the sanitizer, so the
# number of elements is bounded too: by lines of text, calls to action and markup characters.
# The seed article has 54 lines, 7 calls to action and 29 markup characters in 6 KB.
MAX_LINES = 4000
MAX_CTAS = 200
MAX_MARKUP = 10_000
INLINE_MARKUP = frozenset("[]()`*_<>&!\\")
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")


def _partner_scan(block: str) -> int:
    """How far Python-Markdown scans for the partners of this paragraph's brackets and backticks."""
    end = len(block)
    scanned = 0
    open_at = {"[": [], "(": []}
    tick_runs: list[tuple[int, int]] = []
    index = 0
    while index < end:
        char = block[index]
        if char == "\\":
            index += 2
            continue
        if char in open_at:
            open_at[char].append(index)
        elif char in "])":
            stack = open_at["[" if char == "]" else "("]
            if stack:
                scanned += index - stack.pop()
        elif char == "`":
            start = index
            while index < end and block[index] == "`":
                index += 1
            tick_runs.append((start, index - start))
            continue
        index += 1
    scanned += sum(end - start for stack in open_at.values() for start in stack)
    # Each backtick run scans to the next run of the same length, or to the end. After one
    # run without a partner, Python-Markdown resumes inside later runs and every one of them
    # scans to the end.
    partner: list[int | None] = []
    next_run: dict[int, int] = {}
    for start, length in reversed(tick_runs):
        partner.append(next_run.get(length))
        next_run[length] = start
    lost = False
    for (start, _length), found in zip(tick_runs, reversed(partner), strict=True):
        lost = lost or found is None
        scanned += (end if lost else found) - start
    return scanned


def _nesting(line: str) -> int:
    """List and quote levels a line opens: its "> " markers plus its indentation / 4."""
    depth = 0
    column = 0
    for char in line:
        if char == ">":
            depth += 1
            column = 0
        elif char == " ":
            column += 1
        elif char == "\t":
            column += 4
        else:
            break
    return depth + column // 4


def _paragraphs(lines: list[str]):
    """(first line number, text) of each run of non-blank lines: inline markup never spans two."""
    block: list[str] = []
    start = 1
    for number, line in enumerate([*lines, ""], start=1):
        if line.strip(" \t"):
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, "\n".join(block)
            block = []


def limit_problems(text: str) -> list[str]:
    """Problems that would make the render of `text` slow or deep: one linear pass."""
    limit = settings.ARTICLES_MAX_BODY_BYTES
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limit:
        return [f"is {size:,} bytes long; the limit is {limit:,} bytes"]
    problems = []
    lines = text.split("\n")
    deep = next((n for n, line in enumerate(lines, 1) if _nesting(line) > MAX_NESTING), None)
    if deep:
        problems.append(f"line {deep}: lists or quotes are nested more than {MAX_NESTING} deep")
    headings = sum(1 for line in lines if line.startswith("#"))
    if headings > MAX_HEADINGS:
        problems.append(f"has {headings:,} headings; the limit is {MAX_HEADINGS}")
    filled = sum(1 for line in lines if line.strip(" \t"))
    if filled > MAX_LINES:
        problems.append(f"has {filled:,} lines of text; the limit is {MAX_LINES:,}")
    ctas = sum(1 for line in lines if line.startswith("!!!"))
    if ctas > MAX_CTAS:
        problems.append(f"has {ctas:,} calls to action; the limit is {MAX_CTAS}")
    markup = sum(map(text.count, INLINE_MARKUP))
    if markup > MAX_MARKUP:
        problems.append(
            f"has {markup:,} markup characters ([ ] ( ) ` * _ < & ! \\); the limit is "
            f"{MAX_MARKUP:,}"
        )
    fences = sum(1 for line in lines if line.lstrip(" ").startswith(("```", "~~~")))
    if fences > MAX_FENCES:
        problems.append(f"has {fences:,} code fence lines (``` or ~~~); the limit is {MAX_FENCES}")
    scanned = copied = 0
    worst, worst_line = 0.0, 1
    for start, block in _paragraphs(lines):
        if block.count("\n") >= MAX_BLOCK_LINES:
            problems.append(
                f"line {start}: a paragraph, list or table of more than {MAX_BLOCK_LINES} lines; "
                "split it with blank lines"
            )
            return problems
        cost = _partner_scan(block)
        copy = sum(map(block.count, INLINE_MARKUP)) * len(block)
        scanned += cost
        copied += copy
        share = cost / MAX_PARTNER_SCAN + copy / MAX_MARKUP_COPY
        if share > worst:
            worst, worst_line = share, start
    if scanned > MAX_PARTNER_SCAN or copied > MAX_MARKUP_COPY:
        problems.append(
            f"line {worst_line}: too much unmatched or nested markup ([ ] ( ) ` * _ < &) in "
            "this paragraph and others like it; close each bracket and backtick, write \\[ for "
            "a literal bracket, or split long paragraphs with blank lines"
        )
    return problems


def render_problems(text: str) -> list[str]:
    """Why `text` cannot be rendered (empty when it can): the limits, then the render itself."""
    result = render_many([(text, "")])[0]
    return [str(result)] if isinstance(result, RenderRefused) else []


def render_markdown(text: str, *, source: str = "") -> Rendered:
    """Render editor markdown to the sanitized HTML patients see.

    `source` is the article's slug, carried by each call-to-action link into the intake form.
    Raises RenderRefused for a body over the limits or one whose render takes too long.
    """
    result = render_many([(text, source)])[0]
    if isinstance(result, RenderRefused):
        raise result
    return result


def render_many(items: list[tuple[str, str]]) -> list[Rendered | RenderRefused]:
    """Render each (markdown, source slug) within the limits; a refusal takes a refused one's place.

    The renders run in a forked child that the parent stops after
    ARTICLES_RENDER_TIMEOUT_SECONDS per item: nothing inside one process can stop
    Python-Markdown mid-way without a thread or a signal handler in the web server's worker,
    and killing a child leaves nothing behind. One child serves a whole batch (the loader's).
    """
    results: list[Rendered | RenderRefused | None] = [None] * len(items)
    pending = []
    for index, (text, _source) in enumerate(items):
        problems = limit_problems(text)
        if problems:
            results[index] = RenderRefused("; ".join(problems))
        else:
            pending.append(index)
    timeout = settings.ARTICLES_RENDER_TIMEOUT_SECONDS
    if not timeout or not hasattr(os, "fork"):
        for index in pending:
            results[index] = _render_or_refuse(*items[index])
        return results
    _warm_up()
    while pending:
        done = _render_in_child([items[index] for index in pending], timeout)
        for index, result in zip(pending, done, strict=False):
            results[index] = result
        pending = pending[len(done) :]
    return results


def _render_or_refuse(text: str, source: str) -> Rendered | RenderRefused:
    try:
        return _render(text, source=source)
    except Exception as error:  # noqa: BLE001 - e.g. RecursionError: a message, not a 500
        return RenderRefused(f"could not be rendered ({type(error).__name__})")


def _render_in_child(batch: list[tuple[str, str]], timeout: float) -> list:
    """Results for `batch` from one child, in order; it stops at the first that runs out of
    time or kills the child, whose refusal is the last result."""
    try:
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            raise
    except OSError as error:
        refused = RenderRefused(
            f"could not be rendered just now ({error.strerror}); try again in a moment"
        )
        return [refused] * len(batch)
    if pid == 0:  # the child: render, send each result, leave without running any clean-up
        status = 0
        try:
            os.close(read_end)
            with os.fdopen(write_end, "wb") as pipe:
                for text, source in batch:
                    _stop_after_cpu_seconds(math.ceil(timeout) + 1)
                    data = pickle.dumps(_render_or_refuse(text, source))
                    pipe.write(len(data).to_bytes(4, "big") + data)
                    pipe.flush()
        except BaseException:  # noqa: BLE001
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    results: list = []
    buffer = bytearray()
    try:
        while len(results) < len(batch):
            frame = _read_frame(read_end, buffer, time.monotonic() + timeout)
            if frame is None:
                os.kill(pid, signal.SIGKILL)
                results.append(
                    RenderRefused(
                        f"took longer than {timeout:g} seconds to render; split long "
                        "paragraphs, lists or tables, or remove repeated markup"
                    )
                )
                break
            if not frame:
                results.append(RenderRefused("could not be rendered"))
                break
            results.append(pickle.loads(frame))  # noqa: S301 - written by our own child
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
    return results


def _read_frame(fd: int, buffer: bytearray, deadline: float) -> bytes | None:
    """The next length-prefixed frame from `fd`; None at the deadline, b"" if it closed."""
    while True:
        if len(buffer) >= 4:
            size = int.from_bytes(buffer[:4], "big")
            if len(buffer) >= 4 + size:
                frame = bytes(buffer[4 : 4 + size])
                del buffer[: 4 + size]
                return frame
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            return None
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b""
        buffer += chunk


@functools.cache
def _warm_up() -> None:
    """Render a small sample once in this process, so each child starts with the markdown
    extensions imported, the template compiled and regular expressions cached (a cold child
    costs about ten times a warm one)."""
    _render('## A\n\n[a](/b) `c` *d* &amp;\n\n| e |\n|---|\n| f |\n\n!!! cta "G"\n    H\n', "")


def _stop_after_cpu_seconds(seconds: int) -> None:
    """In the child: the kernel ends it after `seconds` more of CPU, even if its parent is gone."""
    signal.signal(signal.SIGXCPU, signal.SIG_DFL)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    limit = math.ceil(usage.ru_utime + usage.ru_stime) + seconds
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))


def _render(text: str, source: str) -> Rendered:
    token = "hrcta" + secrets.token_hex(12)
    ctas: list[CallToAction] = []
    html = sanitize(_new_markdown(token, ctas).convert(text))
    for index, cta in enumerate(ctas):
        context = {"cta": cta, "source": source, "position": index + 1}  # counted from 1
        block = render_to_string("articles/_cta.html", context)
        html = html.replace(f"<p>{token}x{index}</p>", block.strip(), 1)
    return Rendered(html=html, ctas=ctas)


def markdownify_for_preview(text: str, *, source: str = "") -> str:
    """markdownx's preview hook (MARKDOWNX_MARKDOWNIFY_FUNCTION): the same render as the page.

    `source` is the slug of the article being edited, so call-to-action links match too.
    """
    return render_markdown(text, source=source).html
