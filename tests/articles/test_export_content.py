"""export_content writes published versions back to files; loading them changes nothing."""

import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, ArticleVersion
from articles.services import publish_version
from articles.sources import read_source
from tests.conftest import SEED_ARTICLE
from tests.factories import make_approved, make_article, make_editor, make_medical_reviewer


def export(*slugs, **options) -> str:
    out = StringIO()
    call_command("export_content", *slugs, stdout=out, **options)
    return out.getvalue()


def load(path, **options) -> str:
    out = StringIO()
    call_command("load_content", str(path), stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def folder(tmp_path, settings):
    settings.ARTICLES_CONTENT_DIR = tmp_path
    return tmp_path


@pytest.fixture
def admin_published(db):
    """An article whose published version was written and approved in the admin."""
    article = make_article("File text.\n")
    version = make_approved(
        article,
        editor=make_editor(),
        reviewer=make_medical_reviewer(name="Rhea Medic", credentials="MD, FASAM"),
        body='Admin text: with "quotes" and é.\n\n!!! cta "Get help"\n    Call us today.\n',
    )
    publish_version(version, by=version.approval.approved_by)
    return Article.objects.get(pk=article.pk)


def test_export_then_load_creates_no_version(folder, admin_published):
    output = export()

    path = folder / "test-article.md"
    assert "test-article.md: created" in output
    source = read_source(path)
    version = admin_published.published_version
    assert source.content_sha256 == version.content_sha256
    assert [(r.name, r.credentials) for r in source.reviewed_by] == [("Rhea Medic", "MD, FASAM")]
    assert source.last_reviewed == version.last_reviewed
    count = ArticleVersion.objects.count()
    assert "unchanged" in load(path)
    assert ArticleVersion.objects.count() == count


def test_export_twice_reports_unchanged_and_leaves_the_file_alone(folder, admin_published):
    export()
    path = folder / "test-article.md"
    before = path.stat().st_mtime_ns

    assert "unchanged" in export()
    assert path.stat().st_mtime_ns == before


def test_seed_article_exports_as_unchanged_over_its_own_file(folder, seed_article):
    shutil.copy(SEED_ARTICLE, folder / SEED_ARTICLE.name)
    original = (folder / SEED_ARTICLE.name).read_bytes()

    assert "unchanged" in export("opioid-induced-hyperalgesia")
    assert (folder / SEED_ARTICLE.name).read_bytes() == original


def test_seed_article_round_trips_into_an_empty_folder(folder, seed_article):
    export()

    assert "unchanged" in load(folder / "opioid-induced-hyperalgesia.md")
    assert ArticleVersion.objects.count() == 1


def test_an_edited_exported_file_is_refused_without_force(folder, admin_published):
    export()
    path = folder / "test-article.md"
    path.write_text(path.read_text().replace("Admin text", "Changed in git"), encoding="utf-8")

    with pytest.raises(CommandError, match="--force"):
        load(path)
    assert "updated v3" in load(path, force=True)


def test_unknown_or_unpublished_slugs_write_nothing(folder, admin_published):
    make_article(slug="draft-only", publish=False)

    with pytest.raises(CommandError) as error:
        export("test-article", "no-such", "draft-only")

    assert "no-such: slug: no published article" in str(error.value)
    assert "draft-only: slug: no published article" in str(error.value)
    assert list(folder.iterdir()) == []


def test_another_file_holding_the_slug_is_reported(folder, admin_published):
    (folder / "old-name.md").write_text(
        (SEED_ARTICLE.read_text()).replace("opioid-induced-hyperalgesia", "test-article")
    )

    with pytest.raises(CommandError, match="old-name.md: slug: 'test-article'"):
        export()
    assert not (folder / "test-article.md").exists()


def test_dry_run_writes_nothing(folder, admin_published):
    output = export(dry_run=True)

    assert "created" in output and "Dry run" in output
    assert list(folder.iterdir()) == []


def test_missing_folder_is_named(db, tmp_path):
    with pytest.raises(CommandError, match="dir: no such folder"):
        export(dir=tmp_path / "nowhere")
