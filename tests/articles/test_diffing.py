from articles.diffing import DiffLine, count_changes, diff_lines


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
