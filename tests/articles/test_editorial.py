import datetime

import pytest

from articles.editorial import heading_problems, missing_links, run_checks
from articles.rendering import render_markdown

TODAY = datetime.date(2025, 6, 1)


def checks(body: str, *, summary="A summary.", due=None, published=frozenset()) -> dict:
    html = render_markdown(body, source="a").html
    found = run_checks(
        summary=summary,
        body_html=html,
        next_review_due=due,
        today=TODAY,
        published_slugs=set(published),
    )
    return {check.label: check for check in found}


def test_word_count_and_reading_time():
    result = checks("word " * 450)

    assert result["Word count"].result == "450 words"
    assert result["Reading time"].result.startswith("about 3 min")


def test_plain_short_sentences_meet_the_grade_target():
    result = checks("The cat sat. The dog ran. We had fun. It was a good day.\n")

    assert result["Reading grade"].ok


def test_long_technical_sentences_miss_the_grade_target():
    text = (
        "Pharmacological management of opioid-induced hyperalgesia necessitates comprehensive "
        "interdisciplinary evaluation, individualized dose reduction, and consideration of "
        "alternative analgesic modalities including N-methyl-D-aspartate receptor antagonists.\n"
    )

    result = checks(text)["Reading grade"]

    assert not result.ok and "target 8 or below" in result.result


def test_seed_article_grade_is_reported(seed_article):
    version = seed_article.published_version
    result = run_checks(
        summary=version.summary,
        body_html=version.body_html,
        next_review_due=version.next_review_due,
        today=TODAY,
        published_slugs={seed_article.slug},
    )

    grade = next(c for c in result if c.label == "Reading grade")
    assert grade.result.split()[0].replace(".", "").isdigit()


@pytest.mark.parametrize(
    "body, expected",
    [
        ("## A\n\n### B\n\n## C\n\n### D\n", []),
        ("## A\n\n#### B\n", ["h4 “B” follows h2"]),
        ("### Starts too deep\n", ["h3 “Starts too deep” follows h1"]),
        ("## A\n\n### B\n\n###### F\n", ["h6 “F” follows h3"]),
    ],
)
def test_headings_out_of_order(body, expected):
    html = render_markdown(body).html
    from articles.editorial import _BodyParser

    parser = _BodyParser()
    parser.feed(html)

    assert heading_problems(parser.headings) == expected


def test_links_to_missing_internal_pages_are_listed():
    hrefs = [
        "/articles/live/",
        "/articles/gone/",
        "/no-such-page/",
        "/contact/?source=a",
        "/privacy/",
        "https://www.samhsa.gov/",
        "tel:988",
        "#here",
        "#not-here",
        "relative/path",
    ]

    assert missing_links(hrefs, {"here"}, {"live"}) == [
        "#not-here",
        "/articles/gone/",
        "/no-such-page/",
        "relative/path",
    ]


def test_summary_missing_or_too_long():
    assert not checks("Text.", summary="")["Summary"].ok
    assert "161 characters" in checks("Text.", summary="x" * 161)["Summary"].result
    assert checks("Text.", summary="x" * 160)["Summary"].ok


def test_review_overdue():
    overdue = checks("Text.", due=datetime.date(2025, 5, 1))["Review"]
    current = checks("Text.", due=datetime.date(2025, 7, 1))["Review"]

    assert not overdue.ok and "overdue since 2025-05-01 (31 days)" in overdue.result
    assert current.ok
