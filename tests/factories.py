"""Small factories for test data (no JSON fixtures)."""

import datetime
import textwrap
from pathlib import Path

import yaml

from articles.models import Article
from articles.services import create_version, publish_version
from articles.sources import parse_source


def front_matter(**overrides) -> dict:
    meta = {
        "title": "Test article",
        "slug": "test-article",
        "summary": "A short summary.",
        "reviewed_by": [{"name": "Ada Reviewer", "credentials": "MD"}],
        "last_reviewed": datetime.date(2025, 3, 13),
    }
    meta.update(overrides)
    return {key: value for key, value in meta.items() if value is not ...}


def source_text(body: str = "Some reviewed text.\n", **overrides) -> str:
    meta = yaml.safe_dump(front_matter(**overrides), sort_keys=False, allow_unicode=True)
    return f"---\n{meta}---\n\n{textwrap.dedent(body)}"


def write_source(folder: Path, name: str = "test-article.md", body: str = "Text.\n", **kw) -> Path:
    path = folder / name
    path.write_text(source_text(body, **kw), encoding="utf-8")
    return path


def make_article(body: str = "Some reviewed text.\n", *, publish: bool = True, **kw) -> Article:
    source = parse_source(source_text(body, **kw), name="factory")
    article, _ = Article.objects.get_or_create(slug=source.slug)
    version = create_version(article, source=source, origin="factory")
    if publish:
        publish_version(version)
    article.refresh_from_db()
    return article
