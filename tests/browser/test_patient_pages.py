import pytest

from tests.browser.conftest import axe_violations

PUBLIC_PAGES = ["/", "/articles/opioid-induced-hyperalgesia/", "/privacy/", "/no-such-page/"]


@pytest.mark.browser
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_has_no_axe_violations(page, site, path):
    page.goto(site + path)

    assert axe_violations(page) == []


@pytest.mark.browser
def test_article_page_runs_no_script_and_loads_nothing_from_elsewhere(
    page, site, external_requests
):
    scripts = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)

    page.goto(site + "/articles/opioid-induced-hyperalgesia/")

    assert page.locator("h1").inner_text().startswith("Opioid-Induced Hyperalgesia")
    assert page.locator("aside.cta").count() == 7
    assert scripts == [] and external_requests == []
    css = page.evaluate("getComputedStyle(document.querySelector('.crisis')).borderTopStyle")
    assert css == "solid"  # the stylesheet was served (by whitenoise) and applied


@pytest.mark.browser
def test_article_fits_a_320px_wide_screen(page, site):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(site + "/articles/opioid-induced-hyperalgesia/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 320


@pytest.mark.browser
def test_cta_leads_to_the_contact_page(page, site):
    page.goto(site + "/articles/opioid-induced-hyperalgesia/")

    page.locator("aside.cta a").first.click()

    assert page.url == site + "/contact/?source=opioid-induced-hyperalgesia"
