"""About 200 realistic sample incidents, drawn deterministically from ``vocabulary``.

Each incident is built the way editors would enter it from the reporting: the parties on
sides A and B, the sources that covered it, and the claims each party or witness made,
whose numbers often disagree; a wire report that relays a party's figure is a second
citation of that party's claim. The hand-written incidents of ``features`` follow, so the
demo shows every case the archive records. A fixed random seed makes the sample identical on every
run, so ``load_demo`` can find each incident again by its title and date.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from incidents.demo import features, seed, vocabulary
from incidents.demo.specs import (
    ActorSpec,
    CitationSpec,
    ClaimSpec,
    IncidentRelationSpec,
    IncidentSpec,
    LinkSpec,
    PersonSpec,
    RelationSpec,
    SourceSpec,
    cited,
)
from incidents.demo.vocabulary import COUNTRY_NAMES, PLACES, THEATRES, Place, Theatre
from incidents.models import (
    ClaimKind,
    DatePrecision,
    GeoPrecision,
    Grading,
    LossesOf,
    Reliability,
    Role,
    Side,
    SourceKind,
    Stance,
    Status,
    TimePrecision,
    Verification,
)
from incidents.reconcile import ClaimFacts, Proposal, propose

SAMPLE_SEED = 20250613
SAMPLE_SIZE = 200

COUNTRY_WEIGHTS = {"ML": 20, "BF": 17, "NE": 10, "NG": 17, "SD": 14, "CD": 13, "SO": 9}
EVENT_WEIGHTS = {
    "battles": 33,
    "explosions": 17,
    "civilians": 25,
    "protests": 10,
    "riots": 5,
    "strategic": 10,
}

# When an actor was active, so the sample never shows Wagner in 2025 or the RSF war in 2019.
ACTIVE: dict[str, tuple[datetime.date, datetime.date]] = {
    seed.FLA: (datetime.date(2024, 12, 1), datetime.date(2025, 12, 31)),
    seed.WAGNER: (datetime.date(2022, 1, 1), datetime.date(2025, 6, 6)),
    seed.AFRICA_CORPS: (datetime.date(2024, 1, 1), datetime.date(2025, 12, 31)),
    "m23": (datetime.date(2022, 3, 1), datetime.date(2025, 12, 31)),
    "wazalendo": (datetime.date(2022, 6, 1), datetime.date(2025, 12, 31)),
    "macawisley": (datetime.date(2022, 6, 1), datetime.date(2025, 12, 31)),
    "slm-minawi": (datetime.date(2023, 11, 16), datetime.date(2025, 12, 31)),
    "vdp": (datetime.date(2020, 1, 21), datetime.date(2025, 12, 31)),
}
COUNTRY_PERIOD: dict[str, tuple[datetime.date, datetime.date]] = {
    "SD": (datetime.date(2023, 4, 15), datetime.date(2025, 10, 31)),
}
DEFAULT_PERIOD = (datetime.date(2019, 1, 1), datetime.date(2025, 10, 31))

RETRACTION_NOTICES = (
    "Retracted: the only source was found to describe an earlier attack in another district.",
    "Retracted: this entry duplicated another incident in the archive, which holds the corrected record.",
    "Retracted: the video cited as evidence predates the reported date; no other source confirms the event.",
    "Retracted: the reported location was wrong and the event could not be confirmed elsewhere.",
)
INTERNAL_NOTES = (
    "Check the figures against the next OCHA flash update.",
    "Our correspondent knows the local source; reliable on two previous incidents.",
    "The army communiqué was removed from its Facebook page the next day; archived copy kept.",
    "Ask the Crisis Group analyst whether the group's claim is credible.",
    "Satellite imagery requested for the market area.",
    "Two outlets reuse the same agency copy; count them as one source.",
)


@dataclass
class SampleData:
    actors: list[ActorSpec] = field(default_factory=list)
    relations: list[RelationSpec] = field(default_factory=list)
    sources: list[SourceSpec] = field(default_factory=list)
    people: list[PersonSpec] = field(default_factory=list)
    incidents: list[IncidentSpec] = field(default_factory=list)
    incident_relations: list[IncidentRelationSpec] = field(default_factory=list)


def wording(rng: random.Random, n: int, noun: str) -> tuple[int | None, int | None, str]:
    """A number as a party would phrase it, with the range the phrasing allows."""
    if n == 0:
        return 0, 0, f"no {noun}"
    styles = ["exact", "exact", "at least", "around", "more than"]
    if n >= 24:
        styles.append("dozens")
    if n >= 4:
        styles.append("between")
    style = rng.choice(styles)
    if style == "exact":
        return n, n, f"{n} {noun}"
    if style == "at least":
        return n, None, f"at least {n} {noun}"
    if style == "more than":
        return n + 1, None, f"more than {n} {noun}"
    if style == "around":
        spread = max(1, round(n * 0.15))
        return max(0, n - spread), n + spread, f"around {n} {noun}"
    if style == "dozens":
        return 24, None, f"dozens of {noun}"
    low = max(1, n - rng.randint(1, max(1, n // 3)))
    return low, n, f"between {low} and {n} {noun}"


def _proposal(claims: list[ClaimSpec]) -> Proposal:
    return propose(
        ClaimFacts(
            group=claim.losses_actor or claim.losses_of,
            group_label=claim.losses_actor or claim.losses_of,
            claimant=claim.claimant or claim.citations[0].source,
            # Keys as the groups' own: an actor's slug, so its acknowledged own losses are a floor.
            claimant_key=claim.claimant or "",
            low=claim.low,
            high=claim.high,
            wording=claim.quantity_text,
            stance=claim.stance,
            verification=claim.verification,
            kind=claim.kind,
        )
        for claim in claims
    )


def _active(slug: str, day: datetime.date) -> bool:
    start, end = ACTIVE.get(slug, (datetime.date.min, datetime.date.max))
    return start <= day <= end


class SampleBuilder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.data = SampleData(
            actors=list(vocabulary.ACTORS),
            relations=list(vocabulary.RELATIONS),
        )
        self.names = {a.slug: a.name for a in [*seed.ACTORS, *vocabulary.ACTORS]}
        self.taken: set[tuple[str, datetime.date]] = set()

    # --- helpers ---------------------------------------------------------------------------

    def groups(self, country: str, place: Place, day: datetime.date) -> list[str]:
        return [g for g in vocabulary.armed_groups_near(country, place) if _active(g, day)]

    def hostile_groups(self, country: str, place: Place, day: datetime.date) -> list[str]:
        """Groups the state fights; pro-government militias only where nobody else operates."""
        groups = self.groups(country, place, day)
        return [g for g in groups if g not in vocabulary.PRO_GOVERNMENT] or groups

    def pick(self, slugs: tuple[str, ...], day: datetime.date) -> str | None:
        choices = [s for s in slugs if _active(s, day)]
        return self.rng.choice(choices) if choices else None

    def day(self, country: str) -> datetime.date:
        start, end = COUNTRY_PERIOD.get(country, DEFAULT_PERIOD)
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def source(self, number: int, key: str, **fields: object) -> str:
        full_key = f"sample-{number}-{key}"
        self.data.sources.append(SourceSpec(key=full_key, **fields))
        return full_key

    # --- one incident ----------------------------------------------------------------------

    def incident(self, number: int, category: str) -> IncidentSpec:
        rng = self.rng
        country = rng.choices(list(COUNTRY_WEIGHTS), weights=list(COUNTRY_WEIGHTS.values()))[0]
        theatre = THEATRES[country]
        place = rng.choice(PLACES[country])
        day = self.day(country)
        if category not in ("protests", "riots"):
            # Violence happens where some armed group operates at that date.
            while not self.groups(country, place, day):
                place, day = rng.choice(PLACES[country]), self.day(country)
        build: Callable[..., dict] = getattr(self, f"_{category}")
        parts = build(number=number, theatre=theatre, place=place, day=day)
        title = parts["title"]
        if (title, day) in self.taken:
            raise ValueError(f"The sample has two incidents titled {title!r} on {day}; change the seed.")
        self.taken.add((title, day))

        status = rng.choices(
            [Status.PUBLISHED, Status.DRAFT, Status.IN_REVIEW, Status.RETRACTED], weights=[80, 8, 7, 5]
        )[0]
        # Graded as the editors would: contested exactly when the archive's proposal says so.
        if status == Status.RETRACTED:
            grading = Grading.DISCOUNTED
        elif _proposal(parts["claims"]).contested:
            grading = Grading.CONTESTED
        else:
            grading = parts["grading"]
        precision = rng.choices([GeoPrecision.EXACT, GeoPrecision.NEAR, GeoPrecision.ADMIN2], weights=[30, 55, 15])[0]
        jitter = 0.0 if precision == GeoPrecision.EXACT else 0.08
        return IncidentSpec(
            title=title,
            start_date=day,
            end_date=day + datetime.timedelta(days=parts.get("days", 0)),
            date_precision=DatePrecision.DAY if rng.random() < 0.9 else DatePrecision.WEEK,
            time_of_day=parts.get("time"),
            time_precision=TimePrecision.EXACT if parts.get("time") else TimePrecision.NONE,
            country=country,
            admin1=place.admin1,
            admin2=place.admin2,
            location=place.name,
            latitude=round(place.latitude + rng.uniform(-jitter, jitter), 4),
            longitude=round(place.longitude + rng.uniform(-jitter, jitter), 4),
            geo_precision=precision,
            sub_event_type=parts["sub_type"],
            summary=parts["summary"],
            grading=grading,
            tags=tuple(parts.get("tags", ())),
            status=status,
            retraction_notice=rng.choice(RETRACTION_NOTICES) if status == Status.RETRACTED else "",
            internal_notes=rng.choice(INTERNAL_NOTES) if rng.random() < 0.25 else "",
            actors=tuple(parts["actors"]),
            sources=tuple(parts["sources"]),
            claims=tuple(parts["claims"]),
            accept_proposal=status != Status.DRAFT,
        )

    def _reporting(
        self, number: int, theatre: Theatre, place: Place, day: datetime.date, headline: str
    ) -> dict[str, str]:
        """The usual coverage: an agency, a national outlet, and sometimes more voices."""
        rng = self.rng
        agency, agency_language, agency_grade = rng.choice(vocabulary.AGENCIES)
        outlet, outlet_language = rng.choice(theatre.outlets)
        keys = {
            "agency": self.source(
                number,
                "agency",
                kind=SourceKind.NEWS_AGENCY,
                outlet=agency,
                title=headline,
                published_on=day + datetime.timedelta(days=rng.randint(0, 1)),
                language=agency_language,
                reliability=agency_grade,
            ),
            "outlet": self.source(
                number,
                "outlet",
                kind=SourceKind.NEWS_OUTLET,
                outlet=outlet,
                title=f"{place.name}: {headline[0].lower()}{headline[1:]}",
                published_on=day + datetime.timedelta(days=rng.randint(0, 2)),
                language=outlet_language,
                reliability=Reliability.C,
            ),
        }
        if rng.random() < 0.3:
            voice = rng.choice(vocabulary.LOCAL_VOICES)
            keys["local"] = self.source(
                number,
                "local",
                kind=SourceKind.LOCAL_SOURCE,
                title=f"Account of the events in {place.name}",
                author=f"{voice}, {place.admin2 or place.admin1}",
                published_on=day,
                reliability=Reliability.C,
                confidential=True,
                internal_notes=(
                    f"{voice} in {place.name}, reached by phone by our correspondent; "
                    "asked not to be named for fear of reprisals."
                ),
            )
        if rng.random() < 0.15:
            keys["social"] = self.source(
                number,
                "social",
                kind=SourceKind.SOCIAL_MEDIA,
                outlet=rng.choice(vocabulary.SOCIAL),
                title=f"Videos said to show the aftermath in {place.name}",
                published_on=day,
                reliability=Reliability.F,
            )
        if rng.random() < 0.12:
            organisation, role = rng.choice(vocabulary.EXPERTS)
            keys["expert"] = self.source(
                number,
                "expert",
                kind=SourceKind.EXPERT,
                outlet=organisation,
                title=f"Comment on the violence in {place.admin1}",
                author=role,
                published_on=day + datetime.timedelta(days=rng.randint(1, 5)),
                language="en",
                reliability=Reliability.B,
            )
        return keys

    def _government(self, number: int, theatre: Theatre, place: Place, day: datetime.date, outlet: str = "") -> str:
        return self.source(
            number,
            "government",
            kind=SourceKind.GOVERNMENT_STATEMENT,
            outlet=outlet or theatre.military_voice,
            title=f"Communiqué on operations in the {place.admin1} area",
            published_on=day + datetime.timedelta(days=self.rng.randint(0, 1)),
            language=theatre.outlets[0][1],
            reliability=Reliability.D,
        )

    def _party(self, number: int, group: str, place: Place, day: datetime.date) -> str:
        channel = vocabulary.PARTY_CHANNELS.get(group, f"{self.names[group]} statement")
        return self.source(
            number,
            "party",
            kind=SourceKind.PARTY_STATEMENT,
            outlet=channel,
            title=f"Claim of the attack near {place.name}",
            published_on=day + datetime.timedelta(days=self.rng.randint(0, 2)),
            language="ar" if "Amaq" in channel or "Zallaqa" in channel else "",
            reliability=Reliability.E if "Amaq" in channel else Reliability.D,
        )

    def _ngo(self, number: int, place: Place, day: datetime.date) -> str:
        organisation, language, grade = self.rng.choice(vocabulary.NGOS)
        return self.source(
            number,
            "ngo",
            kind=SourceKind.NGO_REPORT,
            outlet=organisation,
            title=f"Civilians killed and displaced in {place.admin1}",
            published_on=day + datetime.timedelta(days=self.rng.randint(7, 60)),
            language=language,
            reliability=grade,
        )

    # --- event types ---------------------------------------------------------------------

    def _battles(self, number: int, theatre: Theatre, place: Place, day: datetime.date) -> dict:
        rng = self.rng
        state = theatre.state[0]
        group = rng.choice(self.hostile_groups(theatre.country, place, day))
        ally = self.pick(theatre.allies, day) if rng.random() < 0.4 else None
        sub_type = rng.choices(
            ["armed-clash", "government-regains-territory", "non-state-actor-overtakes-territory"],
            weights=[75, 12, 13],
        )[0]
        if place.name in vocabulary.MAJOR_TOWNS:
            sub_type = "armed-clash"
        state_name, group_name = self.names[state], self.names[group]
        title = {
            "armed-clash": rng.choice(
                [
                    f"Clashes between the {state_name} and {group_name} near {place.name}",
                    f"{group_name} attack on an army post in {place.name}",
                    f"Ambush of an army patrol near {place.name}",
                ]
            ),
            "government-regains-territory": f"The {state_name} retake {place.name} from {group_name}",
            "non-state-actor-overtakes-territory": f"{group_name} take control of {place.name}",
        }[sub_type]
        reporting = self._reporting(number, theatre, place, day, title)
        government = self._government(number, theatre, place, day)
        party = self._party(number, group, place, day)
        sources = [
            (reporting["agency"], "Wire report citing security sources."),
            (reporting["outlet"], "National coverage."),
            (government, "The army's account."),
            (party, "The armed group's claim."),
        ]

        true_state, true_group = rng.randint(0, 20), rng.randint(2, 25)
        claims: list[ClaimSpec] = []
        low, high, text = wording(rng, round(true_group * rng.uniform(1.0, 2.5)), "terrorists neutralised")
        army = cited(
            government, f"{text[0].upper()}{text[1:]} during a vigorous response by our forces near {place.name}."
        )
        if rng.random() < 0.35:
            # The wire report relays the army's figure: the same claim carried twice, not a second claim.
            army += (CitationSpec(reporting["agency"], f"The army reported {text} near {place.name}."),)
        claims.append(
            ClaimSpec(
                ClaimKind.FATALITIES,
                army,
                claimant=state,
                losses_of=LossesOf.ACTOR,
                losses_actor=group,
                low=low,
                high=high,
                quantity_text=text,
            )
        )
        admitted = max(0, true_state - rng.randint(0, 6))
        if rng.random() < 0.6:
            text = f"{admitted} soldiers" if admitted else "no losses"
            claims.append(
                ClaimSpec(
                    ClaimKind.FATALITIES,
                    cited(
                        government,
                        f"We regret the loss of {text} on our side; the wounded were evacuated."
                        if admitted
                        else "Our forces suffered no losses.",
                    ),
                    claimant=state,
                    losses_of=LossesOf.ACTOR,
                    losses_actor=state,
                    low=admitted,
                    high=admitted,
                    quantity_text=text,
                    stance=Stance.ACKNOWLEDGEMENT,
                )
            )
        claimed = round(true_state * rng.uniform(1.5, 4.0)) + rng.randint(3, 12)
        low, high, text = wording(rng, claimed, "soldiers killed")
        group_claim = cited(party, f"Our fighters killed {text.removesuffix(' killed')} and seized their weapons.")
        if rng.random() < 0.25:
            group_claim += (CitationSpec(reporting["outlet"], f"The group claimed {text} in a statement."),)
        claims.append(
            ClaimSpec(
                ClaimKind.FATALITIES,
                group_claim,
                claimant=group,
                losses_of=LossesOf.ACTOR,
                losses_actor=state,
                low=low,
                high=high,
                quantity_text=text,
            )
        )
        low, high, text = wording(rng, true_state + true_group, "people killed")
        claims.append(
            ClaimSpec(
                ClaimKind.FATALITIES,
                cited(
                    reporting["agency"],
                    f"Security sources reported {text} in the fighting, which lasted several hours.",
                ),
                low=low,
                high=high,
                quantity_text=text,
                verification=Verification.CORROBORATED if rng.random() < 0.3 else Verification.UNVERIFIED,
            )
        )
        if rng.random() < 0.5:
            vehicles = rng.randint(1, 12)
            claims.append(
                ClaimSpec(
                    ClaimKind.MATERIEL_CAPTURED,
                    cited(party, f"We captured {vehicles} vehicles, weapons and ammunition."),
                    claimant=group,
                    losses_of=LossesOf.ACTOR,
                    losses_actor=state,
                    low=vehicles,
                    high=vehicles,
                    quantity_text=f"{vehicles} vehicles",
                )
            )
        if "local" in reporting:
            sources.append((reporting["local"], "Local witness, identity withheld."))
            claims.append(
                ClaimSpec(
                    ClaimKind.OCCURRENCE,
                    cited(reporting["local"], f"We heard heavy gunfire from dawn until midday around {place.name}."),
                )
            )
        if "social" in reporting:
            sources.append((reporting["social"], "Unverified footage."))
            claims.append(
                ClaimSpec(
                    ClaimKind.MATERIEL_DESTROYED,
                    cited(reporting["social"], "Footage shows burned-out military vehicles and fighters celebrating."),
                    claimant=group,
                    quantity_text="burned-out vehicles",
                    verification_note="Location and date of the footage not verified.",
                )
            )
        if "expert" in reporting:
            sources.append((reporting["expert"], "Analysis."))
            claims.append(
                ClaimSpec(
                    ClaimKind.OTHER,
                    cited(
                        reporting["expert"],
                        f"{group_name} has been testing the army's positions in {place.admin1} for months.",
                    ),
                )
            )
        links = [LinkSpec(state, Side.A), LinkSpec(group, Side.B)]
        if ally:
            links.append(LinkSpec(ally, Side.A, Role.SUPPORTING, note="Supporting the army."))
        summary = (
            f"Fighting between the {state_name} and {group_name} was reported near {place.name} "
            f"({place.admin1}, {COUNTRY_NAMES[theatre.country]}) on {day:%d %B %Y}. "
            "The army and the armed group gave casualty figures that differ widely; "
            "the wire report cites security sources."
        )
        return {
            "title": title,
            "sub_type": sub_type,
            "summary": summary,
            "actors": links,
            "sources": sources,
            "claims": claims,
            "grading": rng.choice([Grading.FAIR, Grading.WEAK]),
            "time": datetime.time(rng.choice([5, 6, 7, 16, 17]), rng.choice([0, 30])) if rng.random() < 0.4 else None,
            "tags": ["clash"] + (["territory"] if sub_type != "armed-clash" else []),
        }

    def _explosions(self, number: int, theatre: Theatre, place: Place, day: datetime.date) -> dict:
        rng = self.rng
        state = theatre.state[0]
        group = rng.choice(self.hostile_groups(theatre.country, place, day))
        civilians = f"civilians-{theatre.country.lower()}"
        sub_type = rng.choices(
            [
                "airdrone-strike",
                "remote-explosivelandmineied",
                "suicide-bomb",
                "shellingartillerymissile-attack",
                "grenade",
            ],
            weights=[35, 35, 10, 15, 5],
        )[0]
        group_name = self.names[group]
        if sub_type == "airdrone-strike":
            striker = "us-africa-command" if theatre.country == "SO" and rng.random() < 0.5 else state
            title = f"Drone strike on {place.name}, {place.admin1}"
            attacker, target = striker, group
        elif sub_type == "shellingartillerymissile-attack":
            title = f"Shelling of residential areas in {place.name}"
            attacker, target = group, civilians
        elif sub_type == "suicide-bomb":
            title = f"Suicide bombing at a market in {place.name}"
            attacker, target = group, civilians
        elif sub_type == "grenade":
            title = f"Grenade attack in {place.name}"
            attacker, target = group, civilians
        else:
            title = f"Roadside bomb hits an army vehicle near {place.name}"
            attacker, target = group, state
        reporting = self._reporting(number, theatre, place, day, title)
        sources = [(reporting["agency"], "Wire report."), (reporting["outlet"], "National coverage.")]
        claims: list[ClaimSpec] = []
        dead = rng.randint(1, 30)
        if attacker in (state, "us-africa-command"):
            voice = self.names[attacker] if attacker == "us-africa-command" else ""
            government = self._government(number, theatre, place, day, outlet=voice)
            sources.append((government, "The official account of the strike."))
            low, high, text = wording(rng, dead, "militants killed")
            claims.append(
                ClaimSpec(
                    ClaimKind.FATALITIES,
                    cited(government, f"The strike destroyed a {group_name} logistics base and {text}."),
                    claimant=attacker,
                    losses_of=LossesOf.ACTOR,
                    losses_actor=group,
                    low=low,
                    high=high,
                    quantity_text=text,
                )
            )
            claims.append(
                ClaimSpec(
                    ClaimKind.FATALITIES,
                    cited(government, "There were no civilian casualties."),
                    claimant=attacker,
                    losses_of=LossesOf.CIVILIANS,
                    low=0,
                    high=0,
                    quantity_text="no civilian casualties",
                    stance=Stance.DENIAL,
                )
            )
            if rng.random() < 0.6:
                ngo = self._ngo(number, place, day)
                sources.append((ngo, "Documents civilian victims of the strike."))
                low, high, text = wording(rng, rng.randint(2, 25), "civilians killed")
                claims.append(
                    ClaimSpec(
                        ClaimKind.FATALITIES,
                        cited(
                            ngo, f"Residents told us the strike hit a wedding gathering; {text}, including children."
                        ),
                        losses_of=LossesOf.CIVILIANS,
                        low=low,
                        high=high,
                        quantity_text=text,
                        verification=Verification.CORROBORATED,
                        verification_note="Names of the dead collected from relatives by two organisations.",
                    )
                )
        else:
            party = self._party(number, group, place, day)
            sources.append((party, "The armed group's claim of responsibility."))
            claims.append(
                ClaimSpec(
                    ClaimKind.RESPONSIBILITY,
                    cited(party, f"Our fighters carried out the attack in {place.name}."),
                    claimant=group,
                )
            )
            losses_of = LossesOf.CIVILIANS if target == civilians else LossesOf.ACTOR
            noun = "civilians killed" if losses_of == LossesOf.CIVILIANS else "soldiers killed"
            low, high, text = wording(rng, dead, noun)
            claims.append(
                ClaimSpec(
                    ClaimKind.FATALITIES,
                    cited(reporting["agency"], f"A hospital source said {text} and dozens were wounded."),
                    losses_of=losses_of,
                    losses_actor=None if losses_of == LossesOf.CIVILIANS else target,
                    low=low,
                    high=high,
                    quantity_text=text,
                )
            )
            injured = rng.randint(dead, dead * 4 + 5)
            claims.append(
                ClaimSpec(
                    ClaimKind.INJURIES,
                    cited(reporting["outlet"], f"{injured} wounded were admitted to the regional hospital."),
                    losses_of=LossesOf.UNKNOWN,
                    low=injured,
                    high=injured,
                    quantity_text=f"{injured} wounded",
                )
            )
            if rng.random() < 0.5:
                low, high, text = wording(rng, dead * rng.randint(2, 4) + 5, "people killed")
                claims.append(
                    ClaimSpec(
                        ClaimKind.FATALITIES,
                        cited(party, f"The blessed operation left {text}."),
                        claimant=group,
                        losses_of=LossesOf.UNKNOWN,
                        low=low,
                        high=high,
                        quantity_text=text,
                        verification=Verification.DISPUTED,
                        verification_note="Inflated, according to hospital and local sources.",
                    )
                )
        if "social" in reporting:
            sources.append((reporting["social"], "Unverified footage."))
            claims.append(
                ClaimSpec(
                    ClaimKind.OCCURRENCE,
                    cited(reporting["social"], "Video shows a column of smoke over the town and people running."),
                    verification_note="Not yet geolocated.",
                )
            )
        if "local" in reporting:
            sources.append((reporting["local"], "Local witness, identity withheld."))
            claims.append(
                ClaimSpec(
                    ClaimKind.OCCURRENCE,
                    cited(reporting["local"], "The explosion was heard across town; people ran to the clinic."),
                )
            )
        summary = (
            f"An attack with explosives was reported in {place.name} ({place.admin1}, "
            f"{COUNTRY_NAMES[theatre.country]}) on {day:%d %B %Y}. Sources attribute it to "
            f"{self.names[attacker]}; the numbers of dead are those given by each source."
        )
        return {
            "title": title,
            "sub_type": sub_type,
            "summary": summary,
            "actors": [LinkSpec(attacker, Side.A), LinkSpec(target, Side.B)],
            "sources": sources,
            "claims": claims,
            "grading": rng.choice([Grading.FAIR, Grading.CONFIRMED]),
            "tags": {"airdrone-strike": ["drone"], "remote-explosivelandmineied": ["ied"]}.get(sub_type, []),
        }

    def _civilians(self, number: int, theatre: Theatre, place: Place, day: datetime.date) -> dict:
        rng = self.rng
        civilians = f"civilians-{theatre.country.lower()}"
        perpetrators = self.groups(theatre.country, place, day)
        state_blamed = rng.random() < 0.2
        perpetrator = theatre.state[0] if state_blamed else rng.choice(perpetrators)
        sub_type = rng.choices(["attack", "abductionforced-disappearance", "sexual-violence"], weights=[70, 22, 8])[0]
        name = self.names[perpetrator]
        title = {
            "attack": rng.choice([f"Killing of villagers in {place.name}", f"Gunmen attack a market in {place.name}"]),
            "abductionforced-disappearance": f"Abduction of travellers on the road to {place.name}",
            "sexual-violence": f"Sexual violence against displaced women near {place.name}",
        }[sub_type]
        reporting = self._reporting(number, theatre, place, day, title)
        ngo = self._ngo(number, place, day)
        sources = [
            (reporting["agency"], "Wire report."),
            (reporting["outlet"], "National coverage."),
            (ngo, "Documented the victims."),
        ]
        claims: list[ClaimSpec] = []
        if sub_type == "attack":
            dead = rng.randint(3, 120)
            for source_key, factor, verification in (
                (reporting["agency"], rng.uniform(0.5, 1.0), Verification.UNVERIFIED),
                (ngo, 1.0, Verification.CORROBORATED),
            ):
                low, high, text = wording(rng, max(1, round(dead * factor)), "civilians killed")
                claims.append(
                    ClaimSpec(
                        ClaimKind.FATALITIES,
                        cited(source_key, f"Witnesses described armed men on motorbikes; {text}."),
                        losses_of=LossesOf.CIVILIANS,
                        low=low,
                        high=high,
                        quantity_text=text,
                        verification=verification,
                    )
                )
        elif sub_type == "abductionforced-disappearance":
            taken = rng.randint(2, 60)
            low, high, text = wording(rng, taken, "people abducted")
            claims.append(
                ClaimSpec(
                    ClaimKind.DETAINED,
                    cited(
                        reporting["outlet"],
                        f"Gunmen stopped two buses and took {text.removesuffix(' abducted')} into the bush.",
                    ),
                    losses_of=LossesOf.CIVILIANS,
                    low=low,
                    high=high,
                    quantity_text=text,
                )
            )
        else:
            survivors = rng.randint(5, 40)
            claims.append(
                ClaimSpec(
                    ClaimKind.OTHER,
                    cited(ngo, f"Our teams treated {survivors} survivors of sexual violence in two weeks."),
                    losses_of=LossesOf.CIVILIANS,
                    low=survivors,
                    high=survivors,
                    quantity_text=f"{survivors} survivors treated",
                    verification=Verification.CONFIRMED,
                )
            )
        if state_blamed:
            government = self._government(number, theatre, place, day)
            sources.append((government, "Denies the army's involvement."))
            claims.append(
                ClaimSpec(
                    ClaimKind.RESPONSIBILITY,
                    cited(government, "These allegations are baseless; our forces protect the population."),
                    claimant=perpetrator,
                    stance=Stance.DENIAL,
                )
            )
            claims.append(
                ClaimSpec(
                    ClaimKind.RESPONSIBILITY,
                    cited(ngo, f"Survivors identified the attackers as soldiers of the {name}."),
                    verification=Verification.CORROBORATED,
                )
            )
        if "local" in reporting:
            sources.append((reporting["local"], "Local witness, identity withheld."))
            claims.append(
                ClaimSpec(
                    ClaimKind.OCCURRENCE,
                    cited(reporting["local"], "They came at night; the families have fled to the town."),
                )
            )
        summary = (
            f"Civilians were targeted in or near {place.name} ({place.admin1}, "
            f"{COUNTRY_NAMES[theatre.country]}) on {day:%d %B %Y}. The reporting attributes the violence to "
            f"{name}; figures come from the sources cited."
        )
        return {
            "title": title,
            "sub_type": sub_type,
            "summary": summary,
            "actors": [LinkSpec(perpetrator, Side.A), LinkSpec(civilians, Side.B)],
            "sources": sources,
            "claims": claims,
            # Who did it is disputed even when the numbers agree.
            "grading": Grading.CONTESTED if state_blamed else rng.choice([Grading.CONFIRMED, Grading.FAIR]),
            "tags": ["civilians"],
        }

    def _protests(self, number: int, theatre: Theatre, place: Place, day: datetime.date) -> dict:
        rng = self.rng
        protesters = f"protesters-{theatre.country.lower()}"
        cause = rng.choice(
            ["insecurity", "the cost of living", "power cuts", "the killing of a local leader", "fuel shortages"]
        )
        sub_type = rng.choices(
            ["peaceful-protest", "protest-with-intervention", "excessive-force-against-protesters"],
            weights=[50, 35, 15],
        )[0]
        title = {
            "peaceful-protest": f"Protest in {place.name} over {cause}",
            "protest-with-intervention": f"Police disperse a protest over {cause} in {place.name}",
            "excessive-force-against-protesters": f"Security forces open fire on protesters in {place.name}",
        }[sub_type]
        reporting = self._reporting(number, theatre, place, day, title)
        sources = [(reporting["agency"], "Wire report."), (reporting["outlet"], "National coverage.")]
        claims = [
            ClaimSpec(
                ClaimKind.OCCURRENCE,
                cited(reporting["outlet"], f"Hundreds of people marched through {place.name} to denounce {cause}."),
            )
        ]
        links = [LinkSpec(protesters, Side.A)]
        if sub_type != "peaceful-protest":
            links.append(LinkSpec(theatre.police, Side.B))
            arrested = rng.randint(3, 80)
            claims.append(
                ClaimSpec(
                    ClaimKind.DETAINED,
                    cited(
                        reporting["agency"], f"Police said {arrested} people were arrested for disturbing public order."
                    ),
                    losses_of=LossesOf.ACTOR,
                    losses_actor=protesters,
                    low=arrested,
                    high=arrested,
                    quantity_text=f"{arrested} people arrested",
                )
            )
        if sub_type == "excessive-force-against-protesters":
            ngo = self._ngo(number, place, day)
            sources.append((ngo, "Counted the dead."))
            dead = rng.randint(1, 15)
            low, high, text = wording(rng, dead, "protesters killed")
            claims.append(
                ClaimSpec(
                    ClaimKind.FATALITIES,
                    cited(ngo, f"Security forces fired live ammunition; {text}."),
                    losses_of=LossesOf.ACTOR,
                    losses_actor=protesters,
                    low=low,
                    high=high,
                    quantity_text=text,
                    verification=Verification.CORROBORATED,
                )
            )
            government = self._government(number, theatre, place, day)
            sources.append((government, "The authorities' account."))
            official = rng.randint(0, max(0, dead - 1))
            claims.append(
                ClaimSpec(
                    ClaimKind.FATALITIES,
                    cited(
                        government, f"The security forces showed restraint; {official or 'no'} deaths were recorded."
                    ),
                    claimant=theatre.police,
                    losses_of=LossesOf.ACTOR,
                    losses_actor=protesters,
                    low=official,
                    high=official,
                    quantity_text=f"{official} dead" if official else "no deaths",
                    stance=Stance.DENIAL if official == 0 else Stance.ASSERTION,
                )
            )
        return {
            "title": title,
            "sub_type": sub_type,
            "summary": (
                f"Protesters gathered in {place.name} ({place.admin1}, {COUNTRY_NAMES[theatre.country]}) "
                f"on {day:%d %B %Y} over {cause}."
            ),
            "actors": links,
            "sources": sources,
            "claims": claims,
            "grading": Grading.CONFIRMED,
            "tags": ["protest"],
        }

    def _riots(self, number: int, theatre: Theatre, place: Place, day: datetime.date) -> dict:
        rng = self.rng
        rioters = f"rioters-{theatre.country.lower()}"
        sub_type = rng.choice(["violent-demonstration", "mob-violence"])
        title = {
            "violent-demonstration": f"Rioting in {place.name} after the killing of a motorcycle taxi driver",
            "mob-violence": f"Mob attack on suspected thieves in {place.name}",
        }[sub_type]
        reporting = self._reporting(number, theatre, place, day, title)
        dead = rng.randint(0, 6)
        low, high, text = wording(rng, dead, "people killed")
        claims = [
            ClaimSpec(
                ClaimKind.FATALITIES,
                cited(reporting["outlet"], f"Youths burned tyres and a police station; {text}."),
                losses_of=LossesOf.UNKNOWN,
                low=low,
                high=high,
                quantity_text=text,
            ),
            ClaimSpec(
                ClaimKind.MATERIEL_DESTROYED,
                cited(reporting["agency"], "Several shops and vehicles were set on fire."),
                quantity_text="shops and vehicles set on fire",
            ),
        ]
        return {
            "title": title,
            "sub_type": sub_type,
            "summary": (
                f"Violent unrest was reported in {place.name} ({place.admin1}, {COUNTRY_NAMES[theatre.country]}) "
                f"on {day:%d %B %Y}."
            ),
            "actors": [LinkSpec(rioters, Side.A), LinkSpec(theatre.police, Side.B)],
            "sources": [(reporting["agency"], "Wire report."), (reporting["outlet"], "National coverage.")],
            "claims": claims,
            "grading": Grading.FAIR,
            "tags": ["riot"],
        }

    def _strategic(self, number: int, theatre: Theatre, place: Place, day: datetime.date) -> dict:
        rng = self.rng
        state = theatre.state[0]
        group = rng.choice(self.hostile_groups(theatre.country, place, day))
        state_name, group_name = self.names[state], self.names[group]
        sub_type = rng.choice(
            [
                "arrests",
                "agreement",
                "headquarters-or-base-established",
                "lootingproperty-destruction",
                "disrupted-weapons-use",
                "non-violent-transfer-of-territory",
                "change-to-groupactivity",
            ]
        )
        if place.name in vocabulary.MAJOR_TOWNS and sub_type in (
            "non-violent-transfer-of-territory",
            "change-to-groupactivity",
        ):
            sub_type = "arrests"
        title = {
            "arrests": f"Arrest of suspected {group_name} members in {place.name}",
            "agreement": f"Local ceasefire agreed with {group_name} in {place.name}",
            "headquarters-or-base-established": f"The {state_name} establish a base in {place.name}",
            "lootingproperty-destruction": f"Looting of a health centre in {place.name}",
            "disrupted-weapons-use": f"Explosive device defused near {place.name}",
            "non-violent-transfer-of-territory": f"{group_name} withdraw from {place.name}",
            "change-to-groupactivity": f"{group_name} announce a blockade of {place.name}",
        }[sub_type]
        reporting = self._reporting(number, theatre, place, day, title)
        government = self._government(number, theatre, place, day)
        claims = [ClaimSpec(ClaimKind.OCCURRENCE, cited(government, f"{title}, the statement said."), claimant=state)]
        if sub_type == "arrests":
            held = rng.randint(2, 40)
            claims.append(
                ClaimSpec(
                    ClaimKind.DETAINED,
                    cited(government, f"{held} suspects were arrested and handed to the prosecutor."),
                    claimant=state,
                    losses_of=LossesOf.ACTOR,
                    losses_actor=group,
                    low=held,
                    high=held,
                    quantity_text=f"{held} suspects",
                )
            )
        if sub_type == "disrupted-weapons-use":
            claims.append(
                ClaimSpec(
                    ClaimKind.MATERIEL_CAPTURED,
                    cited(government, "Our engineers defused one improvised explosive device on the main road."),
                    claimant=state,
                    low=1,
                    high=1,
                    quantity_text="one improvised explosive device",
                )
            )
        return {
            "title": title,
            "sub_type": sub_type,
            "summary": (
                f"{title} ({place.admin1}, {COUNTRY_NAMES[theatre.country]}), reported on {day:%d %B %Y} "
                "by the authorities and the press."
            ),
            "actors": [LinkSpec(state, Side.A), LinkSpec(group, Side.B)],
            "sources": [
                (reporting["agency"], "Wire report."),
                (reporting["outlet"], "National coverage."),
                (government, "Official statement."),
            ],
            "claims": claims,
            "grading": Grading.FAIR,
            "days": rng.choice([0, 0, 0, 1, 2]),
        }


def build(*, size: int = SAMPLE_SIZE, random_seed: int = SAMPLE_SEED) -> SampleData:
    rng = random.Random(random_seed)
    builder = SampleBuilder(rng)
    categories = list(EVENT_WEIGHTS)
    for number in range(size):
        # The first incidents cover every event type, so even a small sample shows all six.
        category = (
            categories[number]
            if number < len(categories)
            else rng.choices(categories, weights=list(EVENT_WEIGHTS.values()))[0]
        )
        builder.data.incidents.append(builder.incident(number, category))
    shown = features.build()
    builder.data.sources += shown.sources
    builder.data.people += shown.people
    builder.data.incidents += shown.incidents
    builder.data.incident_relations += shown.relations
    return builder.data
