from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.clients import FormClient

SEED_ARTICLE = Path(settings.BASE_DIR) / "content" / "opioid-induced-hyperalgesia.md"


@pytest.fixture(scope="session", autouse=True)
def collected_static():
    """Templates use hashed static names (whitenoise's manifest), as in production."""
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    base = Path(settings.BASE_DIR)
    sources = [base / "static", *base.glob("*/static")]
    if not manifest.exists() or any(
        p.stat().st_mtime > manifest.stat().st_mtime
        for folder in sources
        for p in folder.rglob("*")
        if p.is_file()
    ):
        call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with no public page kept in memory (frontcache/pagecache.py)."""
    from frontcache.pagecache import store

    store.clear()
    yield
    store.clear()


@pytest.fixture
def client():
    """Django's test client, posting forms urlencoded as browsers do (tests/clients.py)."""
    return FormClient()


@pytest.fixture
def seed_article(db):
    call_command("load_content", str(SEED_ARTICLE), verbosity=0)
    from articles.models import Article

    return Article.objects.get(slug="opioid-induced-hyperalgesia")


@pytest.fixture(autouse=True)
def empty_outcome_counts():
    """Each test starts with no view or request counted in memory (outcomes/counting.py), and
    with the last write just made, so no write after a response lands in a test's measured
    requests (query counts) unless the test asks for one."""
    import time

    from outcomes.counting import tally

    tally.clear()
    tally.last_flush = time.monotonic()
    yield
    tally.clear()
