import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from bench.synthetic import generate
from incidents.models import Incident


class Command(BaseCommand):
    help = (
        "Generate synthetic but realistic incidents for benchmarks: actors with aliases, sources, people who "
        "speak (spokesmen and witnesses), incidents across seven countries, all event types and 2019–2025, "
        "with 1–3 actor links and about five claims each, each claim carried by about 1.5 reports (citations), "
        "mostly published. Rows are built in Python and loaded with PostgreSQL COPY, ids drawn from the "
        "tables' sequences. History insert triggers are paused while loading: synthetic benchmark "
        "data needs no audit trail, and recording it would double the load time. Large runs drop the secondary "
        "indexes and build them again at the end. Tables are ANALYZEd at the end, and the whole archive's facet "
        "counts taken (count_facets)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True, help="Number of incidents to create.")
        parser.add_argument(
            "--claims-per-incident", type=int, default=5, help="Average number of claims per incident (default 5)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed gives the same data.")
        parser.add_argument("--batch-size", type=int, default=10_000, help="Incidents per COPY batch and transaction.")
        parser.add_argument(
            "--workers", type=int, default=2, help="Batches loaded in parallel, one connection each (default 2)."
        )
        parser.add_argument(
            "--rebuild-indexes",
            choices=["auto", "yes", "no"],
            default="auto",
            help=(
                "Drop the secondary indexes of the incident, claim, citation and link tables while loading and build "
                "them again at the end; 'auto' does so when the run at least doubles the incident table."
            ),
        )

    def handle(self, *args: object, **options: object) -> None:
        count = options["count"]
        if count < 1:
            raise CommandError("--count must be at least 1.")
        if options["claims_per_incident"] < 1:
            raise CommandError("--claims-per-incident must be at least 1.")
        rebuild = options["rebuild_indexes"] == "yes" or (
            options["rebuild_indexes"] == "auto" and count >= 50_000 and count >= Incident.objects.count()
        )
        started = time.perf_counter()
        with tqdm(total=count, unit="incident", disable=options["verbosity"] == 0, file=self.stderr) as bar:
            totals = generate(
                count=count,
                claims_per_incident=options["claims_per_incident"],
                random_seed=options["seed"],
                batch_size=options["batch_size"],
                workers=options["workers"],
                rebuild_indexes=rebuild,
                progress=bar.update,
            )
        elapsed = time.perf_counter() - started
        # The whole archive's counts, for the pages that cannot count so many incidents in time.
        call_command("count_facets", verbosity=0)
        if options["verbosity"] == 0:
            return
        self.stdout.write(
            f"Created {totals.incidents:,} incidents, {totals.claims:,} claims, {totals.citations:,} citations, "
            f"{totals.incident_actors:,} actor links, {totals.incident_sources:,} incident sources, "
            f"{totals.sources:,} sources and {totals.people:,} people in {elapsed:.1f} s "
            f"({totals.rows / elapsed:,.0f} rows/s, {totals.incidents / elapsed:,.0f} incidents/s)."
        )
