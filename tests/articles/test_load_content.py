import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, ArticleVersion
from tests.conftest import SEED_ARTICLE
from tests.factories import source_text, write_source


def load(*paths, **options) -> str:
    out = StringIO()
    call_command("load_content", *map(str, paths), stdout=out, **options)
    return out.getvalue()


def load_errors(*paths, **options) -> str:
    with pytest.raises(CommandError) as error:
        load(*paths, **options)
    return str(error.value)


def test_first_load_creates_and_publishes_v1(db, tmp_path):
    path = write_source(tmp_path)

    output = load(path)

    article = Article.objects.get(slug="test-article")
    assert article.published_version.number == 1
    assert "created v1" in output


def test_loading_twice_reports_unchanged_and_writes_nothing(db, tmp_path):
    path = write_source(tmp_path)
    load(path)

    output = load(path)

    assert "unchanged" in output
    assert ArticleVersion.objects.count() == 1


def test_layout_only_changes_are_unchanged(db, tmp_path):
    path = write_source(tmp_path, body="Text.\n")
    load(path)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n") + b"\r\n\r\n")

    assert "unchanged" in load(path)


def test_changed_file_adds_next_version_and_publishes_it(db, tmp_path):
    path = write_source(tmp_path, body="First.\n")
    load(path)
    write_source(tmp_path, body="Second.\n")

    output = load(path)

    article = Article.objects.get()
    assert "updated v2" in output
    assert article.published_version.number == 2
    assert "Second." in article.published_version.body_html
    assert ArticleVersion.objects.get(number=1).body == "First.\n"


def test_repeated_edits_number_versions_in_order(db, tmp_path):
    for text in ["One.\n", "Two.\n", "Three.\n", "Two.\n"]:
        load(write_source(tmp_path, body=text))

    numbers = list(ArticleVersion.objects.order_by("number").values_list("number", "body"))
    assert numbers == [(1, "One.\n"), (2, "Two.\n"), (3, "Three.\n"), (4, "Two.\n")]


def test_folder_loads_every_markdown_file(db, tmp_path):
    write_source(tmp_path, "a.md", slug="a-article")
    (tmp_path / "sub").mkdir()
    write_source(tmp_path / "sub", "b.md", slug="b-article")
    (tmp_path / "notes.txt").write_text("not markdown")

    load(tmp_path)

    assert sorted(Article.objects.values_list("slug", flat=True)) == ["a-article", "b-article"]


def test_version_records_review_metadata(db, tmp_path):
    load(
        write_source(
            tmp_path,
            reviewed_by=[
                {"name": "Zed Second", "credentials": "DNP"},
                {"name": "Amy First", "credentials": "MD, FASAM"},
            ],
            last_reviewed=datetime.date(2025, 3, 13),
        )
    )

    version = ArticleVersion.objects.get()
    assert [(r.name, r.credentials) for r in version.ordered_reviewers] == [
        ("Zed Second", "DNP"),
        ("Amy First", "MD, FASAM"),
    ]
    assert version.last_reviewed == datetime.date(2025, 3, 13)
    assert version.next_review_due == datetime.date(2026, 3, 13)
    assert version.source.endswith("test-article.md")
    assert len(version.content_sha256) == 64


def test_next_review_due_from_front_matter(db, tmp_path):
    load(write_source(tmp_path, next_review_due=datetime.date(2025, 9, 1)))

    assert ArticleVersion.objects.get().next_review_due == datetime.date(2025, 9, 1)


def test_review_interval_is_a_setting(db, tmp_path, settings):
    settings.ARTICLES_REVIEW_INTERVAL_DAYS = 30

    load(write_source(tmp_path, last_reviewed=datetime.date(2025, 1, 1)))

    assert ArticleVersion.objects.get().next_review_due == datetime.date(2025, 1, 31)


def test_seed_article_loads_with_its_reviewers_and_date(db):
    assert "created v1" in load(SEED_ARTICLE)

    version = Article.objects.get(slug="opioid-induced-hyperalgesia").published_version
    assert version.title == "Opioid-Induced Hyperalgesia: What Happens When Opioids Fail"
    assert version.last_reviewed == datetime.date(2025, 3, 13)
    assert [(r.name, r.credentials) for r in version.ordered_reviewers] == [
        ("Randy Gelow", "MD, FASAM"),
        ("Ray Hamilton", "DNP, PMHNP-BC, FNP-C"),
    ]


def test_default_path_is_the_content_folder(db, tmp_path, settings):
    settings.ARTICLES_CONTENT_DIR = tmp_path
    write_source(tmp_path)

    assert "created v1" in load()


def test_dry_run_writes_nothing(db, tmp_path):
    output = load(write_source(tmp_path), dry_run=True)

    assert "created v1" in output
    assert not Article.objects.exists()


def test_verbosity_zero_prints_nothing(db, tmp_path):
    assert load(write_source(tmp_path), verbosity=0) == ""


def test_newest_version_made_elsewhere_is_refused_without_force(db, tmp_path):
    from tests.factories import make_article

    make_article("Editor's text.\n")  # made outside any content file
    path = write_source(tmp_path, body="File text.\n")

    message = load_errors(path)

    assert "--force" in message and "test-article" in message
    assert ArticleVersion.objects.count() == 1
    assert "updated v2" in load(path, force=True)


# --- validation: every problem reported as `file: field: what`, nothing written -------------

BAD_SOURCES = [
    ({"title": ...}, "title: missing"),
    ({"title": "   "}, "title: is empty"),
    ({"title": ["a list"]}, "title: must be text"),
    ({"title": "x" * 201}, "title: is 201 characters"),
    ({"title": "Line\nbreak"}, "title: contains a line break"),
    ({"slug": "Not A Slug"}, "slug: must be lowercase"),
    ({"slug": "../etc/passwd"}, "slug: must be lowercase"),
    ({"slug": "ok--double"}, "slug: must be lowercase"),
    ({"slug": ...}, "slug: missing"),
    ({"summary": "x" * 161}, "summary: is 161 characters; the limit is 160"),
    ({"summary": ...}, "summary: missing"),
    ({"reviewed_by": []}, "reviewed_by: needs at least one reviewer"),
    ({"reviewed_by": ...}, "reviewed_by: missing"),
    ({"reviewed_by": "Dr. Somebody"}, "reviewed_by: needs at least one reviewer"),
    ({"reviewed_by": [{"credentials": "MD"}]}, "reviewed_by[1].name: missing or empty"),
    ({"reviewed_by": [{"name": "  ", "credentials": "MD"}]}, "reviewed_by[1].name: missing"),
    ({"reviewed_by": [{"name": "A", "role": "x"}]}, "reviewed_by[1]: unknown key role"),
    ({"reviewed_by": ["just a string"]}, "reviewed_by[1]: must be a mapping"),
    ({"last_reviewed": "March 13, 2025"}, "last_reviewed: 'March 13, 2025' is not an ISO date"),
    ({"last_reviewed": "2025-02-30"}, "last_reviewed: '2025-02-30' is not an ISO date"),
    ({"last_reviewed": "2025-3-1"}, "last_reviewed: '2025-3-1' is not an ISO date"),
    ({"last_reviewed": 20250313}, "last_reviewed: '20250313' is not an ISO date"),
    ({"last_reviewed": ...}, "last_reviewed: missing"),
    ({"last_reviewed": datetime.date(2999, 1, 1)}, "last_reviewed: 2999-01-01 is in the future"),
    ({"next_review_due": datetime.date(2024, 1, 1)}, "next_review_due: is before last_reviewed"),
    ({"next_review_due": "soon"}, "next_review_due: 'soon' is not an ISO date"),
    ({"author": "Someone"}, "author: unknown key"),
]


@pytest.mark.parametrize("overrides, expected", BAD_SOURCES)
def test_invalid_front_matter_is_reported_by_file_and_field(db, tmp_path, overrides, expected):
    path = write_source(tmp_path, "bad.md", **overrides)

    message = load_errors(path)

    assert f"bad.md: {expected}" in message
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "body, expected",
    [
        ("", "body: is empty"),
        ("Text.\n\n!!! cta\n    Sentence.\n", "body: line 3: a call-to-action must be written"),
        ('Text.\n\n!!! cta "Heading\n    Sentence.\n', "body: line 3: a call-to-action must be"),
        ('Text.\n\n!!! cta ""\n    Sentence.\n', "body: line 3: call-to-action heading is empty"),
        ('Text.\n\n!!! cta "Heading"\n', "body: line 3: call-to-action needs an indented"),
        ('Text.\n\n!!! cta "Heading"\nNot indented.\n', "body: line 3: call-to-action needs an"),
        ('Text.\n!!! cta "Heading"\n    Sentence.\n', "body: line 2: call-to-action needs a blank"),
        ('!!! cta "H"\n    Sentence.\nLazy line.\n', "body: line 1: call-to-action must be follow"),
        ('!!! note "Other"\n    Sentence.\n', "body: line 1: a call-to-action must be written"),
        ("Bell \x07 character.\n", "body: line 1: contains a control character"),
    ],
)
def test_invalid_body_is_reported_with_its_line(db, tmp_path, body, expected):
    path = write_source(tmp_path, "bad.md", body=body)

    assert f"bad.md: {expected}" in load_errors(path)
    assert not Article.objects.exists()


def test_invalid_utf8_is_reported(db, tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes(source_text("Caf\u00e9\n").encode("latin-1"))

    assert "latin1.md: file: not valid UTF-8" in load_errors(path)


def test_file_over_one_megabyte_is_refused_unread(db, tmp_path):
    path = write_source(tmp_path, "huge.md", body="x" * (1024 * 1024) + "\n")

    assert "huge.md: file:" in load_errors(path)
    assert "byte limit" in load_errors(path)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("No front matter at all.\n", "front matter: missing"),
        ("---\ntitle: [unclosed\n---\nBody\n", "front matter: not valid YAML (line"),
        ("---\n- a\n- list\n---\nBody\n", "front matter: missing"),
        ("---\n!!python/object/apply:os.system ['true']\n---\nBody\n", "front matter: not valid"),
    ],
)
def test_unreadable_front_matter_is_reported(db, tmp_path, text, expected):
    path = tmp_path / "odd.md"
    path.write_text(text, encoding="utf-8")

    assert f"odd.md: {expected}" in load_errors(path)


def test_same_slug_in_two_files_is_refused(db, tmp_path):
    write_source(tmp_path, "one.md", slug="same")
    write_source(tmp_path, "two.md", slug="same")

    message = load_errors(tmp_path)

    assert "two.md: slug: 'same' is also used by" in message and "one.md" in message
    assert not Article.objects.exists()


def test_one_bad_file_among_good_ones_writes_nothing_and_lists_all_problems(db, tmp_path):
    write_source(tmp_path, "a-good.md", slug="good-one")
    write_source(tmp_path, "b-bad.md", slug="Bad Slug", summary="x" * 200)
    write_source(tmp_path, "c-good.md", slug="good-two")

    message = load_errors(tmp_path)

    assert "b-bad.md: slug:" in message and "b-bad.md: summary:" in message
    assert "2 problems; nothing was loaded." in message
    assert not Article.objects.exists()
    assert not ArticleVersion.objects.exists()


def test_missing_path_is_reported(db, tmp_path):
    assert "nowhere.md: path: no such file or folder" in load_errors(tmp_path / "nowhere.md")


def test_empty_folder_is_an_error(db, tmp_path):
    assert "No .md files found" in load_errors(tmp_path)


def test_newest_version_from_the_admin_is_refused_without_force(db, tmp_path):
    from tests.factories import make_draft, make_editor

    path = write_source(tmp_path, body="File text.\n")
    load(path)
    make_draft(Article.objects.get(), by=make_editor(), body="Editor's draft.\n")
    write_source(tmp_path, body="Newer file text.\n")

    message = load_errors(path)

    assert "made by 'admin: edna'" in message and "--force" in message
    assert ArticleVersion.objects.count() == 2
    assert "updated v3" in load(path, force=True)
    states = dict(ArticleVersion.objects.values_list("number", "state"))
    assert states == {1: "superseded", 2: "superseded", 3: "published"}


def test_keep_admin_work_leaves_the_admins_version_and_loads_the_other_files(db, tmp_path):
    from articles.services import publish_version
    from tests.factories import make_approved, make_editor, make_medical_reviewer

    path = write_source(tmp_path, body="File text.\n")
    load(path)
    article = Article.objects.get()
    approved = make_approved(article, editor=make_editor(), reviewer=make_medical_reviewer())
    publish_version(approved, by=approved.approval.approved_by)
    write_source(tmp_path, body="Newer file text.\n")
    other = write_source(tmp_path, name="other.md", slug="other-article", title="Other")

    output = load(tmp_path, keep_admin_work=True)

    assert f"kept v{approved.number} of 'test-article', made by 'admin: edna'" in output
    assert "export_content test-article" in output
    assert f"{other}: created v1" in output
    article.refresh_from_db()
    assert article.published_version == approved
    assert ArticleVersion.objects.filter(article=article).count() == approved.number
    assert "--force" in load_errors(path)


def test_keep_admin_work_and_force_cannot_be_given_together(db, tmp_path):
    message = load_errors(write_source(tmp_path), keep_admin_work=True, force=True)

    assert "--force or --keep-admin-work" in message
    assert not ArticleVersion.objects.exists()


def test_loaded_versions_carry_their_review_and_publish_directly(db, tmp_path):
    load(write_source(tmp_path))

    version = ArticleVersion.objects.get()
    assert version.state == "published" and version.from_file
    from articles.models import Approval

    assert not Approval.objects.filter(version=version).exists()


def folder_of(tmp_path, size: int):
    """A folder of `size` valid files, each for its own article."""
    folder = tmp_path / str(size)
    folder.mkdir()
    for number in range(size):
        write_source(folder, f"a{number}.md", slug=f"size-{size}-article-{number}")
    return folder


def queries_of_load(folder) -> tuple[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        output = load(folder)
    return output, len(queries)


def test_an_unchanged_run_costs_the_same_queries_for_3_or_30_files(db, tmp_path):
    counts = []
    for size in (3, 30):
        folder = folder_of(tmp_path, size)
        load(folder)
        output, count = queries_of_load(folder)
        assert output.count(": unchanged (") == size
        counts.append(count)

    assert counts[0] == counts[1]


def test_each_new_file_costs_a_fixed_small_number_of_queries(db, tmp_path):
    counts = []
    for size in (2, 6):
        output, count = queries_of_load(folder_of(tmp_path, size))
        assert output.count("created v1") == size
        counts.append(count)

    per_file = (counts[1] - counts[0]) / 4
    # Writing the version, its reviewer link, two history events and the publish; no query
    # re-checks what the database enforces, and a reviewer is looked up once per load.
    assert per_file <= 24, per_file


FRONT = "---\ntitle: T\nslug: odd\nsummary: S\nreviewed_by:\n  - {name: A, credentials: MD}\n"


@pytest.mark.parametrize(
    "text, expected",
    [
        (FRONT + "last_reviewed: 2025-02-30\n---\nBody\n", "last_reviewed: '2025-02-30' is not"),
        (FRONT + "last_reviewed: 0000-01-01\n---\nBody\n", "last_reviewed: '0000-01-01' is not"),
        (FRONT + "last_reviewed: 2025-03-01 10:00\n---\nBody\n", "last_reviewed: must be a date"),
        ('{\n"title": "T",\n}\n\nBody\n', "front matter: missing"),
        ("{\n" + "[" * 100_000 + "\n}\n\nBody\n", "front matter: missing"),
        ("[" * 100_000 + "\n", "front matter: missing"),
        ("---\ntitle: " + "[" * 100_000 + "\n---\nBody\n", "front matter: nested too deeply"),
        ("---\na: &x [1]\nb: *x\n---\nBody\n", "front matter: not valid YAML (line 2): anchors"),
        ("---\ntitle: T\x00\n---\nBody\n", "front matter: not valid YAML"),
        ("---\n- a\n---\nBody\n", "front matter: missing"),
        ("---\ntitle: 5\n---\nBody\n", "title: must be text"),
    ],
)
def test_loader_reports_bad_files_by_field_and_never_crashes(db, tmp_path, text, expected):
    path = tmp_path / "odd.md"
    path.write_text(text, encoding="utf-8")

    assert f"odd.md: {expected}" in load_errors(path)
    assert not Article.objects.exists()


def test_billion_laughs_is_refused_at_the_first_anchor(db, tmp_path):
    laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = laughs[-1][0]
        laughs.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    path = tmp_path / "laughs.md"
    path.write_text("---\n" + "\n".join(laughs) + "\n---\nBody\n", encoding="utf-8")

    assert "laughs.md: front matter: not valid YAML (line 2): anchors and aliases" in (
        load_errors(path)
    )


def test_json_front_matter_is_refused(db, tmp_path):
    path = tmp_path / "json.md"
    path.write_text(
        '{\n"title": "T", "slug": "json-article", "summary": "S",\n'
        '"reviewed_by": [{"name": "A", "credentials": "MD"}], "last_reviewed": "2025-01-01"\n}\n'
        "\nBody\n",
        encoding="utf-8",
    )

    assert "json.md: front matter: missing (a YAML block" in load_errors(path)


def test_the_same_reviewer_twice_is_a_problem_not_a_crash(db, tmp_path):
    twice = [{"name": "Dr. A", "credentials": "MD"}, {"name": "Dr. A", "credentials": "MD"}]
    path = write_source(tmp_path, "twice.md", reviewed_by=twice)

    assert "twice.md: reviewed_by[2]: Dr. A is listed twice" in load_errors(path)
    assert not Article.objects.exists()


def test_every_files_problems_are_reported_in_one_run(db, tmp_path):
    (tmp_path / "a.md").write_text("---\na: &x 1\n---\nBody\n", encoding="utf-8")
    write_source(tmp_path, "b.md", slug="b-article", last_reviewed="2025-02-30")
    write_source(tmp_path, "c.md", slug="c-article", body="[" * 5000 + "\n")
    (tmp_path / "d.md").mkdir()
    write_source(tmp_path, "e.md", slug="e-article")

    message = load_errors(tmp_path)

    assert "a.md: front matter: not valid YAML" in message
    assert "b.md: last_reviewed:" in message
    assert "c.md: body: line 1: too much unmatched or nested markup" in message
    assert "d.md: path: not a file" in message
    assert not Article.objects.exists()


def test_links_that_leave_the_content_folder_are_refused(db, tmp_path):
    content, outside = tmp_path / "content", tmp_path / "outside"
    content.mkdir()
    outside.mkdir()
    secret = write_source(outside, "secret.md", slug="secret-article")
    (content / "file-link.md").symlink_to(secret)
    (content / "folder-link").symlink_to(outside, target_is_directory=True)
    write_source(content, "inside.md", slug="inside-article")

    message = load_errors(content)

    assert "file-link.md: path: a link to outside" in message
    assert not Article.objects.filter(slug="secret-article").exists()
    assert not Article.objects.exists()


def test_a_link_inside_the_content_folder_still_loads(db, tmp_path):
    real = write_source(tmp_path, "real.txt", slug="linked-article")
    (tmp_path / "linked.md").symlink_to(real)

    load(tmp_path / "linked.md")

    assert Article.objects.filter(slug="linked-article").exists()


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000,
        "![" * 50_000,
        "[a](" * 25_000,
        "[" * 50_000 + "a" + "]" * 50_000,
        "``a`" * 25_000,
        "***a" * 25_000,
        "<" * 100_000,
        "# a\n" * 25_000,
        "~~~\n" * 25_000,
        "|a|b|\n|-|-|\n|x|y|\n" * 5_000,
        "- a\n" + "".join("    " * i + "- a\n" for i in range(1, 30)),
    ],
)
def test_costly_bodies_of_100_kb_are_refused_before_rendering(db, tmp_path, body):
    body = body[: 100 * 1024 - 1]
    path = write_source(tmp_path, "costly.md", body=body + "\n")

    assert "costly.md: body: " in load_errors(path)
    assert not Article.objects.exists()


def test_body_over_the_size_limit_is_refused(db, tmp_path, settings):
    settings.ARTICLES_MAX_BODY_BYTES = 1000
    path = write_source(tmp_path, "long.md", body="Word. " * 200 + "\n")

    assert "long.md: body: is 1,200 bytes long; the limit is 1,000 bytes" in load_errors(path)


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"title": "Safe \u202eevil"}, "title: contains an invisible or direction-changing"),
        ({"summary": "Zero\u200bwidth"}, "summary: contains an invisible"),
        ({"about": "Pain\u2066"}, "about: contains an invisible"),
        (
            {"reviewed_by": [{"name": "Dr.\ufeffA", "credentials": "MD"}]},
            "reviewed_by[1].name: contains an invisible",
        ),
        (
            {"reviewed_by": [{"name": "Dr. A", "credentials": "M\u200dD"}]},
            "reviewed_by[1].credentials: contains an invisible",
        ),
    ],
)
def test_bidi_and_zero_width_characters_are_refused_by_field(db, tmp_path, overrides, expected):
    path = write_source(tmp_path, "bidi.md", **overrides)

    assert f"bidi.md: {expected}" in load_errors(path)


def test_bidi_characters_in_a_call_to_action_heading_are_refused(db, tmp_path):
    path = write_source(tmp_path, "cta.md", body='Text.\n\n!!! cta "Call \u202e911"\n    Now.\n')

    assert "cta.md: body: line 3: call-to-action heading contains an invisible" in (
        load_errors(path)
    )


def test_soft_hyphens_and_accents_are_allowed_in_titles(db, tmp_path):
    load(write_source(tmp_path, title="Hyper\u00adalgesia and caf\u00e9 \u2014 na\u00efve"))

    assert Article.objects.get().published_version.title.startswith("Hyper\u00adalgesia")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("---\ntitle: " + "1" * 5000 + "\n---\nBody\n", "front matter: a value cannot be read"),
        ("---\n? " + "k" * 50_000 + "\n: 1\n---\nBody\n", "k" * 40 + "…: unknown key"),
        ("---\n? [a, b]\n: 1\n---\nBody\n", "front matter: not valid YAML"),
    ],
)
def test_extreme_values_are_reported_briefly(db, tmp_path, text, expected):
    path = tmp_path / "extreme.md"
    path.write_text(text, encoding="utf-8")

    message = load_errors(path)

    assert f"extreme.md: {expected}" in message
    assert len(message) < 2000


def test_renders_that_run_out_of_time_are_each_reported_and_nothing_is_written(
    db, tmp_path, settings, monkeypatch
):
    from articles import rendering

    settings.ARTICLES_RENDER_TIMEOUT_SECONDS = 0.3
    real_render = rendering._render

    def slow_for_some(text, source):
        while "Slow" in text:
            pass
        return real_render(text, source)

    monkeypatch.setattr(rendering, "_render", slow_for_some)
    write_source(tmp_path, "a.md", slug="a-article", body="Slow one.\n")
    write_source(tmp_path, "b.md", slug="b-article", body="Quick one.\n")
    write_source(tmp_path, "c.md", slug="c-article", body="Slow two.\n")

    message = load_errors(tmp_path)

    assert "a.md: body: took longer than 0.3 seconds to render" in message
    assert "c.md: body: took longer than 0.3 seconds to render" in message
    assert "b.md" not in message
    assert "2 problems; nothing was loaded." in message
    assert not Article.objects.exists()
