"""`make screenshots`: the article, the intake form showing its errors and the thanks page,
375 px and 1280 px wide, into docs/screenshots/ (shown in the README).

Starts the site itself (tools.local_server) and drives Debian's Chromium through Playwright.
A page the site does not route yet is skipped with a note.
"""

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tools.audit import say
from tools.local_server import ROOT, is_routed, local_site, setup_django

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OUT = ROOT / "docs" / "screenshots"
# Phone (an iPhone's CSS width) and laptop; each shot is the first screen, the form's whole page.
VIEWPORTS = {375: 812, 1280: 900}


def submit_empty_form(page) -> None:
    """Send the intake form empty, past the browser's own checks, to show the site's errors."""
    form = page.locator("main form")
    if form.count() == 0:
        raise LookupError("no form on the contact page yet")
    form.evaluate("form => { form.noValidate = true; }")
    form.locator("[type=submit]").first.click()
    page.wait_for_load_state()


@dataclass(frozen=True)
class Shot:
    name: str
    path: str
    prepare: Callable | None = None
    full_page: bool = False


SHOTS = [
    Shot("article", "/articles/opioid-induced-hyperalgesia/"),
    Shot("form-errors", "/contact/", submit_empty_form, full_page=True),
    Shot("thanks", "/contact/thanks/", full_page=True),
]


def take(browser, base_url: str, shot: Shot) -> list[Path]:
    saved = []
    for width, height in VIEWPORTS.items():
        page = browser.new_page(viewport={"width": width, "height": height})
        try:
            page.goto(base_url + shot.path)
            if shot.prepare:
                shot.prepare(page)
            path = OUT / f"{shot.name}-{width}.png"
            page.screenshot(path=str(path), full_page=shot.full_page)
            saved.append(path)
        finally:
            page.close()
    return saved


def main() -> int:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        say(f"screenshots: no Chromium at {CHROMIUM} (apt-get install chromium)", sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    with local_site() as base_url, sync_playwright() as playwright:
        setup_django()
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for shot in SHOTS:
            if not is_routed(shot.path):
                say(f"{shot.name}: {shot.path} is not built yet, skipped")
                continue
            try:
                for path in take(browser, base_url, shot):
                    say(f"{shot.name}: {path.relative_to(ROOT)}")
            except LookupError as missing:
                say(f"{shot.name}: skipped ({missing})")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
