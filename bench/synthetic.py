"""Synthetic incidents at scale, for benchmarks: rows generated in Python, loaded with COPY.

The rows look like the archive's real data (places, actors and outlets from
``incidents.demo.vocabulary``, claims whose numbers disagree, about 1.5 reports citing each
claim, spokesmen and witnesses who speak) and satisfy every database constraint; the
estimates are those the claims propose, per side as well as in total. Primary keys come
from the tables' own sequences (``nextval``), so synthetic rows never collide with rows
that editors create at the same time.

The insert triggers of the history are paused for these rows (incidents.history): benchmark
data needs no audit trail, and writing an event row for each of millions of inserts would
about double the database's work. The pause is transaction-local; each transaction sets it
before its first insert.
"""

from __future__ import annotations

import datetime
import functools
import random
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

import pghistory
from django.db import connection, models, transaction
from django.utils.text import slugify

from incidents.demo import seed, vocabulary
from incidents.demo.loader import demo_user, load_actors
from incidents.demo.specs import ActorSpec
from incidents.demo.vocabulary import PLACES, THEATRES
from incidents.history import insert_history_paused
from incidents.models import (
    Actor,
    ActorKind,
    Citation,
    Claim,
    ClaimKind,
    Incident,
    IncidentActor,
    IncidentSource,
    Person,
    PersonAffiliation,
    PersonAlias,
    Source,
    SourceKind,
    SubEventType,
)
from incidents.readmodel import suspended as read_model_suspended

FIRST_DAY = datetime.date(2019, 1, 1)
LAST_DAY = datetime.date(2025, 10, 31)

COUNTRY_WEIGHTS = {"ML": 20, "BF": 18, "NE": 10, "NG": 18, "SD": 14, "CD": 13, "SO": 7}
EVENT_TYPE_WEIGHTS = {
    "battles": 30,
    "explosionsremote-violence": 14,
    "violence-against-civilians": 28,
    "protests": 12,
    "riots": 6,
    "strategic-developments": 10,
}
SUB_TYPE_WEIGHTS = {
    "armed-clash": 85,
    "government-regains-territory": 8,
    "non-state-actor-overtakes-territory": 7,
    "airdrone-strike": 35,
    "remote-explosivelandmineied": 35,
    "shellingartillerymissile-attack": 18,
    "suicide-bomb": 6,
    "grenade": 5,
    "chemical-weapon": 1,
    "attack": 75,
    "abductionforced-disappearance": 20,
    "sexual-violence": 5,
    "peaceful-protest": 60,
    "protest-with-intervention": 30,
    "excessive-force-against-protesters": 10,
    "violent-demonstration": 60,
    "mob-violence": 40,
    "arrests": 30,
    "lootingproperty-destruction": 20,
    "agreement": 8,
    "change-to-groupactivity": 10,
    "disrupted-weapons-use": 12,
    "headquarters-or-base-established": 8,
    "non-violent-transfer-of-territory": 7,
    "strategic-developments-other": 5,
}
TITLES = {
    "armed-clash": (
        "Clashes near {place}",
        "Ambush of an army patrol near {place}",
        "Attack on a military post in {place}",
    ),
    "government-regains-territory": ("Army retakes {place}",),
    "non-state-actor-overtakes-territory": ("Armed group takes control of {place}",),
    "airdrone-strike": ("Drone strike near {place}", "Airstrike on {place}"),
    "remote-explosivelandmineied": ("Roadside bomb near {place}", "Landmine blast on the road to {place}"),
    "shellingartillerymissile-attack": ("Shelling of {place}",),
    "suicide-bomb": ("Suicide bombing in {place}",),
    "grenade": ("Grenade attack in {place}",),
    "chemical-weapon": ("Reported chemical attack near {place}",),
    "attack": ("Killing of villagers in {place}", "Gunmen attack {place}", "Attack on a market in {place}"),
    "abductionforced-disappearance": ("Abductions near {place}", "Travellers abducted on the road to {place}"),
    "sexual-violence": ("Sexual violence reported near {place}",),
    "peaceful-protest": ("Protest in {place}", "March against insecurity in {place}"),
    "protest-with-intervention": ("Police disperse a protest in {place}",),
    "excessive-force-against-protesters": ("Security forces fire on protesters in {place}",),
    "violent-demonstration": ("Rioting in {place}",),
    "mob-violence": ("Mob violence in {place}",),
    "arrests": ("Arrests of suspected militants in {place}",),
    "lootingproperty-destruction": ("Looting in {place}", "Houses burned in {place}"),
    "agreement": ("Local ceasefire agreed in {place}",),
    "change-to-groupactivity": ("Armed group announces a blockade of {place}",),
    "disrupted-weapons-use": ("Explosive device defused near {place}",),
    "headquarters-or-base-established": ("Army sets up a base in {place}",),
    "non-violent-transfer-of-territory": ("Armed group withdraws from {place}",),
    "strategic-developments-other": ("Security incident in {place}",),
}
# The share of an incident's claims that are about deaths, by event type.
FATALITY_SHARE = {
    "battles": 0.65,
    "explosionsremote-violence": 0.65,
    "violence-against-civilians": 0.65,
    "protests": 0.3,
    "riots": 0.35,
    "strategic-developments": 0.1,
}
SUMMARIES = (
    "Reported by local and national media; the parties' figures differ.",
    "Figures are those given by each source; none has been independently verified.",
    "The army and the armed group gave conflicting accounts of the losses.",
    "Residents and a humanitarian organisation described the events to the press.",
)
# (kind, wording, quote): {n} is the number; an empty wording means the claim gives no number.
OTHER_CLAIMS = (
    (ClaimKind.INJURIES, "{n} wounded", "{n} wounded were taken to hospital."),
    (ClaimKind.DETAINED, "{n} abducted", "{n} people were taken away by the assailants."),
    (ClaimKind.MATERIEL_DESTROYED, "{n} vehicles", "{n} vehicles were destroyed."),
    (ClaimKind.MATERIEL_CAPTURED, "{n} motorbikes", "{n} motorbikes and weapons were seized."),
    (ClaimKind.RESPONSIBILITY, "", "The group claimed responsibility for the attack."),
    (ClaimKind.OCCURRENCE, "", "Gunfire was heard for several hours."),
)
SYLLABLES = ("ba", "di", "ko", "ma", "sa", "ti", "na", "ou", "ga", "ra", "dou", "kan", "sou", "tin", "lo", "we", "ya")


def _text(value: Any) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list | tuple):
        return "{" + ",".join(f'"{item}"' for item in value) + "}"
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class CopyTable:
    """The COPY column list for a model: the generated columns first, then every other column's default.

    Deriving the tail from the model means a column added later is filled with its
    default rather than breaking the load; a required column without one fails loudly.
    """

    def __init__(self, model: type[models.Model], generated: Sequence[str]) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.generated}
        unknown = set(generated) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__} has no column(s) {sorted(unknown)}.")
        # An omitted primary key takes its sequence's next value in the database.
        rest = [f for name, f in fields.items() if name not in generated and not f.primary_key]
        for f in rest:
            if f.get_default() is None and not f.null:
                raise ValueError(f"{model.__name__}.{f.name} needs a generated value: it has no default.")
        self.table = model._meta.db_table
        self.columns = [fields[name].column for name in generated] + [f.column for f in rest]
        self.tail = "".join("\t" + _text(f.get_default()) for f in rest) + "\n"

    def copy(self, cursor: Any, rows: list[str]) -> None:
        if not rows:
            return
        columns = ", ".join(f'"{c}"' for c in self.columns)
        with cursor.copy(f'COPY "{self.table}" ({columns}) FROM STDIN') as copy:
            copy.write(self.tail.join(rows) + self.tail)


def _reserve_ids(cursor: Any, model: type[models.Model], count: int) -> list[int]:
    table = model._meta.db_table
    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count])
    return [row[0] for row in cursor.fetchall()]


@dataclass
class Pools:
    """What the incidents draw on: actors by role in each country, sources, places and taxonomy."""

    state: dict[str, list[int]]
    allies: dict[str, list[int]]
    armed: dict[tuple[str, str], list[int]]  # (country, place name) -> armed groups operating there
    civilians: dict[str, int]
    protesters: dict[str, int]
    rioters: dict[str, int]
    police: dict[str, int]
    sources: list[int]
    source_languages: dict[int, str]
    spokesmen: dict[int, list[int]]  # actor -> the people who speak for it
    witnesses: list[int]  # people who speak for no one, their identity withheld
    people: int  # how many people this run created
    sub_types: dict[str, tuple[int, int, str]]  # slug -> (id, event type id, event type slug)
    user_id: int


def _village_names(rng: random.Random, count: int) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
        names.add(name.capitalize())
    return sorted(names)


def local_actor_specs(rng: random.Random, count: int) -> dict[str, list[ActorSpec]]:
    """Local armed groups for each country: self-defence militias and unnamed katibas."""
    specs: dict[str, list[ActorSpec]] = {code: [] for code in PLACES}
    villages = _village_names(rng, count)
    for index, village in enumerate(villages):
        code = list(PLACES)[index % len(PLACES)]
        place = rng.choice(PLACES[code])
        if index % 2:
            name, kind = f"{village} self-defence group", ActorKind.IDENTITY_MILITIA
            aliases = ((f"Groupe d'autodéfense de {village}", "fr"),)
        else:
            name, kind = f"Katiba {village}", ActorKind.REBEL_GROUP
            aliases = ((f"Katibat {village}", "ar-Latn"), (f"Katiba de {village}", "fr"))
        specs[code].append(
            ActorSpec(
                slug=slugify(f"{name}-{code}"),
                name=name,
                kind=kind,
                country=code,
                description=f"Local armed group active around {place.name} ({place.admin1}).",
                aliases=aliases,
            )
        )
    return specs


def prepare_pools(*, rng: random.Random, count: int, cursor: Any) -> Pools:
    """Create (or find) the actors, and create this run's sources."""
    local = local_actor_specs(random.Random(0), max(20, min(2000, count // 2000)))
    specs = [*seed.ACTORS, *vocabulary.ACTORS, *(spec for group in local.values() for spec in group)]
    # Existing actors are left as editors keep them; only missing ones are created.
    actor_ids, _ = load_actors(specs, [*seed.RELATIONS, *vocabulary.RELATIONS], update=False)

    def ids(slugs: Sequence[str]) -> list[int]:
        return [actor_ids[s] for s in slugs]

    pools = Pools(
        state={c: ids(t.state) for c, t in THEATRES.items()},
        allies={c: ids(t.allies) for c, t in THEATRES.items()},
        armed={
            (c, place.name): ids([*vocabulary.armed_groups_near(c, place), *(s.slug for s in local[c])])
            for c, places in PLACES.items()
            for place in places
        },
        civilians={c: actor_ids[f"civilians-{c.lower()}"] for c in THEATRES},
        protesters={c: actor_ids[f"protesters-{c.lower()}"] for c in THEATRES},
        rioters={c: actor_ids[f"rioters-{c.lower()}"] for c in THEATRES},
        police={c: actor_ids[t.police] for c, t in THEATRES.items()},
        sources=[],
        source_languages={},
        spokesmen={},
        witnesses=[],
        people=0,
        sub_types={
            s.slug: (s.pk, s.event_type_id, s.event_type.slug)
            for s in SubEventType.objects.select_related("event_type")
        },
        user_id=demo_user().pk,
    )
    pools.source_languages = _create_sources(rng=rng, count=max(50, count // 20), cursor=cursor)
    pools.sources = list(pools.source_languages)
    pools.people = max(20, min(5000, count // 200))
    pools.spokesmen, pools.witnesses = _create_people(
        rng=rng, count=pools.people, actors=sorted(_parties(pools)), cursor=cursor
    )
    return pools


def _parties(pools: Pools) -> set[int]:
    """The actors that issue statements: states, their allies and the armed groups."""
    groups = [*pools.state.values(), *pools.allies.values(), *pools.armed.values()]
    return {actor for group in groups for actor in group}


def _person_name(rng: random.Random) -> str:
    def word() -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()

    return f"{word()} {word()}"


def _create_people(
    *, rng: random.Random, count: int, actors: list[int], cursor: Any
) -> tuple[dict[int, list[int]], list[int]]:
    """People who speak: spokesmen of the parties (with a second spelling and an affiliation since
    a date), analysts, and witnesses whose identity is withheld. Returns the spokesmen by actor
    and the witnesses."""
    people = CopyTable(
        Person, ["id", "name", "slug", "description", "confidential", "internal_notes", "created_at", "updated_at"]
    )
    aliases = CopyTable(PersonAlias, ["person_id", "name", "language"])
    affiliations = CopyTable(PersonAffiliation, ["person_id", "actor_id", "role", "start_date"])
    ids = _reserve_ids(cursor, Person, count)
    stamp = f"{FIRST_DAY.isoformat()} 10:00:00+00"
    spokesmen: dict[int, list[int]] = {}
    witnesses: list[int] = []
    person_rows, alias_rows, affiliation_rows = [], [], []
    for index, person_id in enumerate(ids):
        name = _person_name(rng)
        if index % 5 == 0:
            voice = rng.choice(vocabulary.LOCAL_VOICES)
            name, description, confidential, notes = (
                f"{voice} {person_id}",
                voice,
                "t",
                f"{name}; asked not to be named.",
            )
            witnesses.append(person_id)
        elif index % 5 == 1:
            organisation, role = rng.choice(vocabulary.EXPERTS)
            description, confidential, notes = f"{role}, {organisation}", "f", ""
        else:
            actor = actors[rng.randrange(len(actors))]
            description, confidential, notes = "Spokesman", "f", ""
            spokesmen.setdefault(actor, []).append(person_id)
            started = FIRST_DAY + datetime.timedelta(days=rng.randint(0, (LAST_DAY - FIRST_DAY).days // 2))
            affiliation_rows.append(f"{person_id}\t{actor}\tspokesman\t{started.isoformat()}")
            spelling = name.replace("ou", "u").replace("ka", "ca")
            if spelling != name:
                alias_rows.append(f"{person_id}\t{_text(spelling)}\ten")
        slug = f"{slugify(name)}-{person_id}"
        person_rows.append(
            "\t".join((str(person_id), _text(name), slug, _text(description), confidential, _text(notes), stamp, stamp))
        )
    people.copy(cursor, person_rows)
    aliases.copy(cursor, alias_rows)
    affiliations.copy(cursor, affiliation_rows)
    return spokesmen, witnesses


def _create_sources(*, rng: random.Random, count: int, cursor: Any) -> dict[int, str]:
    """This run's sources, with the language of each (its citations quote it in that language)."""
    table = CopyTable(
        Source,
        [
            "id",
            "kind",
            "outlet",
            "title",
            "author",
            "published_on",
            "language",
            "reliability",
            "confidential",
            "internal_notes",
            "created_at",
            "updated_at",
        ],
    )
    outlets = [(SourceKind.NEWS_AGENCY, o, lang, grade) for o, lang, grade in vocabulary.AGENCIES]
    outlets += [(SourceKind.NGO_REPORT, o, lang, grade) for o, lang, grade in vocabulary.NGOS]
    outlets += [(SourceKind.NEWS_OUTLET, o, lang, "C") for t in THEATRES.values() for o, lang in t.outlets]
    outlets += [(SourceKind.GOVERNMENT_STATEMENT, t.military_voice, "", "D") for t in THEATRES.values()]
    outlets += [(SourceKind.PARTY_STATEMENT, o, "", "D") for o in sorted(set(vocabulary.PARTY_CHANNELS.values()))]
    outlets += [(SourceKind.SOCIAL_MEDIA, o, "", "F") for o in vocabulary.SOCIAL]
    outlets += [(SourceKind.EXPERT, o, "en", "B") for o, _ in vocabulary.EXPERTS]
    days = (LAST_DAY - FIRST_DAY).days
    rows = []
    languages: dict[int, str] = {}
    for source_id in _reserve_ids(cursor, Source, count):
        day = FIRST_DAY + datetime.timedelta(days=rng.randint(0, days))
        stamp = f"{day.isoformat()} 10:00:00+00"
        place = rng.choice(PLACES[rng.choice(list(PLACES))])
        if rng.random() < 0.06:
            voice = rng.choice(vocabulary.LOCAL_VOICES)
            values = [
                SourceKind.LOCAL_SOURCE,
                "",
                f"Account of the events in {place.name}",
                f"{voice}, {place.admin2}",
                day.isoformat(),
                "fr",
                "C",
                "t",
                _text(f"{voice} in {place.name}; asked not to be named."),
            ]
        else:
            kind, outlet, language, grade = rng.choice(outlets)
            values = [
                kind,
                _text(outlet),
                _text(f"Report on the violence in {place.admin1}, {day:%d %B %Y}"),
                "",
                day.isoformat(),
                language,
                grade,
                "f",
                "",
            ]
        languages[source_id] = values[5]
        rows.append("\t".join([str(source_id), *values, stamp, stamp]))
    table.copy(cursor, rows)
    return languages


@dataclass
class Batch:
    """One batch's rows in COPY text form. Claims come without their id and citations without
    their claim's, as (index of the claim, rest of the row): ids are reserved once the batch
    knows how many claims it has."""

    incidents: list[str]
    links: list[str]
    sources: list[str]
    claims: list[str]
    citations: list[tuple[int, str]]

    def numbered(self, claim_ids: list[int]) -> tuple[list[str], list[str]]:
        ids = [str(claim_id) for claim_id in claim_ids]
        claims = [f"{claim_id}\t{row}" for claim_id, row in zip(ids, self.claims, strict=True)]
        return claims, [f"{ids[index]}\t{row}" for index, row in self.citations]


class IncidentGenerator:
    """Generates one batch of rows at a time; all choices come from one seeded generator."""

    def __init__(self, *, pools: Pools, rng: random.Random, claims_per_incident: int) -> None:
        self.pools = pools
        self.rng = rng
        self.claims_per_incident = claims_per_incident
        self.incidents = CopyTable(
            Incident,
            [
                "id",
                "title",
                "summary",
                "start_date",
                "end_date",
                "country",
                "admin1",
                "admin2",
                "location",
                "latitude",
                "longitude",
                "geo_precision",
                "event_type_id",
                "sub_event_type_id",
                "fatalities_low",
                "fatalities_best",
                "fatalities_high",
                "fatalities_high_open",
                *(f"{prefix}_{bound}" for prefix in SIDES for bound in ("low", "best", "high")),
                "injuries_low",
                "injuries_best",
                "injuries_high",
                "fatalities_method",
                "fatalities_rationale",
                "contested",
                "grading",
                "tags",
                "status",
                "retraction_notice",
                "created_by_id",
                "published_by_id",
                "created_at",
                "updated_at",
                "published_at",
                "retracted_at",
            ],
        )
        self.links = CopyTable(IncidentActor, ["incident_id", "actor_id", "side", "role"])
        self.incident_sources = CopyTable(IncidentSource, ["incident_id", "source_id"])
        self.claims = CopyTable(
            Claim,
            [
                "id",
                "incident_id",
                "claimant_id",
                "speaker_id",
                "kind",
                "losses_of",
                "losses_actor_id",
                "quantity_low",
                "quantity_high",
                "quantity_text",
                "responsible_actor_id",
                "attribution",
                "stance",
                "verification",
                "created_at",
                "updated_at",
            ],
        )
        self.citations = CopyTable(
            Citation, ["claim_id", "source_id", "quote", "language", "published_on", "created_at", "updated_at"]
        )
        self.countries = list(COUNTRY_WEIGHTS)
        self.country_weights = _cumulative(COUNTRY_WEIGHTS.values())
        by_type: dict[str, list[str]] = {}
        for slug, (_, _, type_slug) in pools.sub_types.items():
            by_type.setdefault(type_slug, []).append(slug)
        # Incidents are drawn from the event types the tables above describe (actors on each side,
        # share of fatality claims). A type editors added in the admin is left out; a sub-type they
        # added under a known type is drawn, rarely, with a generic title.
        self.event_types = [t for t in EVENT_TYPE_WEIGHTS if t in by_type]
        if not self.event_types:
            raise ValueError(f"The taxonomy has none of the event types {sorted(EVENT_TYPE_WEIGHTS)}.")
        self.event_weights = _cumulative(EVENT_TYPE_WEIGHTS[t] for t in self.event_types)
        self.sub_types = {t: sorted(by_type[t]) for t in self.event_types}
        self.sub_weights = {
            t: _cumulative(SUB_TYPE_WEIGHTS.get(s, 1) for s in subs) for t, subs in self.sub_types.items()
        }
        self.days = [FIRST_DAY + datetime.timedelta(days=d) for d in range((LAST_DAY - FIRST_DAY).days + 1)]
        self.places = {c: [(_text(p.admin1), _text(p.admin2), _text(p.name), p) for p in PLACES[c]] for c in PLACES}
        self.villages = [_text(v) for v in _village_names(random.Random(1), 3000)]

    def batch(self, ids: list[int]) -> Batch:
        rng = self.rng
        random_ = rng.random
        randint = rng.randint
        choices = rng.choices
        pools = self.pools
        n_sources = len(pools.sources)
        user = str(pools.user_id)
        incident_rows: list[str] = []
        link_rows: list[str] = []
        source_rows: list[str] = []
        claim_rows: list[str] = []
        citation_rows: list[tuple[int, str]] = []
        for incident_id in ids:
            iid = str(incident_id)
            country = choices(self.countries, cum_weights=self.country_weights)[0]
            event_type = choices(self.event_types, cum_weights=self.event_weights)[0]
            sub_slug = choices(self.sub_types[event_type], cum_weights=self.sub_weights[event_type])[0]
            sub_id, type_id, _ = pools.sub_types[sub_slug]
            admin1, admin2, town, place = self.places[country][int(random_() * len(self.places[country]))]
            if random_() < 0.5:
                location = town
                lat, lon, precision = place.latitude, place.longitude, "exact" if random_() < 0.3 else "near"
            else:
                location = self.villages[int(random_() * len(self.villages))]
                lat = place.latitude + (random_() - 0.5) * 0.6
                lon = place.longitude + (random_() - 0.5) * 0.6
                precision = "near" if random_() < 0.7 else "admin2"
            day = self.days[int(random_() * len(self.days))]
            end = day if random_() < 0.9 else day + datetime.timedelta(days=randint(1, 3))
            titles = TITLES.get(sub_slug, ("Incident in {place}",))
            title = titles[int(random_() * len(titles))].format(place=location)

            side_a, side_b, supporting = self._sides(event_type, sub_slug, country, place.name)
            links = [(side_a, "A", "primary")]
            if side_b is not None:
                links.append((side_b, "B", "primary"))
            if supporting is not None and supporting != side_a:
                links.append((supporting, "A", "supporting"))
            for actor_id, side, role in links:
                link_rows.append(f"{iid}\t{actor_id}\t{side}\t{role}")
            parties = [a for a, _, _ in links]

            cited = rng.sample(pools.sources, min(len(pools.sources), randint(1, 3)))
            for source_id in cited:
                source_rows.append(f"{iid}\t{source_id}")

            stamp = f"{end.isoformat()} 18:00:00+00"
            reported, relayed = end.isoformat(), (end + datetime.timedelta(days=1)).isoformat()
            deaths, injuries = _Estimate(), _Estimate()
            heavy = event_type in ("battles", "explosionsremote-violence", "violence-against-civilians")
            scale = randint(1, 40) if heavy else randint(0, 4)
            fatality_share = FATALITY_SHARE[event_type]
            n_claims = max(1, self.claims_per_incident + randint(-1, 1))
            for _ in range(n_claims):
                source_id = (
                    cited[int(random_() * len(cited))]
                    if random_() < 0.8
                    else pools.sources[int(random_() * len(pools.sources))]
                )
                claimant = parties[int(random_() * len(parties))] if random_() < 0.4 else None
                claimant_text = r"\N" if claimant is None else str(claimant)
                speaker = r"\N"
                if claimant is not None and random_() < 0.3 and claimant in pools.spokesmen:
                    spokesmen = pools.spokesmen[claimant]
                    speaker = str(spokesmen[int(random_() * len(spokesmen))])
                elif claimant is None and random_() < 0.05:
                    speaker = str(pools.witnesses[int(random_() * len(pools.witnesses))])
                responsible, attribution = r"\N", ""
                if random_() < fatality_share:
                    roll = random_()
                    if roll < 0.45:
                        losses_of, losses_actor = "actor", parties[int(random_() * len(parties))]
                    elif roll < 0.7:
                        losses_of, losses_actor = "civilians", None
                    else:
                        losses_of, losses_actor = "unknown", None
                    n = max(0, int(scale * (0.4 + random_() * 1.8)))
                    nouns = FATALITY_NOUNS[losses_of]
                    noun = nouns[int(random_() * len(nouns))]
                    low, high, text, quote_text = _fatality_wording(int(random_() * 6), n, noun)
                    stance = "assertion"
                    if heavy and claimant is not None and claimant == losses_actor and low is not None:
                        # A party admits fewer of its own dead than others claim.
                        stance = "acknowledgement"
                        low = high = n // 3
                        text = f"{low} of our fighters" if low else "no losses"
                        quote_text = f"We lost {low} of our fighters." if low else "We suffered no losses."
                    verification = "unverified" if random_() < 0.75 else "corroborated"
                    deaths.add(losses_of, losses_actor, low, high, stance == "acknowledgement")
                    kind = "fatalities"
                else:
                    kind, wording, quote = OTHER_CLAIMS[int(random_() * len(OTHER_CLAIMS))]
                    losses_of, losses_actor, stance, verification = "unknown", None, "assertion", "unverified"
                    if wording:
                        low = high = randint(1, 30)
                        text, quote_text = wording.format(n=low), quote.format(n=low)
                    else:
                        low = high = None
                        text, quote_text = "", quote
                    if kind == "injuries":
                        injuries.add(losses_of, None, low, high, False)
                    elif kind == "responsibility":
                        responsible = str(side_a)
                        attribution = "claimed" if claimant == side_a else "attributed"
                claim_index = len(claim_rows)
                claim_rows.append(
                    "\t".join(
                        (
                            iid,
                            claimant_text,
                            speaker,
                            kind,
                            losses_of,
                            r"\N" if losses_actor is None else str(losses_actor),
                            r"\N" if low is None else str(low),
                            r"\N" if high is None else str(high),
                            text,
                            responsible,
                            attribution,
                            stance,
                            verification,
                            stamp,
                            stamp,
                        )
                    )
                )
                # Half the claims are carried by more than one report (relayed, not corroborated).
                language = pools.source_languages[source_id]
                citation_rows.append(
                    (claim_index, f"{source_id}\t{quote_text}\t{language}\t{reported}\t{stamp}\t{stamp}")
                )
                roll = random_()
                relays = 0 if roll < 0.575 else 1 if roll < 0.925 else 2
                used = [source_id]
                for _ in range(relays):
                    relay = pools.sources[int(random_() * n_sources)]
                    if relay in used:
                        continue
                    used.append(relay)
                    language = pools.source_languages[relay]
                    citation_rows.append(
                        (claim_index, f"{relay}\t{quote_text}\t{language}\t{relayed}\t{stamp}\t{stamp}")
                    )

            roll = random_()
            status = (
                "published" if roll < 0.92 else "draft" if roll < 0.95 else "in_review" if roll < 0.98 else "retracted"
            )
            side_of: dict[int, str] = {}
            for actor_id, side, _ in links:
                side_of[actor_id] = side if side_of.get(actor_id, side) == side else ""
            figures = deaths.figures(side_of)
            low, best, high = figures.total
            has_estimate = low is not None and status != "draft"
            if status == "retracted":
                grading = "discounted"
            elif figures.contested:
                grading = "contested"
            else:
                grading = ("confirmed", "fair", "fair", "weak")[int(random_() * 4)]
            if has_estimate:
                sides = "\t".join(_triple(figures.sides.get(side)) for side in SIDES)
                injured = _triple(injuries.figures(side_of).total)
            else:
                sides, injured = NO_SIDES, NO_TRIPLE
            published = f"{(end + datetime.timedelta(days=2)).isoformat()} 09:00:00+00"
            incident_rows.append(
                "\t".join(
                    (
                        iid,
                        title,
                        SUMMARIES[int(random_() * len(SUMMARIES))],
                        day.isoformat(),
                        end.isoformat(),
                        country,
                        admin1,
                        admin2,
                        location,
                        f"{lat:.4f}",
                        f"{lon:.4f}",
                        precision,
                        str(type_id),
                        str(sub_id),
                        str(low) if has_estimate else r"\N",
                        str(best) if has_estimate else r"\N",
                        str(high) if has_estimate else r"\N",
                        "t" if has_estimate and figures.high_open else "f",
                        sides,
                        injured,
                        "proposal" if has_estimate else "",
                        "Proposed from the incident's fatality claims." if has_estimate else "",
                        "t" if figures.contested and has_estimate else "f",
                        grading,
                        "{}" if random_() < 0.8 else "{synthetic}",
                        status,
                        "Retracted: the event could not be confirmed." if status == "retracted" else "",
                        user,
                        user if status in ("published", "retracted") else r"\N",
                        stamp,
                        stamp,
                        published if status in ("published", "retracted") else r"\N",
                        published if status == "retracted" else r"\N",
                    )
                )
            )
        return Batch(incident_rows, link_rows, source_rows, claim_rows, citation_rows)

    def _sides(self, event_type: str, sub_slug: str, country: str, place: str) -> tuple[int, int | None, int | None]:
        pools, rng = self.pools, self.rng
        state = rng.choice(pools.state[country])
        armed = rng.choice(pools.armed[country, place])
        ally = rng.choice(pools.allies[country]) if pools.allies[country] and rng.random() < 0.25 else None
        if event_type == "battles":
            return state, armed, ally
        if event_type == "explosionsremote-violence":
            if sub_slug == "airdrone-strike":
                return state, armed, ally
            return armed, rng.choice([state, pools.civilians[country]]), None
        if event_type == "violence-against-civilians":
            perpetrator = state if rng.random() < 0.15 else armed
            return perpetrator, pools.civilians[country], None
        if event_type == "protests":
            if sub_slug == "peaceful-protest":
                return pools.protesters[country], None, None
            return pools.protesters[country], pools.police[country], None
        if event_type == "riots":
            return pools.rioters[country], rng.choice([pools.police[country], pools.civilians[country]]), None
        return state, armed if rng.random() < 0.7 else None, None


FATALITY_NOUNS = {"actor": ("fighters", "soldiers", "assailants"), "civilians": ("civilians",), "unknown": ("people",)}


def _fatality_wording(style: int, n: int, noun: str) -> tuple[int | None, int | None, str, str]:
    """(low, high, verbatim wording, quote) for a fatality figure ``n`` phrased one of six ways."""
    if style == 0:
        return n, n, f"{n} {noun} killed", f"{n} {noun} were killed, according to the source."
    if style == 1:
        return n, None, f"at least {n} {noun}", f"At least {n} {noun} died in the attack."
    if style == 2:
        spread = 1 + n // 8
        return max(0, n - spread), n + spread, f"around {n} {noun}", f"Around {n} {noun} were killed."
    if style == 3:
        return n + 1, None, f"more than {n} {noun}", f"More than {n} {noun} lost their lives."
    if style == 4:
        low = max(0, n - 1 - n // 3)
        return low, n, f"between {low} and {n} {noun}", f"Between {low} and {n} {noun} were killed."
    return None, None, "heavy losses", f"The {noun} suffered heavy losses."


Triple = tuple[int, int, int]

# The per-side estimates, each a (low, best, high) triple of columns named <prefix>_low, _best, _high.
SIDES = ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")
NO_TRIPLE = "\t".join([r"\N"] * 3)
NO_SIDES = "\t".join([NO_TRIPLE] * len(SIDES))


def _triple(figures: Triple | tuple[None, None, None] | None) -> str:
    if figures is None or figures[0] is None:
        return NO_TRIPLE
    return "\t".join(map(str, figures))


@dataclass
class Figures:
    total: Triple | tuple[None, None, None]
    sides: dict[str, Triple]
    high_open: bool
    contested: bool


class _Estimate:
    """A shortcut for ``incidents.reconcile.propose``, not a call to it.

    Low, high, an open high and contested follow reconcile's rules for the claims generated here
    (all of them credible; ``tests/test_generate.py`` checks that the two agree), but best is the
    midpoint of each group's low and high, not the median of its most verified claims (rule 5),
    and no reasons are written. propose() costs about six times as much per incident, mostly in
    its reasons: some 25 s more for a million incidents that no one reads. Each group counts for
    a side as the archive's estimates do: an actor's dead for the side the actor is on (neither
    or both: unknown), civilians for civilians, the rest for unknown.
    """

    __slots__ = ("groups",)

    def __init__(self) -> None:
        self.groups: dict[tuple[str, int | None], list[tuple[int, int | None, bool]]] = {}

    def add(self, losses_of: str, actor: int | None, low: int | None, high: int | None, acknowledged: bool) -> None:
        if low is not None:
            self.groups.setdefault((losses_of, actor), []).append((low, high, acknowledged))

    def figures(self, side_of: dict[int, str]) -> Figures:
        if not self.groups:
            return Figures((None, None, None), {}, False, False)
        total_low = total_best = total_high = 0
        sides: dict[str, Triple] = {}
        contested = high_open = False
        for (losses_of, actor), claims in self.groups.items():
            lows = [low for low, _, _ in claims]
            floor = max((low for low, _, acknowledged in claims if acknowledged), default=0)
            low = max(min(lows), floor)
            high = max(low, *(high if high is not None else low for low, high, _ in claims))
            best = (low + high) // 2
            total_low += low
            total_high += high
            total_best += best
            high_open = high_open or any(h is None and lo >= high for lo, h, _ in claims)
            bounded = [high for _, high, _ in claims if high is not None]
            contested = contested or (bool(bounded) and max(lows) > min(bounded))
            if losses_of == "actor":
                side = {"A": "deaths_a", "B": "deaths_b"}.get(side_of.get(actor, ""), "deaths_unknown")
            else:
                side = "deaths_civilians" if losses_of == "civilians" else "deaths_unknown"
            side_low, side_best, side_high = sides.get(side, (0, 0, 0))
            sides[side] = (side_low + low, side_best + best, side_high + high)
        return Figures((total_low, total_best, total_high), sides, high_open, contested)


def _cumulative(weights: Any) -> list[int]:
    total, cumulative = 0, []
    for weight in weights:
        total += weight
        cumulative.append(total)
    return cumulative


@dataclass
class Totals:
    incidents: int = 0
    incident_actors: int = 0
    incident_sources: int = 0
    claims: int = 0
    citations: int = 0
    sources: int = 0
    people: int = 0

    @property
    def rows(self) -> int:
        return (
            self.incidents
            + self.incident_actors
            + self.incident_sources
            + self.claims
            + self.citations
            + self.sources
            + self.people
        )


BULK_TABLES = (Incident, Claim, Citation, IncidentActor, IncidentSource)


def secondary_indexes(cursor: Any) -> list[tuple[str, str]]:
    """(name, definition) of the bulk tables' indexes that back no constraint (primary and unique keys stay)."""
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY 1
        """,
        [[model._meta.db_table for model in BULK_TABLES]],
    )
    return cursor.fetchall()


@contextmanager
def indexes_rebuilt_afterwards() -> Iterator[None]:
    """Drop the secondary indexes while loading and build them again at the end, even on failure.

    Building an index once over millions of rows is several times cheaper than updating
    it row by row; primary keys and unique constraints stay, so they are still enforced.
    """
    with connection.cursor() as cursor:
        indexes = secondary_indexes(cursor)
        with transaction.atomic():
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {name}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                # Inside an outer transaction, deferred foreign-key checks are still queued, and
                # PostgreSQL refuses to build an index on a table with pending trigger events.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _, definition in indexes:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")


def _load_batches(
    batches: list[tuple[int, int]],
    *,
    pools: Pools,
    claims_per_incident: int,
    random_seed: int,
    totals: Totals,
    lock: threading.Lock,
    stop: threading.Event,
    errors: list[BaseException],
    progress: Callable[[int], None] | None,
) -> None:
    """Load (batch number, size) pairs, each in its own transaction on this thread's connection.

    A failure stops the other workers after their current batch and is re-raised by ``generate``.
    """
    try:
        with pghistory.context(command="generate_incidents"):
            for number, size in batches:
                if stop.is_set():
                    return
                # Each batch has its own generator, so the data does not depend on thread scheduling.
                rng = random.Random(f"{random_seed}:{number}")
                generator = IncidentGenerator(pools=pools, rng=rng, claims_per_incident=claims_per_incident)
                with transaction.atomic(), connection.cursor() as cursor, insert_history_paused(cursor):
                    ids = _reserve_ids(cursor, Incident, size)
                    cursor.execute("SET LOCAL synchronous_commit = off")
                    batch = generator.batch(ids)
                    claims, citations = batch.numbered(_reserve_ids(cursor, Claim, len(batch.claims)))
                    # Claims before their incidents (the foreign keys are checked at commit): the trigger
                    # that marks an accepted estimate stale when its claims change then finds no
                    # incident to mark, as these estimates are the claims' own.
                    generator.claims.copy(cursor, claims)
                    generator.citations.copy(cursor, citations)
                    generator.incidents.copy(cursor, batch.incidents)
                    generator.links.copy(cursor, batch.links)
                    generator.incident_sources.copy(cursor, batch.sources)
                with lock:
                    totals.incidents += len(batch.incidents)
                    totals.incident_actors += len(batch.links)
                    totals.incident_sources += len(batch.sources)
                    totals.claims += len(claims)
                    totals.citations += len(citations)
                    if progress:
                        progress(size)
    except BaseException as error:
        stop.set()
        errors.append(error)
    finally:
        if threading.current_thread() is not threading.main_thread():
            connection.close()


def generate(
    *,
    count: int,
    claims_per_incident: int = 5,
    random_seed: int = 1,
    batch_size: int = 10_000,
    workers: int = 1,
    rebuild_indexes: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Totals:
    """Generate ``count`` incidents with their actor links, sources and claims.

    With ``workers`` > 1, batches load in parallel on separate connections (the data is
    committed batch by batch, so do not call it inside a transaction then).
    """
    totals = Totals()
    with (
        pghistory.context(command="generate_incidents"),
        transaction.atomic(),
        connection.cursor() as cursor,
        insert_history_paused(cursor),
    ):
        pools = prepare_pools(rng=random.Random(random_seed), count=count, cursor=cursor)
    totals.sources = len(pools.sources)
    totals.people = pools.people
    batches = [(number, min(batch_size, count - start)) for number, start in enumerate(range(0, count, batch_size))]
    lock, stop, errors = threading.Lock(), threading.Event(), []
    load = functools.partial(
        _load_batches,
        pools=pools,
        claims_per_incident=claims_per_incident,
        random_seed=random_seed,
        totals=totals,
        lock=lock,
        stop=stop,
        errors=errors,
        progress=progress,
    )
    # A load that rebuilds the indexes builds the read model once at the end, too, rather than
    # refreshing it after every batch.
    with read_model_suspended() if rebuild_indexes else nullcontext():
        with indexes_rebuilt_afterwards() if rebuild_indexes else nullcontext():
            if workers <= 1:
                load(batches)
            else:
                threads = [threading.Thread(target=load, args=(batches[i::workers],)) for i in range(workers)]
                for thread in threads:
                    thread.start()
                try:
                    for thread in threads:
                        thread.join()
                except BaseException:
                    # Interrupted: let each worker finish its batch, then rebuild the indexes.
                    stop.set()
                    for thread in threads:
                        thread.join()
                    raise
            if errors:
                raise errors[0]
        with connection.cursor() as cursor:
            for model in (*BULK_TABLES, Source, Actor, Person, PersonAlias, PersonAffiliation):
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    return totals
