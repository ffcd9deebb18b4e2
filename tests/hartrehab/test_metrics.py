"""/metrics: Prometheus's format, reachable only with the token or from a listed address."""

from unittest import mock

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import contact_data, make_article, run_worker

TOKEN = "scrape-secret-for-tests"


@pytest.fixture
def scraper(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = []

    def scrape(client) -> dict[tuple, float]:
        response = client.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        assert "no-store" in response["Cache-Control"]
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.content.decode())
            for sample in family.samples
        }

    return scrape


@pytest.mark.parametrize(
    "headers", [{}, {"authorization": "Bearer wrong"}, {"authorization": TOKEN}]
)
def test_without_the_token_or_a_listed_address_it_is_not_found(client, db, settings, headers):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = ["10.0.0.9"]

    assert client.get("/metrics", headers=headers).status_code == 404


def test_nothing_configured_means_nobody_gets_it(client, db, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = []

    assert client.get("/metrics", headers={"authorization": "Bearer "}).status_code == 404


def test_a_listed_address_gets_it_without_a_token(client, db, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]

    assert client.get("/metrics").status_code == 200


def test_requests_are_counted_and_timed_by_view(client, db, scraper):
    article = make_article()
    before = scraper(client)
    key = (
        "hartrehab_requests_total",
        (("method", "GET"), ("status", "200"), ("view", "articles:detail")),
    )
    timed = ("hartrehab_request_duration_seconds_count", (("view", "articles:detail"),))

    for _ in range(3):
        client.get(article.get_absolute_url())
    client.get("/no-such-page/")
    after = scraper(client)

    assert after[key] - before.get(key, 0) == 3
    assert after[timed] - before.get(timed, 0) == 3
    unmatched = (
        "hartrehab_requests_total",
        (("method", "GET"), ("status", "404"), ("view", "<unmatched>")),
    )
    assert after[unmatched] - before.get(unmatched, 0) == 1


def test_intake_requests_and_publishes_are_counted(client, db, scraper, settings, mailoutbox):
    settings.INTAKE_NOTIFY_EMAILS = ["intake@example.org"]
    make_article()
    client.post("/contact/", contact_data(name="Quinn Unusualname"))

    waiting = scraper(client)
    run_worker()
    sent = scraper(client)

    state = lambda s: ("hartrehab_intake_requests", (("state", s),))  # noqa: E731
    assert [waiting[state(s)] for s in ("stored", "notified", "waiting")] == [1, 0, 1]
    assert [sent[state(s)] for s in ("stored", "notified", "waiting")] == [1, 1, 0]
    assert sent[("hartrehab_publishes_total", ())] == 1


def test_it_holds_no_patient_data_or_paths(client, db, settings):
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]
    article = make_article()
    client.get(article.get_absolute_url())
    client.post("/contact/", contact_data(name="Quinn Unusualname", phone="202-555-0199"))

    text = client.get("/metrics").content.decode()

    assert "Unusualname" not in text and "555-0199" not in text
    assert article.slug not in text and "/contact/" not in text


def test_a_path_answered_before_routing_is_resolved_once_per_worker(client, db, scraper):
    """Replays and static files have no resolver match; resolving the URL again on every
    request would cost as much as the replay itself."""
    from hartrehab import metrics

    article = make_article()
    client.get(article.get_absolute_url())  # the page cache learns the page
    metrics._path_view_name.cache_clear()
    before = scraper(client)

    with mock.patch.object(metrics, "resolve", wraps=metrics.resolve) as resolving:
        for _ in range(5):
            assert client.get(article.get_absolute_url()).status_code == 200
    after = scraper(client)

    replays = [c for c in resolving.call_args_list if c.args[0] == article.get_absolute_url()]
    assert len(replays) == 1
    key = (
        "hartrehab_requests_total",
        (("method", "GET"), ("status", "200"), ("view", "articles:detail")),
    )
    assert after[key] - before[key] == 5


def test_the_remembered_view_names_follow_a_changed_urlconf(db, settings):
    from django.test import RequestFactory

    from hartrehab import metrics

    request = RequestFactory().get("/metrics")
    assert metrics.view_name(request) == "metrics"
    settings.ROOT_URLCONF = "tests.hartrehab.no_urls"
    assert metrics.view_name(request) == "<unmatched>"
