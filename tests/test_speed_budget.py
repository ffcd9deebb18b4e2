"""The speed budget, in bytes and requests (never in seconds): see README, "Speed budget"."""

import re

import pytest

from tests.html import executable_scripts, parse

ARTICLE = "/articles/opioid-induced-hyperalgesia/"
PAGES = ["/", ARTICLE, "/contact/", "/privacy/", "/no-such-page/"]
CSS_BUDGET = 15 * 1024
ARTICLE_TRANSFER_BUDGET = 30 * 1024
ONE_YEAR = 365 * 24 * 60 * 60
HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.\w+$")


def body_bytes(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def subresources(soup) -> list[str]:
    """Every URL the page makes a browser fetch (stylesheets, icons, images...)."""
    urls = [link["href"] for link in soup.find_all("link") if link.get("rel") != ["canonical"]]
    urls += [tag["src"] for tag in soup.find_all(src=True)]
    return urls


def test_stylesheets_fit_the_css_budget(client, seed_article):
    soup = parse(client.get(ARTICLE).content)
    sheets = [link["href"] for link in soup.find_all("link", rel="stylesheet")]

    sizes = {href: len(body_bytes(client.get(href))) for href in sheets}

    assert sheets and sum(sizes.values()) <= CSS_BUDGET, sizes


def test_css_uses_system_fonts_and_loads_nothing(client, seed_article):
    soup = parse(client.get(ARTICLE).content)
    (sheet,) = soup.find_all("link", rel="stylesheet")

    css = body_bytes(client.get(sheet["href"])).decode()

    assert "@font-face" not in css and "@import" not in css and "url(" not in css
    assert "font-family: system-ui" in css


def test_article_whole_transfer_fits_the_budget_compressed(client, seed_article):
    gzip = {"accept-encoding": "gzip"}
    page = client.get(ARTICLE, headers=gzip)
    assert page["Content-Encoding"] == "gzip"
    transfer = {ARTICLE: len(page.content)}

    for url in subresources(parse(client.get(ARTICLE).content)):
        response = client.get(url, headers=gzip)
        assert response.status_code == 200, url
        transfer[url] = len(body_bytes(response))

    assert sum(transfer.values()) <= ARTICLE_TRANSFER_BUDGET, transfer


def test_static_files_have_hashed_names_and_are_cached_for_a_year(client, seed_article):
    soup = parse(client.get(ARTICLE).content)

    for url in subresources(soup):
        assert url.startswith("/static/") and HASHED_NAME.search(url), url
        response = client.get(url)
        max_age = int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))
        assert max_age >= ONE_YEAR, url
        body_bytes(response)


@pytest.mark.parametrize("path", PAGES)
def test_public_page_has_no_script_inline_style_or_handler(client, seed_article, path):
    soup = parse(client.get(path).content)

    assert executable_scripts(soup) == []
    assert soup.find("style") is None
    for tag in soup.find_all(True):
        assert "style" not in tag.attrs, tag.name
        assert not [a for a in tag.attrs if a.lower().startswith("on")], tag.name


@pytest.mark.parametrize("path", PAGES)
def test_public_page_loads_nothing_from_another_site(client, seed_article, path):
    soup = parse(client.get(path).content)

    for url in subresources(soup):
        assert url.startswith("/") and not url.startswith("//"), url
