"""Counting on: patients following each call to action of the seed article, and what the
outcomes page then shows for them, read from the database after the server stopped.

The server counting views is the one measured as "article, counting on" in the load rounds
(bench.run); stopping it gracefully is what writes its workers' last counts.
"""

import json
import re
import urllib.parse

from bench.intake import INTAKE_ENV, Form, _request, cookies_from, hidden_inputs, post_form
from tools.local_server import manage

SEED = "opioid-induced-hyperalgesia"
ARTICLE = f"/articles/{SEED}/"
COUNTING_ENV = {"OUTCOMES_ENABLED": "1", **INTAKE_ENV}
# Form visits that end without a request, per call to action; requests are 5 + position,
# so every count is at least 5 and shown as a number (smaller ones show as "fewer than 5").
EXTRA_VISITS = 10
CTA_LINK = re.compile(r'<a class="button" href="(/contact/\?source=[^"]+)"')


def cta_links(port: int) -> list[str]:
    """The article's call-to-action links, in page order (HTML-escaped & undone)."""
    status, _, _, content = _request(port, "GET", ARTICLE)
    if status != 200:
        raise RuntimeError(f"GET {ARTICLE} answered {status}")
    return [link.replace("&amp;", "&") for link in CTA_LINK.findall(content.decode())]


def follow(port: int, link: str) -> Form:
    status, set_cookies, _, content = _request(port, "GET", link)
    if status != 200:
        raise RuntimeError(f"GET {link} answered {status}")
    return Form(cookie=cookies_from(set_cookies), fields=hidden_inputs(content.decode()))


def follow_calls_to_action(port: int) -> dict:
    """For the call to action at position n: 5 + n requests and EXTRA_VISITS more visits."""
    sent = {}
    number = 0
    for link in cta_links(port):
        position = int(urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["cta"][0])
        requests = 5 + position
        for visit in range(requests + EXTRA_VISITS):
            form = follow(port, link)
            if visit < requests:
                _, status = post_form(port, form, number)
                if status != 303:
                    raise RuntimeError(f"a request from {link} answered {status}")
            number += 1
        sent[position] = {"visits": requests + EXTRA_VISITS, "requests": requests}
    return sent


SHOWN = """
import json
from django.utils import timezone
from outcomes.reports import Period, build_report, shown
today = timezone.localdate()
report = build_report(Period(today, today))
[article] = [a for a in report.articles if a.slug == "SEED_SLUG"]
print(json.dumps({
    "views": article.views.now,
    "ctas": [
        {"position": c.position, "heading": c.heading,
         "visits": shown(c.visits.now), "requests": shown(c.requests.now)}
        for c in article.ctas
    ],
}))
""".replace("SEED_SLUG", SEED)


def shown_on_the_page(env: dict) -> dict:
    """The seed article's row and call-to-action rows, as the outcomes page shows them today."""
    out = manage(env, "shell", "--no-imports", "-c", SHOWN).stdout
    return json.loads(out.strip().splitlines()[-1])
