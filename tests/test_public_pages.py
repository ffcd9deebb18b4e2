"""What every public page carries: crisis help, one h1, and the tags search and sharing read."""

import datetime

import pytest

from tests.factories import make_article
from tests.html import parse, text_of

PAGES = {
    "/": 200,
    "/articles/opioid-induced-hyperalgesia/": 200,
    "/contact/": 200,
    "/privacy/": 200,
    "/no-such-page/": 404,
}
CRISIS_HREFS = {"tel:911", "tel:988", "sms:988", "tel:+18006624357"}


def get_page(client, path):
    response = client.get(path)
    assert response.status_code == PAGES[path]
    return parse(response.content)


@pytest.mark.parametrize("path", PAGES)
def test_crisis_lines_come_first_on_every_page(client, seed_article, path):
    soup = get_page(client, path)

    strip = soup.find("aside", class_="crisis-strip")
    assert strip["aria-label"] == "Urgent help"
    assert {a["href"] for a in strip.find_all("a")} == {"tel:988", "sms:988", "tel:911"}
    # Only the skip link comes before it.
    assert [a["href"] for a in strip.find_all_previous("a")] == ["#main-content"]
    assert strip.find_next("header", class_="site-header") is not None


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_the_urgent_help_card_labelled_for_screen_readers(
    client, seed_article, path
):
    soup = get_page(client, path)

    cards = soup.find_all("section", class_="crisis")
    assert cards  # the footer's, and on intake pages one beside the form as well
    for card in cards:
        heading = soup.find(id=card["aria-labelledby"])
        assert heading.name == "h2" and heading in card.descendants
        assert text_of(heading) == "Urgent help: Need help now?"
        assert text_of(heading.find(class_="visually-hidden")) == "Urgent help:"
        assert {a["href"] for a in card.find_all("a")} == CRISIS_HREFS
        link_text = {a["href"]: text_of(a) for a in card.find_all("a")}
        assert link_text["sms:988"] == "Text 988" and link_text["tel:988"] == "Call 988"
        assert "SAMHSA National Helpline" in text_of(card)
        assert "Free, confidential, 24/7" in text_of(card)
        assert "cta" not in card.get("class", []) and card.find_parent(class_="cta") is None


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_one_h1_a_title_and_a_description(client, seed_article, path):
    soup = get_page(client, path)

    assert len(soup.find_all("h1")) == 1
    assert text_of(soup.title).endswith("| Hart Rehab")
    assert soup.find("meta", attrs={"name": "description"})["content"].strip()
    assert soup.find("html")["lang"] == "en"


def test_article_title_description_canonical_and_open_graph(client, seed_article, settings):
    settings.SITE_URL = "https://www.example.org"
    version = seed_article.published_version

    soup = get_page(client, "/articles/opioid-induced-hyperalgesia/")

    url = "https://www.example.org/articles/opioid-induced-hyperalgesia/"
    assert text_of(soup.title) == f"{version.title} | Hart Rehab"
    assert soup.find("meta", attrs={"name": "description"})["content"] == version.summary
    assert soup.find("link", rel="canonical")["href"] == url

    def og(name):
        return soup.find("meta", property=f"og:{name}")["content"]

    assert (og("type"), og("url"), og("title")) == ("article", url, version.title)
    assert og("description") == version.summary
    assert og("site_name") == "Hart Rehab"
    modified = soup.find("meta", property="article:modified_time")["content"]
    assert datetime.datetime.fromisoformat(modified) == version.created_at


def test_canonical_drops_the_query_string(client, seed_article):
    soup = parse(client.get("/articles/opioid-induced-hyperalgesia/?utm_source=x").content)

    assert (
        soup.find("link", rel="canonical")["href"]
        == "http://testserver/articles/opioid-induced-hyperalgesia/"
    )


@pytest.mark.parametrize("path", ["/", "/privacy/"])
def test_other_pages_are_websites_with_their_own_canonical(client, seed_article, path):
    soup = get_page(client, path)

    assert soup.find("link", rel="canonical")["href"] == f"http://testserver{path}"
    assert soup.find("meta", property="og:type")["content"] == "website"


def test_not_found_page_names_no_canonical_address(client, db):
    soup = get_page(client, "/no-such-page/")

    assert soup.find("link", rel="canonical") is None
    assert soup.find("meta", property="og:url") is None


def test_hostile_summary_stays_an_attribute_value(client, db):
    summary = '"><script>alert(1)</script>'
    article = make_article(summary=summary)

    soup = parse(client.get(article.get_absolute_url()).content)

    assert soup.find("meta", attrs={"name": "description"})["content"] == summary
    assert soup.find("meta", property="og:description")["content"] == summary
    assert [s.get("type") for s in soup.find_all("script")] == ["application/ld+json"]


def test_article_print_note_names_its_canonical_address(client, seed_article):
    soup = get_page(client, "/articles/opioid-induced-hyperalgesia/")

    note = soup.find("p", class_="print-only")
    assert text_of(note) == ("Printed from http://testserver/articles/opioid-induced-hyperalgesia/")
