import datetime
import json

from articles.structured_data import PagePerson, json_ld_script, medical_web_page
from tests.factories import make_article
from tests.html import parse

UTC = datetime.UTC


def page_data(**overrides) -> dict:
    values = {
        "url": "https://example.org/articles/oih/",
        "title": "Opioid-Induced Hyperalgesia",
        "summary": "What it is.",
        "about": "Opioid-induced hyperalgesia",
        "reviewers": [PagePerson("Randy Gelow", "MD, FASAM"), PagePerson("Sam Nurse", "")],
        "last_reviewed": datetime.date(2025, 3, 13),
        "date_published": datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        "date_modified": datetime.datetime(2025, 3, 14, 9, 0, tzinfo=UTC),
        "publisher_name": "Hart Rehab",
        "publisher_url": "https://example.org/",
    }
    values.update(overrides)
    return medical_web_page(**values)


def test_medical_web_page_names_review_audience_condition_and_article():
    data = page_data()

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalWebPage"
    assert data["lastReviewed"] == "2025-03-13"
    assert data["medicalAudience"] == {"@type": "Patient"}
    assert data["about"] == {"@type": "MedicalCondition", "name": "Opioid-induced hyperalgesia"}
    assert data["reviewedBy"][0] == {
        "@type": "Person",
        "name": "Randy Gelow",
        "honorificSuffix": "MD, FASAM",
        "hasCredential": [
            {"@type": "EducationalOccupationalCredential", "name": "MD"},
            {"@type": "EducationalOccupationalCredential", "name": "FASAM"},
        ],
    }
    assert data["reviewedBy"][1] == {"@type": "Person", "name": "Sam Nurse"}
    article = data["mainEntity"]
    assert article["@type"] == "Article"
    assert article["headline"] == "Opioid-Induced Hyperalgesia"
    assert article["datePublished"] == "2025-01-02T03:04:05+00:00"
    assert article["dateModified"] == "2025-03-14T09:00:00+00:00"
    assert article["publisher"]["name"] == "Hart Rehab"


def test_no_about_when_front_matter_names_no_condition():
    assert "about" not in page_data(about="")


def test_json_ld_cannot_be_closed_or_commented_by_a_value():
    hostile = '</script><script>alert(1)</script><!-- & "quotes" \u2028'
    html = json_ld_script(page_data(title=hostile))

    soup = parse(f"<body>{html}</body>")
    scripts = soup.find_all("script")
    assert len(scripts) == 1 and scripts[0]["type"] == "application/ld+json"
    assert json.loads(scripts[0].string)["name"] == hostile
    assert "<" not in scripts[0].string and ">" not in scripts[0].string


def test_same_input_gives_the_same_bytes():
    assert json_ld_script(page_data()) == json_ld_script(page_data())


def article_json_ld(client, article) -> dict:
    soup = parse(client.get(article.get_absolute_url()).content)
    (script,) = soup.find_all("script", type="application/ld+json")
    return json.loads(script.string)


def test_article_page_carries_its_versions_review_data(client, seed_article, settings):
    data = article_json_ld(client, seed_article)

    version = seed_article.published_version
    assert data["url"] == "http://testserver/articles/opioid-induced-hyperalgesia/"
    assert data["lastReviewed"] == "2025-03-13"
    assert [p["name"] for p in data["reviewedBy"]] == ["Randy Gelow", "Ray Hamilton"]
    assert data["about"]["name"] == "Opioid-induced hyperalgesia"
    assert data["mainEntity"]["headline"] == version.title
    assert data["mainEntity"]["dateModified"] == version.created_at.isoformat()
    assert data["mainEntity"]["datePublished"] == seed_article.created_at.isoformat()


def test_hostile_title_stays_inside_the_json_ld(client, db):
    title = "</script><script>alert(1)</script> OIH"
    article = make_article(title=title)

    response = client.get(article.get_absolute_url())

    soup = parse(response.content)
    assert [s.get("type") for s in soup.find_all("script")] == ["application/ld+json"]
    assert article_json_ld(client, article)["mainEntity"]["headline"] == title
