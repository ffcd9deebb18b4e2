"""The patient's pages in a real Chromium: axe-core, small screens, print, motion, focus, bytes."""

import pytest

from tests.browser.conftest import axe_violations

ARTICLE = "/articles/opioid-induced-hyperalgesia/"
PUBLIC_PAGES = ["/", ARTICLE, "/contact/", "/privacy/", "/no-such-page/"]
TRANSFER_BUDGET = 30 * 1024
# Controls a patient taps (WCAG 2.2 target size is 24 px; links inside sentences are exempt).
TARGETS = (
    ".crisis-strip a, .crisis a, .site-header a, .toc a, .cta a, .footer-links a, .link-list a"
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_has_no_axe_violations(page, site, path):
    page.goto(site + path)

    assert axe_violations(page) == []


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_runs_no_script_and_loads_nothing_from_elsewhere(
    page, site, external_requests, path
):
    requests = []
    page.on("request", lambda request: requests.append(request))

    page.goto(site + path)

    assert external_requests == []
    assert [r.url for r in requests if r.resource_type == "script"] == []
    assert page.evaluate("document.scripts.length") == (1 if path == ARTICLE else 0)  # JSON-LD


def test_article_page_shows_the_article_styled(page, site):
    page.goto(site + ARTICLE)

    assert page.locator("h1").inner_text().startswith("Opioid-Induced Hyperalgesia")
    assert page.locator("aside.cta").count() == 7
    css = page.evaluate("getComputedStyle(document.querySelector('.crisis')).borderTopStyle")
    assert css == "solid"  # the stylesheet was served (by whitenoise) and applied


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_page_fits_a_320px_wide_screen_with_crisis_help_in_the_first_screen(page, site, path):
    page.set_viewport_size({"width": 320, "height": 568})
    page.goto(site + path)

    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    strip = page.locator(".crisis-strip a[href='tel:988']").bounding_box()
    assert strip["y"] + strip["height"] <= 568


def test_cta_leads_to_the_contact_page(page, site):
    page.goto(site + ARTICLE)

    page.locator("aside.cta a").first.click()

    assert page.url == site + "/contact/?source=opioid-induced-hyperalgesia&cta=1"


def test_crisis_help_looks_different_from_the_call_to_action(page, site):
    page.goto(site + ARTICLE)

    def style(selector, prop):
        return page.evaluate(f"getComputedStyle(document.querySelector({selector!r}))[{prop!r}]")

    assert style(".crisis", "borderTopColor") != style(".cta", "borderTopColor")
    assert style(".crisis-heading", "backgroundColor") != style(".cta", "backgroundColor")
    assert style(".crisis-link", "backgroundColor") != style(".cta .button", "backgroundColor")


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_tap_targets_are_at_least_24px(page, site, path):
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(site + path)

    small = []
    for link in page.locator(TARGETS).all():
        box = link.bounding_box()
        if box["width"] < 24 or box["height"] < 24:
            small.append((link.inner_text(), box))
    assert page.locator(TARGETS).count() >= 8
    assert small == []


def test_crisis_card_buttons_are_thumb_sized(page, site):
    page.set_viewport_size({"width": 320, "height": 568})
    page.goto(site + "/")

    boxes = [link.bounding_box() for link in page.locator(".crisis-link").all()]

    assert len(boxes) == 4 and all(box["height"] >= 44 for box in boxes)


def test_keyboard_focus_starts_at_the_skip_link_and_is_always_visible(page, site):
    page.goto(site + ARTICLE)

    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] >= 24  # moved on screen when focused

    for _ in range(8):
        focus = page.evaluate(
            """() => {
                const s = getComputedStyle(document.activeElement);
                return {text: document.activeElement.textContent.trim(),
                        outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
                        shadow: s.boxShadow};
            }"""
        )
        assert focus["outline"] == "solid" and focus["width"] >= 2, focus
        assert focus["shadow"] != "none", focus
        page.keyboard.press("Tab")


def test_skip_link_moves_focus_to_the_main_content(page, site):
    page.goto(site + ARTICLE)

    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    assert page.evaluate("document.activeElement.id") == "main-content"


def test_printed_article_keeps_title_review_and_body_and_drops_navigation(page, site):
    page.goto(site + ARTICLE)
    page.emulate_media(media="print")

    for kept in ["h1", ".reviewers", ".dates", ".article-body", ".print-only", ".crisis"]:
        assert page.locator(kept).first.is_visible(), kept
    for dropped in [".site-header nav", ".cta", ".toc", ".crisis-strip", ".footer-links"]:
        assert page.locator(dropped).first.is_hidden(), dropped
    assert "March 13, 2025" in page.locator(".dates").inner_text()
    assert page.pdf()[:4] == b"%PDF"  # Chromium lays the page out for paper without error


def test_screen_hides_the_print_only_note(page, site):
    page.goto(site + ARTICLE)

    assert page.locator(".print-only").is_hidden()


@pytest.mark.parametrize("motion, behaviour", [("reduce", "auto"), ("no-preference", "smooth")])
def test_smooth_scrolling_only_for_people_who_have_not_asked_for_less_motion(
    page, site, motion, behaviour
):
    page.emulate_media(reduced_motion=motion)
    page.goto(site + ARTICLE)

    assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == behaviour


def test_contents_link_jumps_to_its_section(page, site):
    page.emulate_media(reduced_motion="reduce")
    page.goto(site + ARTICLE)

    page.locator(".toc a").nth(3).click()

    assert page.url.endswith("#opioid-induced-hyperalgesia-symptoms")
    heading = page.locator("#opioid-induced-hyperalgesia-symptoms")
    assert heading.inner_text() == "Opioid-Induced Hyperalgesia Symptoms"
    assert heading.bounding_box()["y"] < 100


def test_article_whole_transfer_fits_the_budget(page, site):
    requests = []
    page.on("requestfinished", lambda request: requests.append(request))

    page.goto(site + ARTICLE, wait_until="load")

    sizes = {}
    for request in requests:
        measured = request.sizes()
        sizes[request.url] = measured["responseBodySize"] + measured["responseHeadersSize"]
    assert len(sizes) >= 2  # the page and its stylesheet (headless Chromium skips the icon)
    assert sum(sizes.values()) <= TRANSFER_BUDGET, sizes
