import pytest

from articles.rendering import ALLOWED_TAGS, render_markdown
from tests.html import parse, text_of, unsafe_parts

# Tags the CTA template adds around sanitized content.
PAGE_TAGS = set(ALLOWED_TAGS) | {"aside"}

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;vascript:alert(1))",
    "[x](java&#09;script:alert(1))",
    "[x](java&#x0A;script:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](&#0000106avascript:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](javascript://%0Aalert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox(1))",
    "[x](VBScript:msgbox(1))",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x][1]\n\n[1]: javascript:alert(1)",
    '[x][a]\n\n[a]: JAVASCRIPT:alert(1) "title"',
    "[x][b]\n\n[b]: data:text/html,hello",
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "<!-- hidden --> visible",
    "<!--><script>alert(1)</script>-->",
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<style>body{display:none}</style>",
    '<iframe src="https://example.com"></iframe>',
    '<object data="x"></object><embed src="x">',
    '<form action="https://example.com"><input name="x"><button>go</button></form>',
    '<base href="https://example.com/">',
    '<meta http-equiv="refresh" content="0;url=https://example.com">',
    '<p style="position:fixed;top:0">x</p>',
    '<div onclick="alert(1)">x</div>',
    '<a href="https://ok.example" onmouseover="alert(1)">x</a>',
    '[x](https://example.com "t\\" onmouseover=\\"alert(1)")',
    "<scr<script>ipt>alert(1)</script>",
    "<<script>script>alert(1)</script>",
    '<https://example.com/"onmouseover="alert(1)>',
    "## <img src=x onerror=alert(1)> heading",
    "## Heading {: onclick=alert(1) }",
    "* <script>alert(1)</script>\n* [x](javascript:alert(1))",
    "> <script>alert(1)</script>",
    "| a | b |\n|---|---|\n| <script>x</script> | [y](javascript:alert(1)) |",
    "```\n</code><script>alert(1)</script>\n```",
    '!!! cta "<script>alert(1)</script>"\n    <img src=x onerror=alert(1)> [x](javascript:x)',
    '!!! cta "\\"><svg onload=alert(1)>"\n    text',
    '!!! note "Other"\n    <script>alert(1)</script>',
    "<h2 id=main-content>Clobber</h2>",
]


@pytest.mark.parametrize("markdown_text", HOSTILE)
def test_hostile_markdown_renders_nothing_executable(markdown_text):
    html = render_markdown(markdown_text, source="test-article").html

    assert unsafe_parts(html, PAGE_TAGS) == []


def test_there_are_at_least_thirty_hostile_cases():
    assert len(HOSTILE) >= 30


@pytest.mark.parametrize(
    "markdown_text, href",
    [
        ("[call](tel:+18006624357)", "tel:+18006624357"),
        ("[mail](mailto:help@example.com)", "mailto:help@example.com"),
        ("[site](https://www.samhsa.gov/)", "https://www.samhsa.gov/"),
        ("[page](/privacy/)", "/privacy/"),
    ],
)
def test_safe_links_are_kept(markdown_text, href):
    html = render_markdown(markdown_text).html

    assert parse(html).find("a")["href"] == href


def test_raw_html_is_shown_as_text_not_markup():
    html = render_markdown("Before <b onclick=x>bold</b> after").html

    soup = parse(html)
    assert soup.find("b") is None
    assert "<b onclick=x>bold</b>" in text_of(soup)


def test_cta_heading_and_text_are_escaped():
    html = render_markdown('!!! cta "<i>Hi</i> & bye"\n    Call <b>now</b>.', source="a").html

    aside = parse(html).find("aside")
    assert aside.find("i") is None and aside.find("b") is None
    assert "<i>Hi</i> & bye" in text_of(aside)
    assert "Call <b>now</b>." in text_of(aside)


def test_cta_links_to_contact_with_source_slug():
    html = render_markdown('!!! cta "Get help"\n    Talk to us today.', source="my-article").html

    link = parse(html).find("aside", class_="cta").find("a")
    assert link["href"] == "/contact/?source=my-article&cta=1"


def test_each_cta_link_carries_its_position_in_the_article():
    text = '!!! cta "One"\n    First.\n\nBetween.\n\n!!! cta "Two"\n    Second.\n'
    html = render_markdown(text, source="my-article").html

    links = [aside.find("a")["href"] for aside in parse(html).find_all("aside", class_="cta")]
    assert links == ["/contact/?source=my-article&cta=1", "/contact/?source=my-article&cta=2"]


def test_cta_placeholder_cannot_be_forged_by_the_author():
    html = render_markdown("hrcta00x0\n\nhrctax0").html

    assert parse(html).find("aside") is None


def test_headings_get_ids_for_the_table_of_contents():
    html = render_markdown("## First part\n\n## First part").html

    ids = [h["id"] for h in parse(html).find_all("h2")]
    assert ids == ["first-part", "first-part_1"]


def test_rendering_is_deterministic():
    text = '## A\n\n!!! cta "H"\n    Body.\n\nMore.'

    assert render_markdown(text, source="s").html == render_markdown(text, source="s").html


@pytest.mark.parametrize(
    "heading, expected_id",
    [
        ("Main content", "section-main-content"),
        ("Toc heading", "section-toc-heading"),
        ("Crisis heading footer", "section-crisis-heading-footer"),
        ("Crisis lines", "section-crisis-lines"),
        ("What is a crisis?", "what-is-a-crisis"),
    ],
)
def test_heading_ids_never_repeat_an_id_the_page_template_uses(heading, expected_id):
    soup = parse(render_markdown(f"## {heading}\n\nText.\n").html)

    assert soup.find("h2")["id"] == expected_id
