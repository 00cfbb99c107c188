import time

from django.core.management.base import BaseCommand, CommandParser
from django.http import QueryDict

from incidents.facets import take_holdings_snapshot, take_snapshot
from incidents.selection import Selection


class Command(BaseCommand):
    help = (
        "Count the facets of result sets too large to count on each visit (by default the whole archive, "
        "which the home page and the unfiltered incident list show) with no time budget, and keep the "
        "counts as snapshots. Pages show a snapshot, with its date, when they cannot count in time. Run it "
        "after large imports and regularly (say hourly) on archives of several hundred thousand incidents."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "queries",
            nargs="*",
            metavar="QUERY",
            help="Filter query strings to count as well, as /incidents/ takes them (e.g. 'country=NE').",
        )

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()
        take_holdings_snapshot()
        self.stdout.write(f"Counted the published actors, sources and claims in {time.perf_counter() - started:.1f} s.")
        for query in ["", *options["queries"]]:
            chosen = Selection(QueryDict(query))
            if not chosen.is_valid:
                self.stderr.write(f"Skipped {query!r}: {chosen.errors}")
                continue
            started = time.perf_counter()
            snapshot = take_snapshot(chosen.incidents, chosen.result_set_params)
            total = snapshot.counts["total"]
            self.stdout.write(
                f"Counted {query or 'every published incident'}: {total:,} incidents "
                f"in {time.perf_counter() - started:.1f} s."
            )
