"""From a call to action to a stored request: the article and the call to action's position
travel with the form through its errors and the time trap, and are counted by day."""

import datetime

import pytest

from hartrehab import pagecache
from intake.models import ContactSubmission
from outcomes.counting import tally
from outcomes.models import ContactDay, PageDay
from tests.factories import contact_data
from tests.html import parse

SEED = "opioid-induced-hyperalgesia"


def hidden_fields(response) -> dict[str, str]:
    form = parse(response.content).find("form", class_="intake-form")
    fields = form.find_all("input", type="hidden")
    return {f["name"]: f["value"] for f in fields if f["name"] != "csrfmiddlewaretoken"}


def funnel() -> dict[tuple[str, int], tuple[int, int]]:
    return {
        (row.source, row.cta): (row.form_views, row.requests) for row in ContactDay.objects.all()
    }


def test_the_form_keeps_the_call_to_action_from_the_link(client, seed_article):
    response = client.get(f"/contact/?source={SEED}&cta=3")

    fields = hidden_fields(response)
    assert fields["source"] == SEED and fields["cta"] == "3"


@pytest.mark.parametrize("cta", ["0", "100", "x", "-1", "3 ", "٣", ""])
def test_a_call_to_action_that_is_not_a_position_is_dropped(client, seed_article, cta):
    fields = hidden_fields(client.get(f"/contact/?source={SEED}&cta={cta}"))

    assert fields["source"] == SEED and "cta" not in fields


def test_a_call_to_action_without_its_article_is_dropped(client, seed_article):
    fields = hidden_fields(client.get("/contact/?source=no-such-article&cta=2"))

    assert "source" not in fields and "cta" not in fields


def test_source_and_call_to_action_survive_errors_and_the_time_trap_to_the_request(
    client, seed_article, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(datetime.datetime(2026, 5, 4, 14, tzinfo=datetime.UTC), tick=False)
    link = parse(client.get(seed_article.get_absolute_url()).content).select("aside.cta a")[1]
    form_page = client.get(link["href"])

    # Sent at once, with a mistake: the page comes back with the same token and the source.
    data = contact_data(name="", **hidden_fields(form_page))
    again = client.post("/contact/", data)
    assert again.status_code == 400
    kept = hidden_fields(again)
    assert kept == hidden_fields(form_page)

    # Corrected after the time trap's few seconds: stored as a request, not as spam.
    time_machine.shift(datetime.timedelta(seconds=30))
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/contact/", contact_data(**kept))
    assert done.status_code == 303

    stored = ContactSubmission.objects.get()
    assert stored.status == ContactSubmission.Status.NEW
    assert (stored.source, stored.source_cta) == (seed_article, 2)
    tally.flush()
    assert funnel() == {(SEED, 2): (1, 1)}
    assert ContactDay.objects.get().day == datetime.date(2026, 5, 4)


def test_visits_and_requests_are_counted_per_article_and_call_to_action(
    client, seed_article, django_capture_on_commit_callbacks
):
    for query in (f"source={SEED}&cta=1", f"source={SEED}&cta=1", f"source={SEED}&cta=4", ""):
        client.get(f"/contact/?{query}")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/contact/", contact_data(source=SEED, cta="4"))
        client.post("/contact/", contact_data(name="Sam Example"))

    tally.flush()

    assert funnel() == {(SEED, 1): (2, 0), (SEED, 4): (1, 1), ("", 0): (1, 1)}


def test_spam_and_crawlers_are_not_counted(
    client, seed_article, django_capture_on_commit_callbacks
):
    client.get(f"/contact/?source={SEED}&cta=1", HTTP_USER_AGENT="Googlebot/2.1")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/contact/", contact_data(source=SEED, cta="1", website="http://x.example"))

    tally.flush()

    assert ContactSubmission.objects.get().status == ContactSubmission.Status.SPAM
    assert funnel() == {}


def test_a_request_is_counted_only_once_it_is_stored(client, seed_article):
    # No commit (the test's transaction is never committed): nothing to count yet.
    client.post("/contact/", contact_data(source=SEED, cta="1"))

    tally.flush()

    assert ContactSubmission.objects.count() == 1 and funnel() == {}


def test_the_form_visit_counts_as_a_page_view_too(client, seed_article):
    client.get(f"/contact/?source={SEED}&cta=1", HTTP_REFERER="http://testserver/articles/x/")

    tally.flush()

    assert list(PageDay.objects.values_list("path", "referrer", "views")) == [
        ("/contact/", "internal", 1)
    ]


def test_the_cta_parameter_never_reaches_the_page_cache(client, seed_article, settings):
    settings.PUBLIC_PAGE_CACHE = True
    url = seed_article.get_absolute_url()
    for _ in range(3):
        assert client.get(f"{url}?source={SEED}&cta=2").status_code == 200
        form = client.get(f"/contact/?source={SEED}&cta=2")
        assert "no-store" in form["Cache-Control"]

    assert pagecache.store.entries == {}
    assert not pagecache.store.knows("/contact/")
