import re

from django.urls import reverse

from tests.conftest import SEED_ARTICLE
from tests.factories import make_article
from tests.html import executable_scripts, parse, text_of

SEED_TEXT = SEED_ARTICLE.parent.parent.parent / "shared" / "seed" / "000_db44b1d22dec618e.txt"
CTA_LINES = 7
NOT_ARTICLE_TEXT = {
    "Opioid-Induced Hyperalgesia: What Happens When Opioids Fail",
    "Medically Reviewed:",
    "Dr. Randy Gelow, MD, FASAM",
    "Ray Hamilton, DNP, PMHNP-BC, FNP-C",
    "Last Updated: March 13, 2025",
    "Our Opioid Treatment Programs",
}


def seed_body_lines() -> list[str]:
    """The reviewed lines of the clinic's text, from content/ when shared/ is not beside us."""
    if SEED_TEXT.exists():
        lines = SEED_TEXT.read_text(encoding="utf-8").splitlines()
    else:
        lines = SEED_ARTICLE.read_text(encoding="utf-8").split("---", 2)[2].splitlines()
    cleaned = []
    for line in lines:
        line = re.sub(r"^(\s*•\s*|- |## |!!! cta |\s{4})", "", line).strip().strip('"')
        if line and line not in NOT_ARTICLE_TEXT:
            cleaned.append(line)
    return cleaned


def test_article_page_shows_every_reviewed_line_heading_and_cta(client, seed_article):
    response = client.get("/articles/opioid-induced-hyperalgesia/")

    assert response.status_code == 200
    page_text = text_of(parse(response.content).find("article"))
    missing = [line for line in seed_body_lines() if " ".join(line.split()) not in page_text]
    assert missing == []


def test_article_page_headings_are_h1_then_h2s(client, seed_article):
    soup = parse(client.get(seed_article.get_absolute_url()).content)

    assert [h.get_text() for h in soup.find_all("h1")] == [
        "Opioid-Induced Hyperalgesia: What Happens When Opioids Fail"
    ]
    headings = [h.get_text() for h in soup.find("div", class_="article-body").find_all("h2")]
    assert headings == [
        "Can Opioids Make Your Pain Worse?",
        "What Is Opioid-Induced Hyperalgesia?",
        "Opioid-Induced Hyperalgesia vs. Opioid Tolerance",
        "Opioid-Induced Hyperalgesia Symptoms",
        "Cause of Opioid-Induced Hyperalgesia",
        "Guidelines for Treating Opioid-Induced Hyperalgesia",
        "Overcoming Opioid-Induced Hyperalgesia at Hart Rehab",
    ]


def test_article_page_shows_reviewers_and_review_dates(client, seed_article):
    soup = parse(client.get(seed_article.get_absolute_url()).content)

    review = soup.find(class_="review")
    assert "Medically reviewed by" in text_of(review)
    reviewers = [text_of(li) for li in review.find("ul", class_="reviewers").find_all("li")]
    assert reviewers == ["Randy Gelow, MD, FASAM", "Ray Hamilton, DNP, PMHNP-BC, FNP-C"]
    times = {t["datetime"]: text_of(t) for t in review.find_all("time")}
    assert times == {"2025-03-13": "March 13, 2025", "2026-03-13": "March 13, 2026"}
    assert "Last reviewed: March 13, 2025" in text_of(review)


def test_article_page_ctas_link_to_contact_with_source(client, seed_article):
    soup = parse(client.get(seed_article.get_absolute_url()).content)

    ctas = soup.find_all("aside", class_="cta")
    assert len(ctas) == CTA_LINES
    # Each link names the article and its call to action's place on the page, from 1.
    expected = [
        reverse("intake:contact") + f"?source=opioid-induced-hyperalgesia&cta={position}"
        for position in range(1, CTA_LINES + 1)
    ]
    assert [cta.find("a")["href"] for cta in ctas] == expected
    assert text_of(ctas[0].find(class_="cta-heading")) == "Take the First Step Toward Relief."
    assert client.get(expected[0]).status_code == 200


def test_ctas_sit_where_the_seed_put_them(client, seed_article):
    soup = parse(client.get(seed_article.get_absolute_url()).content)
    body = soup.find("div", class_="article-body")

    first_cta = body.find("aside")
    previous_heading = first_cta.find_previous("h2")
    # Before "Can Opioids Make Your Pain Worse?" (the contents list above the body has an h2).
    assert previous_heading is None or body not in previous_heading.parents
    last_cta = body.find_all("aside")[-1]
    assert text_of(last_cta.find_previous("p")).startswith("Contact Hart Rehab today")


def test_article_page_shows_crisis_lines_as_tel_links(client, seed_article):
    soup = parse(client.get(seed_article.get_absolute_url()).content)

    hrefs = {a["href"] for a in soup.find("section", class_="crisis").find_all("a")}
    assert {"tel:911", "tel:988", "sms:988", "tel:+18006624357"} <= hrefs


def test_page_loads_nothing_from_another_site_and_runs_no_script(client, seed_article):
    soup = parse(client.get(seed_article.get_absolute_url()).content)

    assert executable_scripts(soup) == []
    for tag in soup.find_all(["link", "img", "iframe", "source", "video", "audio"]):
        if tag.name == "link" and tag.get("rel") == ["canonical"]:
            continue  # names the page's address; a browser loads nothing from it
        url = tag.get("href") or tag.get("src") or ""
        assert url.startswith("/"), url


def test_hostile_title_and_reviewer_name_are_escaped(client, db):
    article = make_article(
        title="<script>alert(1)</script> Title",
        reviewed_by=[{"name": "<img src=x onerror=alert(1)>", "credentials": "MD"}],
    )

    soup = parse(client.get(article.get_absolute_url()).content)

    assert executable_scripts(soup) == [] and soup.find("img") is None
    assert len(soup.find_all("script")) == 1  # the JSON-LD, which the title cannot end
    assert text_of(soup.find("h1")) == "<script>alert(1)</script> Title"
    assert "<img src=x onerror=alert(1)>, MD" in text_of(soup.find(class_="reviewers"))


def test_unknown_slug_gets_the_404_page(client, db):
    response = client.get("/articles/no-such-article/")

    assert response.status_code == 404
    soup = parse(response.content)
    assert "We can’t find that page" in text_of(soup.find("h1"))
    assert soup.find("a", href="/") is not None


def test_unpublished_article_is_404(client, db):
    article = make_article(publish=False)

    assert client.get(article.get_absolute_url()).status_code == 404


def test_home_lists_published_articles_with_summary_and_date(client, seed_article):
    make_article(slug="not-yet", title="Not yet", publish=False)

    soup = parse(client.get("/").content)

    items = soup.find("ul", class_="article-list").find_all("li")
    assert len(items) == 1
    assert items[0].find("a")["href"] == "/articles/opioid-induced-hyperalgesia/"
    assert "makes the body more sensitive to pain" in text_of(items[0])
    assert items[0].find("time")["datetime"] == "2025-03-13"


def test_pages_have_skip_link_landmarks_and_language(client, seed_article):
    soup = parse(client.get("/").content)

    assert soup.find("html")["lang"] == "en"
    assert soup.find("a", class_="skip-link")["href"] == "#main-content"
    assert soup.find("main")["id"] == "main-content"
    assert soup.find("header") and soup.find("footer") and soup.find("nav")


def test_sitemap_and_robots(client, seed_article):
    sitemap = client.get("/sitemap.xml")
    robots = client.get("/robots.txt")

    assert b"/articles/opioid-induced-hyperalgesia/" in sitemap.content
    assert b"Sitemap: http://testserver/sitemap.xml" in robots.content
    assert b"Disallow: /admin/" in robots.content


def test_healthz_answers_ok(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "notifications": "ok"}


def test_wrong_method_on_article_is_405(client, seed_article):
    assert client.post(seed_article.get_absolute_url()).status_code == 405
