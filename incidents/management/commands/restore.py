from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from incidents.backup import create_database, restore


class Command(BaseCommand):
    help = (
        "Load a backup written by `backup` into an empty database: the configured one, or "
        "--database NAME on the same server (created if missing). A non-empty target is refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", required=True, type=Path, help="The .dump file written by `backup`.")
        parser.add_argument("--database", help="Restore into this database on the same server instead.")

    def handle(self, *args, file: Path, database: str | None, **options) -> None:
        if database:
            create_database(name=database)
        name = restore(dump=file, database=database)
        self.stdout.write(f"Restored {file} into the database {name!r}.")
