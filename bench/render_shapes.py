"""Costly markdown shapes at the body limit: what the rendering limits do with each.

    python -m bench.render_shapes [SHAPE ...]

For every shape, filled to ARTICLES_MAX_BODY_BYTES: whether the linear pre-check refuses it
and how long that takes; then the longest prefix the pre-check accepts and how long that
renders in one process (the worst an editor can make the site render). Not part of
`make bench`: it reports, it asserts nothing.
"""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hartrehab.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from articles import rendering  # noqa: E402

SHAPES = {
    "[": "[",
    "![": "![",
    "[a](": "[a](",
    "[a][": "[a][",
    "[[[a]]]": None,  # nested: built below
    "[a] + definition": "[a]",
    "[(": "[(",
    "[a](<": "[a](<",
    "[![a": "[![a",
    "[\\n": "[\n",
    "| [": "| [",
    "[`": "[`",
    "`a": "`a",
    "``a`": "``a`",
    "*a": "*a",
    "***a": "***a",
    "*_": "*_",
    "_a ": "_a ",
    "<": "<",
    "<a": "<a",
    "<http://": "<http://",
    "&#": "&#",
    "\\": "\\",
    "[\\": "[\\",
    "!!! cta lines": '!!! cta "' + "h" * 50 + '"\n    x\n\n',
    "# a headings": "# a\n",
    "~~~ fences": "~~~\n",
    "table rows": "|a|b|\n|-|-|\n|x|y|\n",
    "nested lists": None,
    "> quotes": ">",
    "100 [ per paragraph": "[" * 100 + "\n\n",
}


def fill(shape: str, size: int) -> str:
    if shape == "[[[a]]]":
        half = (size - 1) // 2
        return "[" * half + "a" + "]" * half
    if shape == "nested lists":
        lines, total, depth = [], 0, 0
        while total < size:
            lines.append("    " * depth + "- a\n")
            total += len(lines[-1])
            depth += 1
        return "".join(lines)[:size]
    unit = SHAPES[shape]
    return (unit * (size // len(unit) + 1))[:size]


def main(names: list[str]) -> None:
    size = settings.ARTICLES_MAX_BODY_BYTES
    print(f"| shape | at {size:,} bytes | pre-check s | longest accepted | its render s |")
    print("| --- | --- | --- | --- | --- |")
    for name in names or SHAPES:
        text = fill(name, size)
        started = time.perf_counter()
        refused = bool(rendering.limit_problems(text))
        check = time.perf_counter() - started
        low, high = 0, len(text)
        while low < high:  # the longest prefix the pre-check accepts
            middle = (low + high + 1) // 2
            if rendering.limit_problems(text[:middle]):
                high = middle - 1
            else:
                low = middle
        started = time.perf_counter()
        rendering._render(text[:low], source="")
        render = time.perf_counter() - started
        verdict = "refused" if refused else "accepted"
        print(f"| `{name!r}` | {verdict} | {check:.3f} | {low:,} | {render:.2f} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
