"""schema.org JSON-LD for an article page: a MedicalWebPage whose main entity is the Article.

Search engines read it to show who reviewed the page and when. No ORM here: the caller
passes plain values, so the same version always gives the same bytes.
"""

import datetime
import json
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# The characters that could end the <script> element or start markup inside it, written as
# JSON escapes (what django.utils.html.json_script does): the data reads the same.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@dataclass(frozen=True)
class PagePerson:
    name: str
    credentials: str


def _person(reviewer: PagePerson) -> dict:
    person = {"@type": "Person", "name": reviewer.name}
    if reviewer.credentials:
        person["honorificSuffix"] = reviewer.credentials
        person["hasCredential"] = [
            {"@type": "EducationalOccupationalCredential", "name": part.strip()}
            for part in reviewer.credentials.split(",")
            if part.strip()
        ]
    return person


def medical_web_page(
    *,
    url: str,
    title: str,
    summary: str,
    about: str,
    reviewers: list[PagePerson],
    last_reviewed: datetime.date | None,
    date_published: datetime.datetime,
    date_modified: datetime.datetime,
    publisher_name: str,
    publisher_url: str,
) -> dict:
    """The page as schema.org describes a medically reviewed page for patients (a draft's
    preview has no review yet: no `lastReviewed`, no `reviewedBy`)."""
    publisher = {"@type": "MedicalOrganization", "name": publisher_name, "url": publisher_url}
    page = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "@id": url,
        "url": url,
        "name": title,
        "description": summary,
        "inLanguage": "en-US",
        "medicalAudience": {"@type": "Patient"},
        "mainEntity": {
            "@type": "Article",
            "headline": title,
            "description": summary,
            "datePublished": date_published.isoformat(),
            "dateModified": date_modified.isoformat(),
            "publisher": publisher,
            "mainEntityOfPage": url,
        },
        "publisher": publisher,
    }
    if last_reviewed is not None:
        page["lastReviewed"] = last_reviewed.isoformat()
    if reviewers:
        page["reviewedBy"] = [_person(reviewer) for reviewer in reviewers]
    if about:
        page["about"] = {"@type": "MedicalCondition", "name": about}
    return page


def json_ld_script(data: dict) -> SafeString:
    """A <script type="application/ld+json"> element that no value inside can break out of."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308
