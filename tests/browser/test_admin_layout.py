"""The articles admin at a laptop's width: no clipped column, object tools in one row."""

import pytest
from django.urls import reverse

from articles.models import Article
from tests.factories import PASSWORD, make_draft, make_editor
from tests.staff import login_staff_in_browser

SLUG = "opioid-induced-hyperalgesia"
LONG_NOTE = (
    "Rewrote the section on tapering so that it says plainly when to call the clinic and "
    "what to expect in the first week"
)

# Every cell of the list whose content is wider than the cell shows, and the list's own
# overflow (a table wider than the page scrolls sideways, hiding its right-hand columns).
CLIPPED = """() => {
  const results = document.querySelector('#changelist .results');
  const clipped = [...results.querySelectorAll('th, td')]
    .filter(cell => cell.scrollWidth > cell.clientWidth
                 || cell.getBoundingClientRect().right > results.getBoundingClientRect().right + 1)
    .map(cell => cell.className + ': ' + cell.textContent.trim().slice(0, 40));
  if (results.scrollWidth > results.clientWidth) clipped.push('the list scrolls sideways');
  return clipped;
}"""


@pytest.fixture
def editor_page(browser, site):
    editor = make_editor("edna")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    login_staff_in_browser(page, site, editor, PASSWORD)
    yield page, editor
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("model", ["article", "articleversion"])
def test_no_column_is_clipped_at_1280_px(editor_page, site, model):
    page, editor = editor_page
    article = Article.objects.get(slug=SLUG)
    make_draft(article, by=editor, change_note=LONG_NOTE)

    page.goto(site + reverse(f"admin:articles_{model}_changelist"))

    assert page.locator("#result_list tbody tr").count() >= 1
    assert page.evaluate(CLIPPED) == []


@pytest.mark.browser
def test_new_draft_button_matches_the_links_beside_it(editor_page, site):
    page, _ = editor_page
    article = Article.objects.get(slug=SLUG)

    page.goto(site + reverse("admin:articles_article_change", args=[article.pk]))

    button = page.get_by_role("button", name="New draft").bounding_box()
    link = page.get_by_role("link", name="Compare versions").bounding_box()
    assert round(button["height"]) == round(link["height"])
    assert round(button["y"]) == round(link["y"])
