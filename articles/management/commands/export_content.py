"""Write published articles back to content/<slug>.md, so reviewed content stays in git.

Editors change articles in the admin; this puts the published text and its review (front
matter) back into the files, where changes are reviewed like code. Loading an exported file
creates no version (same content hash). Every article is checked before any file is written.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from articles.services import WorkflowError, export_text
from articles.sources import SourceError, collect_paths, parse_source, read_source


class Command(BaseCommand):
    help = "Write the published version of each article (default: all) to <dir>/<slug>.md."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", metavar="SLUG", help="Articles (default: all).")
        parser.add_argument(
            "--dir", type=Path, help="Folder to write to (default: ARTICLES_CONTENT_DIR)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Report without writing.")

    def handle(self, *args, slugs, dry_run, **options):
        folder = options["dir"] or Path(settings.ARTICLES_CONTENT_DIR)
        if not folder.is_dir():
            raise CommandError(f"{folder}: dir: no such folder")
        articles, problems = self._articles(slugs)
        files = {}
        for article in articles:
            try:
                files[article.slug] = export_text(article.published_version)
            except WorkflowError as error:
                problems.append(f"{article.slug}: {error}")
        problems.extend(_slugs_in_other_files(folder, files))
        if problems:
            count = len(problems)
            raise CommandError("\n".join(problems) + f"\n{count} problem(s); nothing was written.")
        for slug, text in files.items():
            outcome = self._write(folder / f"{slug}.md", text, dry_run=dry_run)
            if options["verbosity"] >= 1:
                message = f"{folder / slug}.md: {outcome}"
                changed = outcome != "unchanged"
                self.stdout.write(self.style.SUCCESS(message) if changed else message)
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")

    def _articles(self, slugs: list[str]) -> tuple[list[Article], list[str]]:
        published = Article.objects.published().with_published_version()
        if not slugs:
            return list(published), []
        found = {a.slug: a for a in published.filter(slug__in=slugs)}
        problems = [f"{slug}: slug: no published article" for slug in slugs if slug not in found]
        return [found[slug] for slug in dict.fromkeys(slugs) if slug in found], problems

    def _write(self, path: Path, text: str, *, dry_run: bool) -> str:
        if path.exists():
            try:
                if read_source(path).content_sha256 == _hash_of(text, path):
                    return "unchanged"
            except SourceError:
                pass  # an unreadable file is replaced by the published text
            outcome = "updated"
        else:
            outcome = "created"
        if not dry_run:
            # Write beside it, then rename: a crash never leaves half a file.
            temporary = path.with_name(f".{path.name}.tmp")
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, path)
        return outcome


def _hash_of(text: str, path: Path) -> str:
    return parse_source(text, name=str(path)).content_sha256


def _slugs_in_other_files(folder: Path, files: dict[str, str]) -> list[str]:
    """Another file already holding an exported slug would make load_content refuse both."""
    paths, _ = collect_paths([folder])
    problems = []
    for path in paths:
        try:
            slug = read_source(path).slug
        except SourceError:
            continue
        if slug in files and path.resolve() != (folder / f"{slug}.md").resolve():
            problems.append(f"{path}: slug: '{slug}' is exported to {slug}.md; remove one")
    return problems
