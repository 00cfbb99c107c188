import pghistory
from django.core.management.base import BaseCommand, CommandParser

from incidents.demo import sample, seed
from incidents.demo.loader import demo_user, load_all


class Command(BaseCommand):
    help = (
        "Load the demo data: the seed story (the Kidal convoy ambush of 13 June 2025), fully encoded, "
        "and about 200 realistic sample incidents across seven countries, all event types and 2019–2025, "
        "published and not, with incidents that show each kind of claim, date and link the archive records. "
        "Safe to run again: existing records are found by stable keys and only changed ones are written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed-only", action="store_true", help="Load only the seed story, not the sample.")

    def handle(self, *args: object, **options: object) -> None:
        actors, relations, sources, people, incidents = (
            list(seed.ACTORS),
            list(seed.RELATIONS),
            list(seed.SOURCES),
            list(seed.PEOPLE),
            [seed.INCIDENT],
        )
        incident_relations = []
        if not options["seed_only"]:
            data = sample.build()
            actors += data.actors
            relations += data.relations
            sources += data.sources
            people += data.people
            incidents += data.incidents
            incident_relations += data.incident_relations
        with pghistory.context(command="load_demo"):
            report = load_all(
                actors=actors,
                relations=relations,
                sources=sources,
                people=people,
                incidents=incidents,
                incident_relations=incident_relations,
                user=demo_user(),
            )
        self.stdout.write(
            f"Demo data loaded: {len(incidents)} incidents in the demo set; "
            f"{report.created} records created, {report.updated} updated, {report.deleted} deleted."
        )
