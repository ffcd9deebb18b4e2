"""Chromium enforces the Content Security Policy: pages must work with no violation reported."""

import pytest

from tests.staff import STAFF_PASSWORD, admin_url, login_staff_in_browser, make_staff

PUBLIC_PAGES = ["/", "/articles/opioid-induced-hyperalgesia/", "/privacy/", "/contact/", "/nope/"]
# Reported to the page (and by Chromium to the console) for every blocked load or script.
LISTEN = """
window.__csp = [];
window.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`);
}, true);
"""


@pytest.fixture
def violations(page):
    """CSP violations seen by the page's listener and on Chromium's console, across pages."""
    console = []
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )

    def collect() -> list[str]:
        return console + page.evaluate("window.__csp || []")

    return collect


def inject_into_head(page, url: str, html: str) -> None:
    """Serve `url` with `html` added to its <head>, keeping the real response's headers."""

    def handle(route):
        response = route.fetch()
        body = response.text().replace("</head>", html + "</head>", 1)
        route.fulfill(response=response, body=body)

    page.route(url, handle)


@pytest.mark.browser
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_load_with_no_csp_violation(page, site, violations, path):
    page.goto(site + path)

    assert page.locator("h1").count() == 1
    assert violations() == []


@pytest.mark.browser
def test_the_article_json_ld_data_block_is_not_blocked_or_reported(page, site, violations):
    page.goto(site + "/articles/opioid-induced-hyperalgesia/")

    assert page.locator('script[type="application/ld+json"]').count() == 1
    assert violations() == []


@pytest.mark.browser
def test_an_inline_script_on_a_public_page_is_blocked_and_reported(page, site, violations):
    """The detector itself works: a script that sneaked into a page does not run."""
    url = site + "/privacy/"
    inject_into_head(page, url, "<script>document.title = 'ran';</script>")

    page.goto(url)

    assert page.title() != "ran"
    assert any("script-src" in v for v in violations())


@pytest.mark.browser
def test_admin_login_index_and_change_form_load_with_no_csp_violation(
    page, site, violations, seed_article_id
):
    user = make_staff("editor", password=STAFF_PASSWORD, superuser=True)

    page.goto(site + admin_url("login/"))
    login_staff_in_browser(page, site, user)
    page.goto(site + admin_url(f"articles/article/{seed_article_id}/change/"))
    page.goto(site + admin_url(f"auth/user/{user.pk}/change/"))

    assert page.locator("#user_form").count() == 1
    assert violations() == []


@pytest.mark.browser
def test_markdown_editor_previews_with_no_csp_violation(page, site, violations, seed_article_id):
    """The editors' real screen: a draft's change form with the markdownx widget."""
    from articles.models import Article
    from tests.factories import PASSWORD, make_draft, make_editor

    editor = make_editor()
    draft = make_draft(Article.objects.get(pk=seed_article_id), by=editor)
    login_staff_in_browser(page, site, editor, PASSWORD)

    page.goto(site + admin_url(f"articles/articleversion/{draft.pk}/change/"))
    page.locator("textarea.markdownx-editor").fill("## Preview works\n\nSome *text*.")

    # The preview first shows the draft's text, then the new text once markdownx answers.
    preview = page.locator(".markdownx-preview h2", has_text="Preview works")
    preview.wait_for(timeout=10_000)
    assert page.locator(".markdownx-preview h2").count() == 1
    assert violations() == []


@pytest.fixture
def seed_article_id(site) -> int:
    from articles.models import Article

    return Article.objects.get(slug="opioid-induced-hyperalgesia").pk
