"""Markdown → sanitized HTML → call-to-action blocks: the one render function.

The public page, the staff preview and markdownx's live preview all call
`render_markdown`, so what an editor previews is byte for byte what patients get.
No ORM here: callers pass in what the render needs.
"""

import re
import secrets
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

import bleach
import markdown
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


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if tag == "a":
        return name in {"href", "title"}
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


def render_markdown(text: str, *, source: str = "") -> Rendered:
    """Render editor markdown to the sanitized HTML patients see.

    `source` is the article's slug, carried by each call-to-action link into the intake form.
    """
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
