"""Hand-written sample incidents that show each thing the archive can record.

The drawn sample (``sample``) gives volume and variety; these few incidents make sure the
demo also holds every rarer case an editor meets in real reporting: a toll carried by three
outlets, quotations in French and Arabic with the editor's translation, a victim group that
mixes drivers and guards, an explicit zero, a comment declined, injuries, damaged materiel,
a position taken and another given up, dates known only to the week or the month, a time
known only roughly, an event that followed another, and a second report of an incident
merged into it. Like the drawn sample they are fictional, set in real places.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from incidents.demo import seed
from incidents.demo.specs import (
    AffiliationSpec,
    CitationSpec,
    ClaimSpec,
    IncidentRelationSpec,
    IncidentSpec,
    LinkSpec,
    PersonSpec,
    SourceSpec,
    cited,
)
from incidents.models import (
    Attribution,
    ClaimKind,
    DatePrecision,
    GeoPrecision,
    Grading,
    IncidentRelationKind,
    LossesOf,
    Movement,
    Reliability,
    Side,
    SourceKind,
    Stance,
    TimePrecision,
    Verification,
)

CONVOY = "feature-convoy"
CONVOY_SECOND_REPORT = "feature-convoy-second-report"
BLOCKADE = "feature-blockade"
DJIBO_ABDUCTIONS = "feature-djibo-abductions"
BONI = "feature-boni"

CONVOY_DAY = datetime.date(2025, 3, 11)  # a Tuesday
WEEK_OF = datetime.date(2025, 7, 14)  # a Monday
MONTH_OF = datetime.date(2025, 9, 1)

SECURITY_SOURCE = "security-source-gao"
HEALTH_WORKER = "health-worker-gao"


@dataclass
class Features:
    sources: list[SourceSpec] = field(default_factory=list)
    people: list[PersonSpec] = field(default_factory=list)
    incidents: list[IncidentSpec] = field(default_factory=list)
    relations: list[IncidentRelationSpec] = field(default_factory=list)


def _source(key: str, **fields: object) -> SourceSpec:
    return SourceSpec(key=f"feature-{key}", **fields)


SOURCES = [
    _source(
        "convoy-tamani",
        kind=SourceKind.NEWS_OUTLET,
        outlet="Studio Tamani",
        title="Ansongo : cinq morts dans l'attaque d'un convoi de camions-citernes",
        published_on=CONVOY_DAY,
        language="fr",
        reliability=Reliability.C,
    ),
    _source(
        "convoy-rfi",
        kind=SourceKind.NEWS_OUTLET,
        outlet="RFI",
        title="Mali : un convoi de carburant attaqué près d'Ansongo",
        published_on=CONVOY_DAY,
        language="fr",
        reliability=Reliability.B,
    ),
    _source(
        "convoy-afp",
        kind=SourceKind.NEWS_AGENCY,
        outlet="Agence France-Presse (AFP)",
        title="Gunmen kill five in attack on fuel convoy in northern Mali",
        published_on=CONVOY_DAY + datetime.timedelta(days=1),
        language="en",
        reliability=Reliability.B,
    ),
    _source(
        "convoy-journal",
        kind=SourceKind.NEWS_OUTLET,
        outlet="Journal du Mali",
        title="Axe Gao-Ansongo : des camions-citernes attaqués",
        published_on=CONVOY_DAY + datetime.timedelta(days=1),
        language="fr",
        reliability=Reliability.C,
    ),
    _source(
        "blockade-tamani",
        kind=SourceKind.NEWS_OUTLET,
        outlet="Studio Tamani",
        title="Gao : les chauffeurs bloquent la route d'Ansongo",
        published_on=CONVOY_DAY + datetime.timedelta(days=2),
        language="fr",
        reliability=Reliability.C,
    ),
    _source(
        "blockade-police",
        kind=SourceKind.GOVERNMENT_STATEMENT,
        outlet="Malian National Police, Gao",
        title="Communiqué sur la manifestation des transporteurs à Gao",
        published_on=CONVOY_DAY + datetime.timedelta(days=2),
        language="fr",
        reliability=Reliability.D,
    ),
    _source(
        "djibo-hrw",
        kind=SourceKind.NGO_REPORT,
        outlet="Human Rights Watch",
        title="Burkina Faso: abductions on the roads around Djibo",
        published_on=datetime.date(2025, 8, 5),
        language="en",
        reliability=Reliability.B,
    ),
    _source(
        "djibo-lefaso",
        kind=SourceKind.NEWS_OUTLET,
        outlet="Lefaso.net",
        title="Djibo : des enlèvements signalés sur les axes",
        published_on=WEEK_OF + datetime.timedelta(days=7),
        language="fr",
        reliability=Reliability.C,
    ),
    _source(
        "boni-zallaqa",
        kind=SourceKind.PARTY_STATEMENT,
        outlet="Az-Zallaqa Foundation",
        title="بيان حول السيطرة على ثكنة بوني",
        published_on=datetime.date(2025, 9, 30),
        language="ar",
        reliability=Reliability.D,
        internal_notes=(
            "Title: “Statement on the taking of the Boni barracks”. Dated by its posting; it gives no day."
        ),
    ),
    _source(
        "boni-army",
        kind=SourceKind.GOVERNMENT_STATEMENT,
        outlet="General Staff of the Malian Armed Forces",
        title="Communiqué sur le repli des unités de Boni",
        published_on=datetime.date(2025, 9, 30),
        language="fr",
        reliability=Reliability.D,
    ),
]


PEOPLE = [
    PersonSpec(
        slug=SECURITY_SOURCE,
        name="Security source, Gao region",
        description="A security officer in the Gao region.",
        affiliations=(AffiliationSpec(seed.FAMA, role="officer", start_date=datetime.date(2022, 1, 1)),),
        confidential=True,
        internal_notes="An officer posted in Gao since 2022, reached by AFP; asked not to be named.",
    ),
    PersonSpec(
        slug=HEALTH_WORKER,
        name="Health worker, Gao hospital",
        description="A health worker at the regional hospital in Gao.",
        confidential=True,
        internal_notes="Spoke to AFP by phone; not authorised to speak to the press.",
    ),
]

TAMANI_TOLL = (
    "Cinq personnes ont été tuées, pour la plupart des chauffeurs et des gardes, lors de l'attaque d'un convoi "
    "de camions-citernes près d'Ansongo."
)
RFI_TOLL = "Le bilan est de cinq morts, en majorité des chauffeurs et des gardes armés du convoi."
RFI_VEHICLES = "Trois camions-citernes ont été endommagés et deux autres incendiés."
AFP_ATTACK = (
    "Five people, mostly drivers and guards, were killed when gunmen attacked the convoy at around 10:20 am, "
    "a local official said."
)

CONVOY_INCIDENT = IncidentSpec(
    key=CONVOY,
    title="Attack on a fuel convoy near Ansongo",
    start_date=CONVOY_DAY,
    time_of_day=datetime.time(10, 20),
    time_precision=TimePrecision.AROUND,
    country="ML",
    admin1="Gao",
    admin2="Ansongo",
    location="Gao–Ansongo road, north of Ansongo",
    latitude=15.74,
    longitude=0.45,
    geo_precision=GeoPrecision.NEAR,
    sub_event_type="attack",
    summary=(
        "Gunmen on motorbikes attacked a convoy of fuel tankers on the Gao–Ansongo road, north of Ansongo, at around "
        "10:20 on 11 March 2025. Five people were killed, most of them drivers and the convoy's guards, and seven "
        "were wounded; several tankers were damaged or burned. Local outlets say the attackers are presumed to "
        "belong to the Islamic State Sahel Province. The army did not comment."
    ),
    grading=Grading.FAIR,
    tags=("convoy", "fuel"),
    actors=(
        LinkSpec("islamic-state-sahel", Side.A, note="Presumed perpetrator, according to local outlets."),
        LinkSpec("civilians-ml", Side.B, note="Drivers and passengers of the convoy."),
    ),
    sources=(
        ("feature-convoy-tamani", "Local radio: the toll and the presumed attackers."),
        ("feature-convoy-rfi", "The toll and the damage to the tankers."),
        ("feature-convoy-afp", "The time of the attack, the wounded, the army's silence."),
    ),
    claims=(
        # One toll, carried by three outlets: it counts once.
        ClaimSpec(
            ClaimKind.FATALITIES,
            (
                CitationSpec(
                    "feature-convoy-tamani",
                    TAMANI_TOLL,
                    language="fr",
                    translation=(
                        "Five people were killed, most of them drivers and guards, in the attack on a convoy of "
                        "tanker trucks near Ansongo."
                    ),
                ),
                CitationSpec(
                    "feature-convoy-rfi",
                    RFI_TOLL,
                    language="fr",
                    translation="The toll is five dead, most of them drivers and the convoy's armed guards.",
                ),
                CitationSpec("feature-convoy-afp", AFP_ATTACK, language="en"),
            ),
            losses_of=LossesOf.MIXED,
            losses_note="mostly drivers and guards",
            low=5,
            high=5,
            quantity_text="five killed, mostly drivers and guards",
            verification=Verification.CORROBORATED,
            verification_note="The same toll from a local official, relayed by three outlets: one claim, repeated.",
        ),
        ClaimSpec(
            ClaimKind.INJURIES,
            cited(
                "feature-convoy-afp",
                "Seven other people were wounded and taken to the hospital in Gao, a health worker said.",
                language="en",
            ),
            speaker=HEALTH_WORKER,
            low=7,
            high=7,
            quantity_text="seven wounded",
        ),
        ClaimSpec(
            ClaimKind.MATERIEL_DAMAGED,
            cited(
                "feature-convoy-rfi",
                RFI_VEHICLES,
                language="fr",
                translation="Three tanker trucks were damaged and two others set on fire.",
            ),
            losses_of=LossesOf.ACTOR,
            losses_actor="civilians-ml",
            low=3,
            high=3,
            quantity_text="trois camions-citernes",
        ),
        ClaimSpec(
            ClaimKind.MATERIEL_DESTROYED,
            cited(
                "feature-convoy-rfi",
                RFI_VEHICLES,
                language="fr",
                translation="Three tanker trucks were damaged and two others set on fire.",
            ),
            losses_of=LossesOf.ACTOR,
            losses_actor="civilians-ml",
            low=2,
            high=2,
            quantity_text="deux autres incendiés",
        ),
        ClaimSpec(
            ClaimKind.RESPONSIBILITY,
            cited(
                "feature-convoy-tamani",
                "Les assaillants, présumés membres de l'État islamique au Sahel, sont arrivés à moto.",
                language="fr",
                translation="The attackers, presumed members of the Islamic State in the Sahel, arrived on motorbikes.",
            ),
            responsible_actor="islamic-state-sahel",
            attribution=Attribution.SUPPOSED,
            verification_note="No group has claimed the attack.",
        ),
        ClaimSpec(
            ClaimKind.OCCURRENCE,
            cited(
                "feature-convoy-afp",
                "The attackers came from the direction of Ménaka and fled the same way, a security source said.",
                language="en",
            ),
            speaker=SECURITY_SOURCE,
        ),
        ClaimSpec(
            ClaimKind.OCCURRENCE,
            cited("feature-convoy-afp", "The army did not respond to AFP's requests for comment.", language="en"),
            claimant=seed.FAMA,
            stance=Stance.DECLINED,
        ),
    ),
)

CONVOY_SECOND_REPORT_INCIDENT = IncidentSpec(
    key=CONVOY_SECOND_REPORT,
    title="Gunmen attack tanker trucks on the Gao–Ansongo road",
    start_date=CONVOY_DAY,
    country="ML",
    admin1="Gao",
    admin2="Ansongo",
    location="Gao–Ansongo road",
    latitude=15.9,
    longitude=0.3,
    geo_precision=GeoPrecision.ADMIN2,
    sub_event_type="attack",
    summary="Gunmen attacked tanker trucks on the Gao–Ansongo road on Tuesday 11 March 2025.",
    grading=Grading.WEAK,
    actors=(LinkSpec("civilians-ml", Side.B, note="Drivers of the tankers."),),
    sources=(("feature-convoy-journal", "A later report of the same attack."),),
    claims=(
        ClaimSpec(
            ClaimKind.OCCURRENCE,
            cited(
                "feature-convoy-journal",
                "Des hommes armés ont attaqué mardi des camions-citernes sur l'axe Gao-Ansongo.",
                language="fr",
                translation="Gunmen on Tuesday attacked tanker trucks on the Gao–Ansongo road.",
            ),
        ),
        ClaimSpec(
            ClaimKind.FATALITIES,
            cited(
                "feature-convoy-journal",
                "Au moins quatre corps ont été retrouvés sur les lieux.",
                language="fr",
                translation="At least four bodies were found at the scene.",
            ),
            low=4,
            high=None,
            quantity_text="au moins quatre corps",
        ),
    ),
    accept_proposal=False,
    merged_into=CONVOY,
    merge_reason="A second report of the attack on the fuel convoy near Ansongo on 11 March 2025.",
)

BLOCKADE_INCIDENT = IncidentSpec(
    key=BLOCKADE,
    title="Truck drivers block the Gao–Ansongo road after the attack on a fuel convoy",
    start_date=CONVOY_DAY + datetime.timedelta(days=2),
    time_precision=TimePrecision.AFTERNOON,
    country="ML",
    admin1="Gao",
    admin2="Gao",
    location="Gao, southern exit towards Ansongo",
    latitude=16.25,
    longitude=0.0,
    geo_precision=GeoPrecision.NEAR,
    sub_event_type="protest-with-intervention",
    summary=(
        "Two days after the attack on a fuel convoy near Ansongo, truck drivers blocked the road south of Gao to "
        "demand escorts. The police dispersed them in the afternoon and said no one was killed."
    ),
    grading=Grading.CONFIRMED,
    tags=("protest", "convoy"),
    actors=(
        LinkSpec("protesters-ml", Side.A, note="Truck drivers and their union."),
        LinkSpec("mali-police", Side.B),
    ),
    sources=(
        ("feature-blockade-tamani", "The drivers' demands."),
        ("feature-blockade-police", "The police's account."),
    ),
    claims=(
        ClaimSpec(
            ClaimKind.OCCURRENCE,
            cited(
                "feature-blockade-tamani",
                "Les chauffeurs ont bloqué la sortie sud de Gao pour réclamer des escortes après l'attaque de mardi.",
                language="fr",
                translation="The drivers blocked the southern exit of Gao to demand escorts after Tuesday's attack.",
            ),
        ),
        # An explicit zero: a figure, not the absence of one.
        ClaimSpec(
            ClaimKind.FATALITIES,
            cited(
                "feature-blockade-police",
                "La manifestation a été dispersée dans le calme ; aucune perte en vie humaine n'est à déplorer.",
                language="fr",
                translation="The demonstration was dispersed calmly; no lives were lost.",
            ),
            claimant="mali-police",
            low=0,
            high=0,
            quantity_text="aucune perte en vie humaine",
        ),
    ),
)

DJIBO_INCIDENT = IncidentSpec(
    key=DJIBO_ABDUCTIONS,
    title="Abductions on the roads around Djibo",
    start_date=WEEK_OF,
    end_date=WEEK_OF + datetime.timedelta(days=6),
    date_precision=DatePrecision.WEEK,
    country="BF",
    admin1="Sahel",
    admin2="Soum",
    location="Roads around Djibo",
    latitude=14.1,
    longitude=-1.63,
    geo_precision=GeoPrecision.ADMIN2,
    sub_event_type="abductionforced-disappearance",
    summary=(
        "During the week of 14 July 2025, at least 22 people, traders among them, were abducted on the roads "
        "around Djibo. Human Rights Watch attributes the abductions to JNIM."
    ),
    grading=Grading.FAIR,
    tags=("abduction",),
    actors=(LinkSpec("jnim", Side.A), LinkSpec("civilians-bf", Side.B)),
    sources=(
        ("feature-djibo-hrw", "Documented the abductions."),
        ("feature-djibo-lefaso", "National coverage the following week."),
    ),
    claims=(
        ClaimSpec(
            ClaimKind.DETAINED,
            cited(
                "feature-djibo-hrw",
                "During the week of 14 July, JNIM fighters abducted at least 22 people, including traders, on the "
                "roads around Djibo.",
                language="en",
            ),
            losses_of=LossesOf.CIVILIANS,
            low=22,
            high=None,
            quantity_text="at least 22 people",
            verification=Verification.CORROBORATED,
        ),
        ClaimSpec(
            ClaimKind.RESPONSIBILITY,
            cited(
                "feature-djibo-hrw",
                "Witnesses identified the abductors as JNIM fighters from their flags and their sermons.",
                language="en",
            ),
            responsible_actor="jnim",
            attribution=Attribution.ATTRIBUTED,
        ),
        ClaimSpec(
            ClaimKind.OCCURRENCE,
            cited(
                "feature-djibo-lefaso",
                "Plusieurs enlèvements ont été signalés la semaine dernière sur les axes menant à Djibo.",
                language="fr",
                translation="Several abductions were reported last week on the roads leading to Djibo.",
            ),
        ),
    ),
)

BONI_INCIDENT = IncidentSpec(
    key=BONI,
    title="JNIM takes the army camp at Boni",
    start_date=MONTH_OF,
    end_date=datetime.date(2025, 9, 30),
    date_precision=DatePrecision.MONTH,
    country="ML",
    admin1="Mopti",
    admin2="Douentza",
    location="Boni",
    latitude=15.03,
    longitude=-1.97,
    geo_precision=GeoPrecision.EXACT,
    sub_event_type="non-state-actor-overtakes-territory",
    summary=(
        "In September 2025 the army left its camp at Boni, which JNIM says it took. The army calls its move a "
        "tactical withdrawal towards Douentza; neither side gives a day."
    ),
    grading=Grading.FAIR,
    tags=("territory",),
    actors=(LinkSpec(seed.FAMA, Side.A), LinkSpec("jnim", Side.B)),
    sources=(
        ("feature-boni-zallaqa", "JNIM's claim, in Arabic."),
        ("feature-boni-army", "The army's account, in French."),
    ),
    claims=(
        ClaimSpec(
            ClaimKind.TERRITORY,
            cited(
                "feature-boni-zallaqa",
                "سيطر المجاهدون على الثكنة العسكرية في بوني",
                language="ar",
                translation="The mujahideen took control of the military barracks in Boni.",
            ),
            claimant="jnim",
            movement=Movement.TOOK_CONTROL,
            place="Boni military camp",
        ),
        ClaimSpec(
            ClaimKind.TERRITORY,
            cited(
                "feature-boni-army",
                "Nos unités ont procédé à un repli tactique de Boni vers Douentza.",
                language="fr",
                translation="Our units carried out a tactical withdrawal from Boni towards Douentza.",
            ),
            claimant=seed.FAMA,
            movement=Movement.WITHDREW,
            place="Boni",
        ),
    ),
)


def build() -> Features:
    return Features(
        sources=list(SOURCES),
        people=list(PEOPLE),
        incidents=[CONVOY_INCIDENT, CONVOY_SECOND_REPORT_INCIDENT, BLOCKADE_INCIDENT, DJIBO_INCIDENT, BONI_INCIDENT],
        relations=[
            IncidentRelationSpec(
                subject=BLOCKADE,
                kind=IncidentRelationKind.FOLLOW_ON,
                object=CONVOY,
                note="The drivers protested the attack on the convoy two days earlier.",
            )
        ],
    )
