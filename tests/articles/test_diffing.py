from articles.diffing import DiffLine, count_changes, diff_lines, with_context


def test_changed_lines_are_marked_and_numbered():
    lines = diff_lines("one\ntwo\nthree\n", "one\n2\nthree\nfour\n")

    assert lines == [
        DiffLine("same", 1, 1, "one"),
        DiffLine("removed", 2, None, "two"),
        DiffLine("added", None, 2, "2"),
        DiffLine("same", 3, 3, "three"),
        DiffLine("added", None, 4, "four"),
    ]
    assert count_changes(lines) == (1, 2)


def test_identical_text_has_no_changes():
    assert count_changes(diff_lines("a\nb", "a\nb")) == (0, 0)


def test_long_unchanged_runs_are_folded_into_gaps():
    old = "\n".join(f"line {n}" for n in range(1, 21))
    new = old.replace("line 10", "line ten")

    shown = with_context(diff_lines(old, new), context=2)

    assert [line.kind for line in shown] == [
        "gap", "same", "same", "removed", "added", "same", "same", "gap",
    ]  # fmt: skip
    assert shown[0].text == "7 unchanged lines" and shown[-1].text == "8 unchanged lines"
