"""Helpers that parse HTML the way a browser does (html5lib) for assertions."""

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Comment

SAFE_SCHEMES = {"", "http", "https", "mailto", "tel", "sms"}


def parse(html: str | bytes) -> BeautifulSoup:
    return BeautifulSoup(html, "html5lib")


def text_of(node) -> str:
    return " ".join(node.get_text(" ").split())


def url_scheme(url: str) -> str:
    # What a browser does before reading a scheme: drop tab/CR/LF anywhere, trim C0 and space.
    cleaned = re.sub(r"[\t\n\r]", "", url).strip(
        "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c"
        "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17"
        "\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "
    )
    return urlsplit(cleaned).scheme.lower()


def unsafe_parts(html: str, allowed_tags: set[str]) -> list[str]:
    """Everything in `html` that could run script or restyle the page: [] when safe."""
    soup = parse(html)
    found = []
    for node in soup.find_all(string=lambda s: isinstance(s, Comment)):
        found.append(f"comment {node!r}")
    for tag in soup.body.find_all(True):
        if tag.name not in allowed_tags:
            found.append(f"tag <{tag.name}>")
        for name, value in tag.attrs.items():
            if name.lower().startswith("on") or name.lower() in {"style", "src", "srcdoc"}:
                found.append(f"attribute {name} on <{tag.name}>")
            if name.lower() in {"href", "action", "formaction", "xlink:href"}:
                if url_scheme(value) not in SAFE_SCHEMES:
                    found.append(f"{name}={value!r} on <{tag.name}>")
    return found


# Script types a browser treats as data, never runs (JSON-LD).
DATA_SCRIPT_TYPES = {"application/ld+json"}


def executable_scripts(soup) -> list:
    """<script> elements a browser would run: every one but JSON-LD data blocks."""
    return [
        tag
        for tag in soup.find_all("script")
        if tag.get("type", "").strip().lower() not in DATA_SCRIPT_TYPES
    ]
