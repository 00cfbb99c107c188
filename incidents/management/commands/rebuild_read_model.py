import time

from django.core.management.base import BaseCommand

from incidents import readmodel


class Command(BaseCommand):
    help = (
        "Make the public read model (schema readmodel: what public pages, the API, exports and releases "
        "read) anew from the editorial tables, in one transaction. The database keeps it current on every "
        "write and migrations rebuild it when its shape changes; run this after restoring a backup made "
        "without it, or when check_read_model finds a difference."
    )

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()
        readmodel.rebuild()
        self.stdout.write(f"Rebuilt the read model in {time.perf_counter() - started:.1f} s.")
