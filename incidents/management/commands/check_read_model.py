from django.core.management.base import BaseCommand, CommandError

from incidents import readmodel


class Command(BaseCommand):
    help = (
        "Compare the public read model with one built now from the editorial tables, row by row, and "
        "fail listing the tables that differ. Changes nothing."
    )

    def handle(self, *args: object, **options: object) -> None:
        found = readmodel.differences()
        if found:
            raise CommandError("The read model differs from the editorial tables:\n" + "\n".join(found))
        self.stdout.write("The read model matches the editorial tables.")
