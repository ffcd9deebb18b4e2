from articles.rendering import render_markdown
from articles.toc import MIN_SECTIONS, Section, sections, table_of_contents


def body(*headings: str) -> str:
    return render_markdown(
        "".join(f"## {h}\n\nText.\n\n### Sub of {h}\n\nMore.\n\n" for h in headings)
    ).html


def test_sections_are_the_h2_headings_with_the_ids_the_toc_extension_made():
    html = body("Can Opioids Make Your Pain Worse?", "What *Is* OIH?", "Tapering & you")

    assert sections(html) == [
        Section(id="can-opioids-make-your-pain-worse", title="Can Opioids Make Your Pain Worse?"),
        Section(id="what-is-oih", title="What Is OIH?"),
        Section(id="tapering-you", title="Tapering & you"),
    ]


def test_repeated_headings_link_to_their_own_anchor():
    found = sections(body("Symptoms", "Symptoms", "Symptoms"))

    assert [s.id for s in found] == ["symptoms", "symptoms_1", "symptoms_2"]


def test_short_article_gets_no_table_of_contents():
    headings = [f"Part {n}" for n in range(MIN_SECTIONS - 1)]

    assert table_of_contents(body(*headings)) == []
    assert len(table_of_contents(body(*headings, "One more"))) == MIN_SECTIONS


def test_headings_without_an_id_or_text_are_left_out():
    assert sections("<h2>No id</h2><h2 id='empty'> </h2><h3 id='h3'>Deeper</h3>") == []
