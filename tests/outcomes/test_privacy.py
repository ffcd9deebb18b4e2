"""Nothing about a visitor is kept: no cookie, no column for one, no trace in the database or
the logs of what their browser sent."""

import logging

import pytest
from django.db import IntegrityError, connection, transaction

from outcomes.counting import tally
from outcomes.models import ContactDay, PageDay
from tests.factories import contact_data

SENTINEL_AGENT = "Mozilla/5.0 SentinelAgent7731"
SENTINEL_HOST = "sentinel-host-7731.example"
SENTINEL_REFERER = f"https://{SENTINEL_HOST}/sentinel-path-7731?q=sentinel-query-7731"
SENTINEL_ADDRESS = "203.0.113.77"
SENTINELS = ("SentinelAgent7731", "sentinel-host-7731", "sentinel-path-7731", "sentinel-query")
# Names of columns that could hold something about one visitor.
PERSONAL = ("ip", "addr", "agent", "ua", "referer", "url", "host", "cookie", "session", "finger")


def outcome_tables() -> list[str]:
    return [PageDay._meta.db_table, ContactDay._meta.db_table]


@pytest.mark.parametrize("path", ["/", "/privacy/", "/articles/opioid-induced-hyperalgesia/"])
def test_public_pages_set_no_cookie_while_counting(client, seed_article, path):
    response = client.get(path, HTTP_REFERER="https://www.google.com/")

    assert response.status_code == 200
    assert not response.cookies and not response.has_header("Set-Cookie")
    assert tally.pending() == 1


def test_the_outcome_tables_have_no_column_for_a_visitor(db):
    with connection.cursor() as cursor:
        for table in outcome_tables():
            columns = connection.introspection.get_table_description(cursor, table)
            for column in columns:
                name = column.name.lower()
                assert not any(word in name for word in PERSONAL), (table, name)
                size = column.internal_size or column.display_size
                # Text columns are short: a kind, a slug or one of this site's paths.
                assert size is None or size <= 200, (table, name, size)
    text_columns = {
        field.column
        for model in (PageDay, ContactDay)
        for field in model._meta.fields
        if field.get_internal_type() in {"CharField", "TextField"}
    }
    assert text_columns == {"path", "referrer", "source"}


@pytest.mark.parametrize(
    "fields",
    [
        {"path": "https://elsewhere.example/page", "referrer": "other"},
        {"path": "//elsewhere.example/page", "referrer": "other"},
        {"path": "/", "referrer": "t.co"},  # a host short enough to fit the column
    ],
)
def test_the_database_refuses_an_address_in_a_page_count(db, fields):
    import datetime

    with pytest.raises(IntegrityError), transaction.atomic():
        PageDay.objects.create(day=datetime.date(2026, 1, 1), views=1, **fields)


def test_the_database_refuses_an_address_as_a_source(db):
    import datetime

    with pytest.raises(IntegrityError), transaction.atomic():
        ContactDay.objects.create(day=datetime.date(2026, 1, 1), source="https://x.example/")


def test_what_a_browser_sends_is_nowhere_in_the_database_or_the_logs(
    client, seed_article, caplog, capsys
):
    caplog.set_level(logging.DEBUG)
    headers = {
        "HTTP_USER_AGENT": SENTINEL_AGENT,
        "HTTP_REFERER": SENTINEL_REFERER,
        "HTTP_X_FORWARDED_FOR": SENTINEL_ADDRESS,
        "REMOTE_ADDR": SENTINEL_ADDRESS,
    }
    for path in ("/", seed_article.get_absolute_url(), "/privacy/", "/contact/thanks/"):
        assert client.get(path, **headers).status_code == 200
    form = client.get(f"/contact/?source={seed_article.slug}&cta=2", **headers)
    assert form.status_code == 200
    data = contact_data(source=seed_article.slug, cta="2")
    assert client.post("/contact/", data, **headers).status_code == 303
    tally.flush()

    assert PageDay.objects.exists() and ContactDay.objects.exists()
    everything = _database_text() + caplog.text + "".join(capsys.readouterr())
    for sentinel in (*SENTINELS, SENTINEL_ADDRESS):
        assert sentinel not in everything, sentinel


def _database_text() -> str:
    """Every value in every table of the database, as text."""
    text = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            text.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(text)


def test_the_privacy_page_says_what_is_counted_and_for_how_long(client, db, settings):
    from tests.html import parse, text_of

    settings.OUTCOMES_RETENTION_DAYS = 400
    doc = parse(client.get("/privacy/").content)

    heading = doc.find("h2", id="what-we-count")
    section = []
    for sibling in heading.find_next_siblings():
        if sibling.name == "h2":
            break
        section.append(text_of(sibling))
    said = " ".join(section)
    assert "how many times the page was viewed" in said
    assert "We do not keep your internet address, your browser’s details" in said
    assert "400 days" in said
