"""markdownx's live preview: beside the text on a wide screen, under it on a narrow one, and
styled by the site's own stylesheet so it looks like the patient page."""

import pytest
from django.urls import reverse

from articles.models import Article
from tests.factories import PASSWORD, make_draft, make_editor
from tests.staff import login_staff_in_browser

SLUG = "opioid-induced-hyperalgesia"
# What makes the preview look like the page, read from the same elements on both.
STYLE = """(root) => {
  const read = (selector, props) => {
    const element = root.querySelector(selector);
    const style = getComputedStyle(element);
    return Object.fromEntries(props.map(p => [selector + ' ' + p, style.getPropertyValue(p)]));
  };
  return {
    ...read('aside.cta', ['border-top-color', 'background-color', 'border-radius', 'padding-top']),
    ...read('aside.cta a.button', ['color', 'background-color', 'font-weight', 'min-height']),
    ...read('h2', ['font-size', 'line-height', 'margin-top']),
    ...read('p', ['font-size', 'line-height', 'color']),
  };
}"""


def open_draft(browser, site, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    problems = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    editor = make_editor(f"edna{width}")
    login_staff_in_browser(page, site, editor, PASSWORD)
    draft = make_draft(Article.objects.get(slug=SLUG), by=editor)
    page.goto(site + reverse("admin:articles_articleversion_change", args=[draft.pk]))
    body = page.locator("textarea#id_body")
    body.fill(body.input_value() + "\nOne more line.\n")
    page.locator(".markdownx-preview aside.cta").first.wait_for()
    return context, page, problems


@pytest.mark.browser
def test_preview_sits_beside_the_text_on_a_wide_screen(browser, site):
    context, page, problems = open_draft(browser, site, 1600)

    text = page.locator("textarea#id_body").bounding_box()
    preview = page.locator(".markdownx-preview").bounding_box()
    assert preview["x"] >= text["x"] + text["width"]
    assert abs(preview["y"] - text["y"]) < 2
    assert problems == []
    context.close()


@pytest.mark.browser
def test_preview_is_under_the_text_on_a_narrow_screen(browser, site):
    context, page, _ = open_draft(browser, site, 900)

    text = page.locator("textarea#id_body").bounding_box()
    preview = page.locator(".markdownx-preview").bounding_box()
    assert preview["y"] >= text["y"] + text["height"]
    context.close()


@pytest.mark.browser
def test_preview_is_styled_like_the_patient_page(browser, site):
    context, page, problems = open_draft(browser, site, 1600)
    in_editor = page.locator(".markdownx-preview").evaluate(STYLE)
    admin_heading = page.locator("#content h1").evaluate("e => getComputedStyle(e).fontSize")

    page.goto(f"{site}/articles/{SLUG}/")
    on_page = page.locator(".article-body").evaluate(STYLE)

    assert in_editor == on_page
    # The site's stylesheet reached nothing outside the preview.
    page.go_back()
    assert page.locator("#content h1").evaluate("e => getComputedStyle(e).fontSize") == (
        admin_heading
    )
    assert problems == []
    context.close()
