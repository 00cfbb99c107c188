from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from incidents.backup import backup


class Command(BaseCommand):
    help = "Write a pg_dump custom-format backup of the archive's database (restore it with `restore`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="Where to write the .dump file.")

    def handle(self, *args, out: Path, **options) -> None:
        path = backup(out=out)
        self.stdout.write(f"Backup written to {path} ({path.stat().st_size} bytes).")
