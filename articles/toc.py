"""A long article's table of contents, read from the headings of its sanitized HTML.

The ids come from Python-Markdown's toc extension when the version is rendered, so the
contents list links to exactly the anchors the stored body has. No ORM here.
"""

from dataclasses import dataclass
from html.parser import HTMLParser

# Fewer sections than this read fine without a contents list.
MIN_SECTIONS = 3


@dataclass(frozen=True)
class Section:
    id: str
    title: str


class _SectionParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections: list[Section] = []
        self._id: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self._id = dict(attrs).get("id")
            self._text = []

    def handle_endtag(self, tag):
        if tag == "h2" and self._id is not None:
            title = " ".join("".join(self._text).split())
            if title:
                self.sections.append(Section(id=self._id, title=title))
            self._id = None

    def handle_data(self, data):
        if self._id is not None:
            self._text.append(data)


def sections(body_html: str) -> list[Section]:
    """The body's h2 headings that carry an id, in order."""
    parser = _SectionParser()
    parser.feed(body_html)
    parser.close()
    return parser.sections


def table_of_contents(body_html: str) -> list[Section]:
    """The sections to list at the top of the article: none when it is short."""
    found = sections(body_html)
    return found if len(found) >= MIN_SECTIONS else []
