"""Bytes each public page costs a patient: HTML and CSS, raw and compressed."""

import gzip
import re
import urllib.request


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def page_weight(base: str, path: str) -> dict:
    html = fetch(base + path) if not path.startswith("!") else b""
    css_paths = sorted(set(re.findall(rb'href="(/static/[^"]+\.css)"', html)))
    css = b"".join(fetch(base + p.decode()) for p in css_paths)
    html_gz = len(gzip.compress(html, 6))
    css_gz = len(gzip.compress(css, 6)) if css else 0
    return {
        "html": len(html),
        "html_gz": html_gz,
        "css": len(css),
        "css_gz": css_gz,
        "total": len(html) + len(css),
        "total_gz": html_gz + css_gz,
    }
