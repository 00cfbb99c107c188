from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incidents.erasure import IDENTIFYING_FIELDS, source_erase_identity, vacuum_source_tables
from incidents.models import Source


class Command(BaseCommand):
    help = (
        "Erase a source's identity (" + ", ".join(IDENTIFYING_FIELDS) + ") from current data, from every "
        "history event of the source, from those events' context metadata and from the admin log, and mark "
        "it confidential. Irreversible: see docs/security.md before running it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", type=int, required=True, help="The source's id.")
        parser.add_argument("--yes", action="store_true", help="Confirm; without it nothing is changed.")

    def handle(self, *args, source: int, yes: bool, **options) -> None:
        try:
            record = Source.objects.get(pk=source)
        except Source.DoesNotExist:
            raise CommandError(f"No source with id {source}.") from None
        if not yes:
            raise CommandError(
                f"This permanently erases the identity of source {source} ({record.get_kind_display()}) from the "
                "archive and its history. Run again with --yes to proceed."
            )
        report = source_erase_identity(source=record)
        vacuum_source_tables()
        self.stdout.write(
            f"Erased the identity of source {report.source_id}: {report.events_scrubbed} history events, "
            f"{report.contexts_scrubbed} history contexts and {report.log_entries_scrubbed} admin log entries "
            "scrubbed. Backups taken before now still hold it: replace them (docs/security.md)."
        )
