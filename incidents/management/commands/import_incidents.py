"""Bulk import of incidents from a CSV file (archive or ACLED format), all or nothing; or ACLED's deletions."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from incidents.imports.deletions import import_deletions
from incidents.imports.engine import FORMATS, BulkImportError, bulk_import


class Command(BaseCommand):
    help = (
        "Import incidents with their actors, sources, time precision and (ACLED) fatalities claims, each with the "
        "report carrying it, from a CSV file. The file is "
        "staged with COPY and checked in full first: if any row is bad, nothing is written and each problem is "
        "listed by row, column and reason. New incidents are drafts; a row whose import_key is in the archive "
        "updates that incident: a draft in place, a published one as a correction for another reviewer to approve. "
        "With --deletions, a file of ACLED's deleted events (event_id_cnty, deleted_timestamp) retracts them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?", help="The CSV file (UTF-8, with a header row).")
        parser.add_argument("--format", choices=FORMATS, default="archive", help="archive (default) or acled.")
        parser.add_argument("--user", help="Username recorded as creator and in history.")
        parser.add_argument("--dry-run", action="store_true", help="Check and import, then roll back.")
        parser.add_argument(
            "--reason", default="", help="The public reason of the corrections the updates propose (default: the date)."
        )
        parser.add_argument(
            "--deletions",
            type=Path,
            help="ACLED's deletions file: retracts the published incidents of those events (a reviewer's --user).",
        )

    def handle(self, *args: object, **options: object) -> None:
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user named {options['user']!r}.") from None
        if options["deletions"] is not None:
            self.deletions(options["deletions"], user, options["dry_run"])
        if options["file"] is None:
            if options["deletions"] is None:
                raise CommandError("Give a file to import, or --deletions FILE.")
            return
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            result = bulk_import(
                path=path,
                file_format=options["format"],
                user=user,
                dry_run=options["dry_run"],
                reason=options["reason"],
            )
        except BulkImportError as error:
            self.report(error)
        timings = ", ".join(f"{step} {seconds:.2f}s" for step, seconds in result.timings.items())
        verb = "Checked (dry run, rolled back)" if options["dry_run"] else "Imported"
        self.stdout.write(
            f"{verb} {result.incidents} incidents as drafts; {result.updated} drafts updated, "
            f"{result.corrections} corrections to review, {result.unchanged} unchanged; "
            f"{result.actors_created} new actors. Cumulative time: {timings}."
        )

    def report(self, error: BulkImportError) -> None:
        for row, column, reason in error.problems:
            where = f"row {row}" if row is not None else "file"
            self.stderr.write(f"{where}, {column or '-'}: {reason}")
        shown = len(error.problems)
        more = f" (first {shown} shown)" if error.total > shown else ""
        raise CommandError(f"{error.total} problem(s){more}; nothing was imported.") from None

    def deletions(self, path: Path, user: object, dry_run: bool) -> None:
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            with path.open("rb") as handle:
                result = import_deletions(handle=handle, user=user, dry_run=dry_run, file_name=path.name)
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except BulkImportError as error:
            self.report(error)
        for row, event, what in result.reported:
            self.stdout.write(f"row {row}, {event}: {what}")
        verb = "Checked (dry run, rolled back):" if dry_run else "ACLED's deletions:"
        self.stdout.write(
            f"{verb} {len(result.retracted)} incidents retracted; {len(result.reported)} rows reported above."
        )
