"""Bulk import of incidents from a CSV file (archive or ACLED format), all or nothing."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from incidents.imports.engine import FORMATS, BulkImportError, bulk_import


class Command(BaseCommand):
    help = (
        "Import incidents with their actors, sources, time precision and (ACLED) fatalities claims, each with the "
        "report carrying it, from a CSV file. The file is "
        "staged with COPY and checked in full first: if any row is bad, nothing is written and each problem is "
        "listed by row, column and reason. Imported incidents are drafts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file (UTF-8, with a header row).")
        parser.add_argument("--format", choices=FORMATS, default="archive", help="archive (default) or acled.")
        parser.add_argument("--user", help="Username recorded as creator and in history.")
        parser.add_argument("--dry-run", action="store_true", help="Check and import, then roll back.")

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user named {options['user']!r}.") from None
        try:
            result = bulk_import(path=path, file_format=options["format"], user=user, dry_run=options["dry_run"])
        except BulkImportError as error:
            for row, column, reason in error.problems:
                where = f"row {row}" if row is not None else "file"
                self.stderr.write(f"{where}, {column or '-'}: {reason}")
            shown = len(error.problems)
            more = f" (first {shown} shown)" if error.total > shown else ""
            raise CommandError(f"{error.total} problem(s){more}; nothing was imported.") from None
        timings = ", ".join(f"{step} {seconds:.2f}s" for step, seconds in result.timings.items())
        verb = "Checked (dry run, rolled back)" if options["dry_run"] else "Imported"
        self.stdout.write(
            f"{verb} {result.incidents} incidents as drafts; {result.actors_created} new actors. "
            f"Cumulative time: {timings}."
        )
