"""Line diffs between two versions' text, for the compare view (plain data, escaped later).

The template prints each line through Django's autoescaping, so markup in an article's text
shows as text and never runs.
"""

from dataclasses import dataclass
from difflib import SequenceMatcher


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "removed" or "added"
    old_number: int | None
    new_number: int | None
    text: str


def diff_lines(old: str, new: str) -> list[DiffLine]:
    """Every line of `old` and `new`, each marked same, removed or added."""
    a, b = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            lines.extend(
                DiffLine("same", i1 + k + 1, j1 + k + 1, a[i1 + k]) for k in range(i2 - i1)
            )
            continue
        lines.extend(DiffLine("removed", i + 1, None, a[i]) for i in range(i1, i2))
        lines.extend(DiffLine("added", None, j + 1, b[j]) for j in range(j1, j2))
    return lines


def count_changes(lines: list[DiffLine]) -> tuple[int, int]:
    """(removed, added) line counts."""
    removed = sum(1 for line in lines if line.kind == "removed")
    added = sum(1 for line in lines if line.kind == "added")
    return removed, added


def with_context(lines: list[DiffLine], context: int = 3) -> list[DiffLine]:
    """Changed lines with `context` unchanged lines around them; each longer unchanged run
    becomes one "gap" line saying how many lines it hides."""
    keep: set[int] = set()
    for index, line in enumerate(lines):
        if line.kind != "same":
            keep.update(range(max(0, index - context), index + context + 1))
    shown: list[DiffLine] = []
    hidden = 0
    for index, line in enumerate(lines):
        if index not in keep:
            hidden += 1
            continue
        if hidden:
            shown.append(_gap(hidden))
            hidden = 0
        shown.append(line)
    if hidden:
        shown.append(_gap(hidden))
    return shown


def _gap(count: int) -> DiffLine:
    noun = "line" if count == 1 else "lines"
    return DiffLine("gap", None, None, f"{count} unchanged {noun}")
