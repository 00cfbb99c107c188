"""Write a citable, versioned dataset release: CSVs, datapackage.json, checksums, citation, changes."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incidents.readmodel.reads import public_reads
from incidents.release import ReleaseError, export_release


class Command(BaseCommand):
    help = (
        "Export the published data as release VERSION into DIR: a CSV per table, datapackage.json, a data "
        "dictionary, CITATION.cff, changes.json (against --previous, or the newest release beside DIR) and SHA256SUMS."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: object) -> CommandParser:
        # --version names the release here, replacing Django's own --version (its version number).
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--version", dest="release_version", required=True, help="Release version, e.g. 2025.06.")
        parser.add_argument("--out", required=True, type=Path, help="New (or empty) directory for the release.")
        parser.add_argument(
            "--previous", type=Path, help="An earlier release to compare with (default: the newest beside --out)."
        )

    def handle(self, *args: object, release_version: str, out: Path, previous: Path | None, **options: object) -> None:
        try:
            # A release holds what the public may read, so it is read from the public read model.
            with public_reads():
                changes = export_release(version=release_version, out=out, previous=previous)
        except ReleaseError as error:
            raise CommandError(str(error)) from None
        since = f" since {changes.previous_version}" if changes.previous_version else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Release {release_version} written to {out}{since}: {len(changes.added)} added, "
                f"{len(changes.changed)} changed, {len(changes.retracted)} retracted "
                f"({len(changes.merged_into)} merged into another), {len(changes.withdrawn)} withdrawn, "
                f"{len(changes.corrected)} corrected."
            )
        )
