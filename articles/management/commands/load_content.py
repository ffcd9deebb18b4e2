"""Load markdown articles from content/ into numbered, published versions.

Content is reviewed in git; this command is the only way a file reaches patients. It
validates every file first and writes nothing at all if any file has a problem.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.services import LoadRefused, load_sources
from articles.sources import SourceError, collect_paths, read_source


class Command(BaseCommand):
    help = "Validate markdown article files and load each changed one as a new published version."

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="*", type=Path, help="Files or folders (default: ARTICLES_CONTENT_DIR)."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace articles whose newest version was made outside their file.",
        )
        parser.add_argument(
            "--keep-admin-work",
            action="store_true",
            help=(
                "Leave articles whose newest version was made outside their file (in the admin) "
                "as they are, say so, and load the rest. How `make run` and the image start up."
            ),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report without writing."
        )

    def handle(self, *args, paths, force, keep_admin_work, dry_run, **options):
        if force and keep_admin_work:
            raise CommandError("Use --force or --keep-admin-work, not both.")
        files, problems = collect_paths(paths or [settings.ARTICLES_CONTENT_DIR])
        if not files and not problems:
            raise CommandError("No .md files found in " + ", ".join(map(str, paths)))
        sources = []
        for path in files:
            try:
                sources.append(read_source(path))
            except SourceError as error:
                problems.extend(error.problems)
        problems.extend(_duplicate_slugs(sources))
        if problems:
            raise CommandError(_report(problems, "nothing was loaded"))
        try:
            results = load_sources(
                sources, force=force, keep_elsewhere=keep_admin_work, dry_run=dry_run
            )
        except LoadRefused as refused:
            raise CommandError(_report(refused.problems, "nothing was loaded")) from None
        if options["verbosity"] >= 1:
            for result in results:
                if result.outcome == "kept":
                    self.stdout.write(self.style.WARNING(str(result)))
                elif result.outcome == "unchanged":
                    self.stdout.write(str(result))
                else:
                    self.stdout.write(self.style.SUCCESS(str(result)))
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")


def _duplicate_slugs(sources) -> list[str]:
    seen: dict[str, str] = {}
    problems = []
    for source in sources:
        if source.slug in seen:
            problems.append(
                f"{source.path}: slug: '{source.slug}' is also used by {seen[source.slug]}"
            )
        else:
            seen[source.slug] = source.path
    return problems


def _report(problems: list[str], outcome: str) -> str:
    count = len(problems)
    noun = "problem" if count == 1 else "problems"
    return "\n".join(problems) + f"\n{count} {noun}; {outcome}."
