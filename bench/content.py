"""How load_content's cost grows with the number of files: 10, 100, 1,000 articles."""

import tempfile
import time
from pathlib import Path

from tools.local_server import manage, site_env

PARAGRAPH = (
    "Opioids are prescribed to relieve pain, but in some cases, they worsen pain instead. "
    "Recognizing the symptoms is important. Seeking the right treatment helps manage pain. "
)


def article_text(number: int, revision: int = 0) -> str:
    sections = []
    for section in range(6):
        sections.append(f"## Section {section + 1} of article {number}\n\n{PARAGRAPH * 4}\n")
        sections.append("- First point\n- Second point\n- Third point\n")
        sections.append(f'!!! cta "Take the first step."\n    Ask us for help today ({section}).\n')
    return (
        "---\n"
        f'title: "Generated article {number}"\n'
        f"slug: generated-article-{number}\n"
        "summary: A generated article used to measure the loader.\n"
        "reviewed_by:\n  - name: Bench Reviewer\n    credentials: MD\n"
        "last_reviewed: 2025-03-13\n"
        "---\n\n"
        f"Revision {revision}.\n\n" + "\n".join(sections)
    )


def write_articles(folder: Path, count: int, revision: int = 0, only: range | None = None) -> None:
    for number in only or range(count):
        path = folder / f"generated-article-{number}.md"
        path.write_text(article_text(number, revision), encoding="utf-8")


def timed_load(env: dict, folder: Path) -> tuple[float, str]:
    start = time.perf_counter()
    result = manage(env, "load_content", str(folder))
    return time.perf_counter() - start, result.stdout


def measure(sizes=(10, 100, 1000)) -> dict:
    results = {"sizes": {}}
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            env = site_env(workdir)
            manage(env, "migrate", "--noinput")
            folder = workdir / "content"
            folder.mkdir()
            write_articles(folder, size)
            first, out = timed_load(env, folder)
            assert out.count("created v1") == size, out[-500:]
            again, out = timed_load(env, folder)
            assert out.count("unchanged") == size, out[-500:]
            write_articles(folder, size, revision=1, only=range(min(10, size)))
            changed, out = timed_load(env, folder)
            assert out.count("updated v2") == min(10, size), out[-500:]
            results["sizes"][size] = {"first": first, "unchanged": again, "ten_changed": changed}
    return results
