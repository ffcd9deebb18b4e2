import pytest

from articles import rendering
from articles.rendering import (
    ALLOWED_TAGS,
    RenderRefused,
    is_allowed_href,
    limit_problems,
    render_markdown,
)
from articles.sources import parse_source
from tests.conftest import SEED_ARTICLE
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


@pytest.mark.parametrize(
    "href",
    [
        "//evil.example/",
        "/\\evil.example/",
        "\\\\\\\\evil.example/",
        "\\/evil.example/",
        " //evil.example/",
        "/\n/evil.example/",
        "\x01//evil.example/",
        "www.evil.example",
        "ftp://evil.example/",
    ],
)
def test_links_that_leave_for_another_site_without_a_scheme_lose_their_href(href):
    html = render_markdown(f"[x](<{href}>)").html

    link = parse(html).find("a")
    assert link is None or link.get("href") is None


@pytest.mark.parametrize("href", ["/privacy/", "#section", "https://x.example/a//b", "tel:988"])
def test_site_paths_fragments_and_absolute_links_are_kept(href):
    assert is_allowed_href(href)
    assert parse(render_markdown(f"[x]({href})").html).find("a")["href"] == href


def test_protocol_relative_is_refused_however_it_is_spelled():
    for spelling in ["//h", "/\\h", "\\\\h", " \t//h", "/\r\n/h", "\x00//h", "\\/h"]:
        assert not is_allowed_href(spelling), spelling


SHAPES_100_KB = {
    "unmatched [": "[" * 102_000,
    "unmatched ![": "![" * 51_000,
    "[a](": "[a](" * 25_500,
    "nested [[[a]]]": "[" * 51_000 + "a" + "]" * 51_000,
    "[a] with definitions": "[a]" * 33_000 + "\n\n[a]: /x\n",
    "[![a": "[![a" * 25_500,
    "brackets on their own lines": "[\n" * 51_000,
    "backticks ``a`": "``a`" * 25_500,
    "emphasis ***a": "***a" * 25_500,
    "angle brackets": "<" * 102_000,
    "entities": "&#" * 51_000,
    "escapes [\\": "[\\" * 51_000,
    "table cells | [": "| [" * 34_000,
    "short bracket paragraphs": ("[" * 100 + "\n\n") * 1_000,
    "headings": "# a\n" * 25_500,
    "fences": "~~~\n" * 25_500,
    "table rows": "|a|b|\n|-|-|\n|x|y|\n" * 6_000,
    "nested lists": "".join("    " * i + "- a\n" for i in range(400)),
    "nested quotes": ">" * 102_000 + " a",
}


@pytest.mark.parametrize("shape", SHAPES_100_KB)
def test_costly_shapes_at_100_kb_are_refused_before_markdown_runs(shape, monkeypatch):
    text = SHAPES_100_KB[shape][: 100 * 1024]

    def must_not_run(*args, **kwargs):
        raise AssertionError("Python-Markdown ran")

    monkeypatch.setattr(rendering, "_render", must_not_run)
    with pytest.raises(RenderRefused) as refused:
        render_markdown(text)
    assert refused.value.args[0]


def test_a_real_article_of_100_kb_is_within_every_limit(settings):
    seed = parse_source(SEED_ARTICLE.read_text(encoding="utf-8"), name="seed").body
    body = (seed + "\n\n") * 20
    body = body[: body.rindex("\n\n", 0, settings.ARTICLES_MAX_BODY_BYTES - 1000)] + "\n"

    assert limit_problems(body) == []
    assert "<h2" in render_markdown(body).html


def test_a_render_over_the_time_limit_is_stopped_and_refused(settings, monkeypatch):
    settings.ARTICLES_RENDER_TIMEOUT_SECONDS = 0.2

    def endless(*args, **kwargs):
        while True:
            pass

    monkeypatch.setattr(rendering, "_render", endless)
    with pytest.raises(RenderRefused, match="took longer than 0.2 seconds to render"):
        render_markdown("Text.")


def test_a_render_that_fails_is_refused_with_a_message(monkeypatch):
    def broken(*args, **kwargs):
        raise RecursionError

    monkeypatch.setattr(rendering, "_render", broken)
    with pytest.raises(RenderRefused, match=r"could not be rendered \(RecursionError\)"):
        render_markdown("Text.")


def test_the_time_limited_render_returns_the_same_result_as_rendering_in_process(settings):
    text = '## Help\n\nText [a](/privacy/).\n\n!!! cta "Call us"\n    We answer.\n'
    forked = render_markdown(text, source="s")
    settings.ARTICLES_RENDER_TIMEOUT_SECONDS = 0
    in_process = render_markdown(text, source="s")

    assert forked == in_process


def test_a_render_child_ends_itself_when_its_cpu_time_runs_out():
    """Even orphaned (its web worker killed), a child cannot keep a core busy."""
    import os
    import signal
    import time

    pid = os.fork()
    if pid == 0:
        try:
            rendering._stop_after_cpu_seconds(1)
            give_up = time.monotonic() + 20  # the test fails, rather than hangs, without it
            while time.monotonic() < give_up:
                pass
        finally:
            os._exit(0)
    _pid, status = os.waitpid(pid, 0)

    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU


@pytest.mark.parametrize(
    "text",
    [
        "[" * 3_000,
        "[" * 1_500 + "a" + "]" * 1_500,
        "[a](" * 2_000,
        "``a`" * 600,
        "(" * 3_000,
        ("[" * 100 + "\n\n") * 80,
    ],
)
def test_unmatched_or_nested_markup_is_refused_below_the_markup_count(text):
    assert sum(map(text.count, rendering.INLINE_MARKUP)) <= rendering.MAX_MARKUP

    assert any("too much unmatched or nested markup" in p for p in limit_problems(text))


@pytest.mark.parametrize(
    "text",
    [
        "See [the helpline](https://www.samhsa.gov/) and [988](tel:988) (free, 24/7).\n",
        "Use `code` and ``a ` b`` and *emphasis* and **strong** and _this_.\n",
        "A stray [ bracket and a stray ( paren and a stray ` tick in one paragraph.\n",
    ],
)
def test_ordinary_markup_passes_the_limits(text):
    assert limit_problems(text * 50) == []
