"""The seed story, encoded completely: the ambush of a Malian army convoy in the Kidal region.

Source text: an agency report (AP, with AFP material) datelined Dakar, Friday 13 June 2025.
Every statement in it about the incident is a claim below, attributed to the source that
carries it and, where different, to the party that asserts it; the quotations and
quantity wordings are verbatim (including the report's own slips, such as "one armored
vehicles"). Background paragraphs (violence since 2012, the 2015 peace deal, the army
retaking Kidal in 2023) are context rather than claims about this incident.
"""

from __future__ import annotations

import datetime

from incidents.demo.specs import ActorSpec, ClaimSpec, IncidentSpec, LinkSpec, RelationSpec, SourceSpec
from incidents.models import (
    ActorKind,
    ClaimKind,
    GeoPrecision,
    Grading,
    LossesOf,
    RelationKind,
    Reliability,
    Role,
    Side,
    SourceKind,
    Stance,
    Status,
    Verification,
)

DAY = datetime.date(2025, 6, 13)

FLA = "azawad-liberation-front"
FAMA = "malian-armed-forces"
AFRICA_CORPS = "africa-corps"
WAGNER = "wagner-group"
RUSSIAN_MOD = "russian-ministry-of-defence"

SEED_TITLE = "Ambush of a Malian army logistics convoy on the Anefif–Aguelhok road, Kidal region"

ACTORS = [
    ActorSpec(
        slug=FLA,
        name="Azawad Liberation Front",
        kind=ActorKind.REBEL_GROUP,
        country="ML",
        description=(
            "Coalition of separatist movements fighting for an independent state of Azawad in northern Mali. "
            "Its member movements drove state forces out of the north before the 2015 peace agreement, "
            "which has since collapsed."
        ),
        aliases=(
            ("FLA", "fr"),
            ("Front de Libération de l'Azawad", "fr"),
            ("جبهة تحرير أزواد", "ar"),
            ("Azawad separatists", "en"),
        ),
    ),
    ActorSpec(
        slug=FAMA,
        name="Malian Armed Forces",
        kind=ActorKind.STATE_FORCES,
        country="ML",
        description="The armed forces of Mali, under the general staff in Bamako.",
        aliases=(
            ("FAMa", "fr"),
            ("Forces armées maliennes", "fr"),
            ("Malian army", "en"),
        ),
    ),
    ActorSpec(
        slug=AFRICA_CORPS,
        name="Africa Corps",
        kind=ActorKind.EXTERNAL_OTHER,
        country="RU",
        description=(
            "Russian paramilitary force under the direct command of Russia's defence ministry, successor to "
            "the Wagner Group in Mali, where it supports the armed forces; also active with other African "
            "governments."
        ),
        aliases=(
            ("Afrika Korps", "en"),
            ("Russian Africa Corps", "en"),
            ("Африканский корпус", "ru"),
        ),
    ),
    ActorSpec(
        slug=WAGNER,
        name="Wagner Group",
        kind=ActorKind.EXTERNAL_OTHER,
        country="RU",
        description=(
            "Russian private military company. It supported Malian security forces against armed groups for "
            "more than three years and announced in June 2025 that it was leaving Mali."
        ),
        aliases=(
            ("Wagner", "en"),
            ("PMC Wagner", "en"),
            ("Группа Вагнера", "ru"),
            ("ЧВК «Вагнер»", "ru"),
        ),
    ),
    ActorSpec(
        slug=RUSSIAN_MOD,
        name="Russian Ministry of Defence",
        kind=ActorKind.STATE_FORCES,
        country="RU",
        description="The defence ministry of the Russian Federation, which oversees the Africa Corps.",
        aliases=(
            ("Ministry of Defence of the Russian Federation", "en"),
            ("Министерство обороны Российской Федерации", "ru"),
            ("Минобороны России", "ru"),
        ),
    ),
]

RELATIONS = [
    RelationSpec(
        subject=AFRICA_CORPS,
        kind=RelationKind.SUCCESSOR_OF,
        object=WAGNER,
        note="Africa Corps is the successor to the Russian paramilitary group Wagner (AFP, 13 June 2025).",
    ),
    RelationSpec(
        subject=AFRICA_CORPS,
        kind=RelationKind.COMMANDED_BY,
        object=RUSSIAN_MOD,
        note="Overseen by, and under the direct command of, Russia's defence ministry (AFP, AP, 13 June 2025).",
    ),
    RelationSpec(
        subject=FAMA,
        kind=RelationKind.SUPPORTED_BY,
        object=AFRICA_CORPS,
        note="Malian troops backed by the Africa Corps, which said it will remain in Mali (AP, 13 June 2025).",
    ),
    RelationSpec(
        subject=FAMA,
        kind=RelationKind.SUPPORTED_BY,
        object=WAGNER,
        start_date=datetime.date(2021, 12, 1),
        end_date=datetime.date(2025, 6, 6),
        note=(
            "Wagner helped Malian security forces against armed groups for more than three years, then "
            "announced it was leaving; diplomatic and security sources told AFP it had left (June 2025)."
        ),
    ),
]

SOURCES = [
    SourceSpec(
        key="afp",
        kind=SourceKind.NEWS_AGENCY,
        outlet="Agence France-Presse (AFP)",
        title="Dispatch on the clashes between the FLA and Malian troops in the Kidal region",
        published_on=DAY,
        language="en",
        reliability=Reliability.B,
        internal_notes="Headline not recorded; the title describes the dispatch.",
    ),
    SourceSpec(
        key="ap",
        kind=SourceKind.NEWS_AGENCY,
        outlet="The Associated Press (AP)",
        title="Report on separatists battling Malian troops backed by Moscow-run mercenaries",
        published_on=DAY,
        language="en",
        reliability=Reliability.B,
        internal_notes=(
            "Datelined Dakar, Senegal; carries AFP material and the army's statement. Headline not recorded; "
            "the title describes the report."
        ),
    ),
    SourceSpec(
        key="fla-statement",
        kind=SourceKind.PARTY_STATEMENT,
        outlet="Azawad Liberation Front (FLA)",
        title="FLA statement on the fighting in the Kidal region (as carried by AFP)",
        published_on=DAY,
        reliability=Reliability.D,
    ),
    SourceSpec(
        key="fla-spokesman",
        kind=SourceKind.PARTY_STATEMENT,
        outlet="Azawad Liberation Front (FLA)",
        title="Statement by the FLA spokesman on the captured convoy and the FLA's losses",
        author="Mohamed Maouloud Ramadan, spokesman for the Azawad separatists",
        published_on=DAY,
        reliability=Reliability.D,
    ),
    SourceSpec(
        key="army-statement",
        kind=SourceKind.GOVERNMENT_STATEMENT,
        outlet="General Staff of the Malian Armed Forces",
        title="Army general staff statement on the ambush of a logistics convoy in the Kidal region",
        published_on=DAY,
        language="fr",
        reliability=Reliability.D,
    ),
    SourceSpec(
        key="videos",
        kind=SourceKind.SOCIAL_MEDIA,
        outlet="Videos shared by the separatists",
        title="Viral videos of military trucks on fire and bodies in uniform after the ambush",
        published_on=DAY,
        reliability=Reliability.F,
        internal_notes="Circulated on social media by FLA supporters; the AP could not verify them.",
    ),
    SourceSpec(
        key="regional-official",
        kind=SourceKind.LOCAL_SOURCE,
        title="Account of the fighting, quoted by AFP",
        author="Regional elected official, Kidal region",
        published_on=DAY,
        language="fr",
        reliability=Reliability.C,
        confidential=True,
        internal_notes=(
            "A regional elected official of the Kidal region who spoke to AFP on condition of anonymity. "
            "Keep the identity and office confidential: naming them could endanger them."
        ),
    ),
    SourceSpec(
        key="expert",
        kind=SourceKind.EXPERT,
        outlet="Policy Center for the New South",
        title="Comment on security forces' difficulties in the Kidal region",
        author="Rida Lyammouri, Sahel expert",
        published_on=DAY,
        language="en",
        reliability=Reliability.B,
    ),
    SourceSpec(
        key="us-officials",
        kind=SourceKind.GOVERNMENT_STATEMENT,
        outlet="US officials (as reported by the AP)",
        title="Estimate of the number of Russian mercenaries in Mali",
        author="US officials",
        reliability=Reliability.C,
    ),
    SourceSpec(
        key="diplomatic-sources",
        kind=SourceKind.OTHER,
        outlet="Diplomatic and security sources (as reported by AFP)",
        title="Confirmation that the Wagner Group has left Mali",
        author="Diplomatic and security sources",
        reliability=Reliability.C,
    ),
]

UNVERIFIED_FLA = "Claimed by a party to the fighting; no independent confirmation."
UNVERIFIED_ARMY = "Claimed by the army, a party to the fighting; no independent confirmation."

FLA_KILLED_QUOTE = "In a statement Friday, the FLA said it had killed several dozen members of the Africa Corps."
SPOKESMAN_QUOTE = (
    "We recovered 12 trucks loaded with cereals, tankers full of diesel, one military pickup, "
    "and one armored vehicles from the 30 vehicles in the convoy"
)
ARMY_OPERATION_QUOTE = (
    "The army statement said the battle took place in the Kidal region where the army convoy had been "
    "conducting an “offensive operation against an armed terrorist group.”"
)

CLAIMS = [
    ClaimSpec(
        source="ap",
        kind=ClaimKind.OCCURRENCE,
        quote=(
            "A separatist coalition battled Malian troops backed by Moscow-run mercenaries in the north of the "
            "country Friday, both sides and local sources said."
        ),
        verification=Verification.CORROBORATED,
        verification_note="Both sides and local sources say the fighting took place.",
    ),
    ClaimSpec(
        source="ap",
        kind=ClaimKind.OTHER,
        quote=(
            "The deadly clashes, involving the separatist Azawad Liberation Front (FLA) and the Moscow-run Africa "
            "Corps, follows a series of attacks on the military in recent weeks."
        ),
        verification_note="Context: the ambush follows a series of attacks on the military.",
    ),
    # The FLA's statement, as carried by AFP.
    ClaimSpec(
        source="fla-statement",
        claimant=FLA,
        kind=ClaimKind.RESPONSIBILITY,
        quote=FLA_KILLED_QUOTE,
        verification_note="The FLA presents the fighting as its own operation.",
    ),
    ClaimSpec(
        source="fla-statement",
        claimant=FLA,
        kind=ClaimKind.FATALITIES,
        losses_of=LossesOf.ACTOR,
        losses_actor=AFRICA_CORPS,
        low=24,
        high=None,
        quantity_text="several dozen",
        quote=FLA_KILLED_QUOTE,
        verification_note=UNVERIFIED_FLA + " “Several dozen” is read as at least 24, with no upper bound.",
    ),
    ClaimSpec(
        source="fla-statement",
        claimant=FLA,
        kind=ClaimKind.FATALITIES,
        losses_of=LossesOf.UNKNOWN,
        low=13,
        high=17,
        quantity_text="Around 15 bodies",
        quote="Around 15 bodies were left abandoned on the site of the fighting",
        verification_note=UNVERIFIED_FLA + " The statement does not say whose bodies these were.",
    ),
    ClaimSpec(
        source="fla-statement",
        claimant=FLA,
        kind=ClaimKind.MATERIEL_DESTROYED,
        losses_of=LossesOf.UNKNOWN,
        low=21,
        high=21,
        quantity_text="21 military vehicles",
        quote=(
            "The FLA also said it had destroyed 21 military vehicles including armored cars and armed pick-up trucks."
        ),
        verification_note=UNVERIFIED_FLA,
    ),
    # The spokesman's statement.
    ClaimSpec(
        source="fla-spokesman",
        claimant=FLA,
        kind=ClaimKind.MATERIEL_CAPTURED,
        losses_of=LossesOf.ACTOR,
        losses_actor=FAMA,
        low=12,
        high=12,
        quantity_text="12 trucks loaded with cereals",
        quote=SPOKESMAN_QUOTE,
        verification_note=UNVERIFIED_FLA,
    ),
    ClaimSpec(
        source="fla-spokesman",
        claimant=FLA,
        kind=ClaimKind.MATERIEL_CAPTURED,
        losses_of=LossesOf.ACTOR,
        losses_actor=FAMA,
        quantity_text="tankers full of diesel",
        quote=SPOKESMAN_QUOTE,
        verification_note=UNVERIFIED_FLA + " The number of tankers is not given.",
    ),
    ClaimSpec(
        source="fla-spokesman",
        claimant=FLA,
        kind=ClaimKind.MATERIEL_CAPTURED,
        losses_of=LossesOf.ACTOR,
        losses_actor=FAMA,
        low=1,
        high=1,
        quantity_text="one military pickup",
        quote=SPOKESMAN_QUOTE,
        verification_note=UNVERIFIED_FLA,
    ),
    ClaimSpec(
        source="fla-spokesman",
        claimant=FLA,
        kind=ClaimKind.MATERIEL_CAPTURED,
        losses_of=LossesOf.ACTOR,
        losses_actor=FAMA,
        low=1,
        high=1,
        quantity_text="one armored vehicles",
        quote=SPOKESMAN_QUOTE,
        verification_note=UNVERIFIED_FLA + " Wording as reported (“one armored vehicles”).",
    ),
    ClaimSpec(
        source="fla-spokesman",
        claimant=FLA,
        kind=ClaimKind.OTHER,
        losses_of=LossesOf.ACTOR,
        losses_actor=FAMA,
        low=30,
        high=30,
        quantity_text="the 30 vehicles in the convoy",
        quote=SPOKESMAN_QUOTE,
        verification_note="The size of the convoy, according to the FLA.",
    ),
    ClaimSpec(
        source="fla-spokesman",
        claimant=FLA,
        kind=ClaimKind.FATALITIES,
        losses_of=LossesOf.ACTOR,
        losses_actor=FLA,
        low=3,
        high=3,
        quantity_text="three of their members",
        quote=(
            "Mohamed Maouloud Ramadan, spokesman for the Azawad separatists, said in a statement that "
            "acknowledged the death of three of their members."
        ),
        stance=Stance.ACKNOWLEDGEMENT,
        verification_note="An acknowledgement of the FLA's own losses: a floor for its dead.",
    ),
    # The videos shared by the separatists.
    ClaimSpec(
        source="videos",
        claimant=FLA,
        kind=ClaimKind.MATERIEL_DESTROYED,
        losses_of=LossesOf.UNKNOWN,
        quantity_text="military trucks on fire",
        quote=(
            "Viral videos shared by the separatists showed military trucks on fire in a large swathe of desert "
            "land amid gunfire as gun-wielding hooded young men posed in front of the trucks."
        ),
        verification_note="The Associated Press could not independently verify the videos.",
    ),
    ClaimSpec(
        source="videos",
        claimant=FLA,
        kind=ClaimKind.FATALITIES,
        losses_of=LossesOf.UNKNOWN,
        quantity_text="bodies with uniforms that resemble those of the Malian army",
        quote="The videos also showed bodies with uniforms that resemble those of the Malian army.",
        verification_note=(
            "The Associated Press could not independently verify the videos; resembling uniforms do not "
            "establish whose dead these are."
        ),
    ),
    # The army's general staff.
    ClaimSpec(
        source="army-statement",
        claimant=FAMA,
        kind=ClaimKind.OCCURRENCE,
        quote=(
            "Earlier, the army’s general staff acknowledged in a statement that a logistics convoy had been "
            "ambushed at dawn on Friday."
        ),
        stance=Stance.ACKNOWLEDGEMENT,
        verification=Verification.CORROBORATED,
        verification_note="The army acknowledges the ambush that the FLA claims.",
    ),
    ClaimSpec(
        source="army-statement",
        claimant=FAMA,
        kind=ClaimKind.OTHER,
        quantity_text="offensive operation against an armed terrorist group",
        quote=ARMY_OPERATION_QUOTE,
        verification_note="The army's description of the convoy's mission.",
    ),
    ClaimSpec(
        source="army-statement",
        claimant=FAMA,
        kind=ClaimKind.FATALITIES,
        losses_of=LossesOf.ACTOR,
        losses_actor=FLA,
        low=10,
        high=10,
        quantity_text="10 enemy combatants",
        quote="It said “10 enemy combatants” had been killed.",
        verification_note=UNVERIFIED_ARMY + " The army names no group; the FLA is the party that claimed the fight.",
    ),
    # The regional elected official, quoted anonymously by AFP.
    ClaimSpec(
        source="regional-official",
        kind=ClaimKind.OCCURRENCE,
        quote="The fighters this Friday were fierce",
        verification_note="A local account, independent of both parties.",
    ),
    ClaimSpec(
        source="regional-official",
        kind=ClaimKind.FATALITIES,
        losses_of=LossesOf.UNKNOWN,
        quantity_text="losses on both sides",
        quote="There were losses on both sides. But we’ll have to wait for definitive figures.",
        verification_note="Unquantified: confirms deaths on both sides without numbers.",
    ),
    # Context from the expert, US officials and diplomatic sources.
    ClaimSpec(
        source="expert",
        kind=ClaimKind.OTHER,
        quote=(
            "It’s difficult to gather actionable intelligence to protect their convoys, and this gives a "
            "significant advantage to armed and jihadist groups"
        ),
        verification_note=(
            "An analyst's assessment: the clashes show how difficult it is for security forces to operate in "
            "terrain like Kidal's."
        ),
    ),
    ClaimSpec(
        source="us-officials",
        kind=ClaimKind.OTHER,
        low=1800,
        high=2200,
        quantity_text="around 2,000 mercenaries",
        quote="There are around 2,000 mercenaries in Mali, according to US officials.",
        verification_note="It is unclear how many are with Wagner and how many are part of the Africa Corps.",
    ),
    ClaimSpec(
        source="diplomatic-sources",
        kind=ClaimKind.OTHER,
        quote=(
            "Africa Corps is the successor to the Russian paramilitary group Wagner, which diplomatic and "
            "security sources confirmed to AFP over the weekend has now left Mali."
        ),
        verification=Verification.CORROBORATED,
        verification_note="Wagner itself announced days earlier that it was leaving the country.",
    ),
    ClaimSpec(
        source="ap",
        claimant=WAGNER,
        kind=ClaimKind.OTHER,
        quote=(
            "The latest attack occurred days after Russia’s mercenary group Wagner – which for more than three "
            "years helped Malian security forces in the fight against armed groups – announced it was leaving "
            "the country."
        ),
    ),
    ClaimSpec(
        source="ap",
        claimant=AFRICA_CORPS,
        kind=ClaimKind.OTHER,
        quote=(
            "The Africa Corps, under the direct command of the Russian defense ministry, said it will remain in Mali."
        ),
    ),
]

INCIDENT = IncidentSpec(
    title=SEED_TITLE,
    start_date=DAY,
    country="ML",
    sub_event_type="armed-clash",
    time_of_day=datetime.time(5, 30),
    admin1="Kidal",
    location="Anefif–Aguelhok road",
    latitude=18.75,
    longitude=0.73,
    geo_precision=GeoPrecision.NEAR,
    summary=(
        "At dawn on Friday 13 June 2025, a Malian army logistics convoy supported by Russia's Africa Corps was "
        "ambushed on the Anefif–Aguelhok road in the Kidal region of northern Mali, and fighters of the "
        "separatist Azawad Liberation Front (FLA) fought the convoy's escort. The army's general staff "
        "acknowledged the ambush and said 10 enemy combatants were killed. The FLA said it killed several dozen "
        "Africa Corps members, destroyed 21 military vehicles, captured trucks and other vehicles from a "
        "30-vehicle convoy, and acknowledged three dead among its own fighters. A local source reported losses "
        "on both sides. Videos shared by the separatists could not be independently verified."
    ),
    grading=Grading.CONTESTED,
    tags=("ambush", "convoy", "separatists", "russian-forces"),
    status=Status.PUBLISHED,
    internal_notes=(
        "The agency text names only the Kidal region; the Anefif–Aguelhok road comes from other reporting of "
        "the same ambush, and the coordinates are a point on that road. The time is recorded as 05:30, an "
        "approximation of dawn in Kidal in mid-June. Party figures are wildly apart: keep the grading "
        "contested until an independent count exists."
    ),
    actors=(
        LinkSpec(FAMA, side=Side.A, role=Role.PRIMARY, note="Its logistics convoy was ambushed."),
        LinkSpec(AFRICA_CORPS, side=Side.A, role=Role.SUPPORTING, note="Russian force backing the Malian troops."),
        LinkSpec(FLA, side=Side.B, role=Role.PRIMARY, note="Claimed the attack on the convoy."),
    ),
    sources=(
        ("afp", "Carries the FLA's statement and a local source's account."),
        ("ap", "Reports both sides' statements; could not verify the videos."),
        ("fla-statement", "The FLA's claims of enemy dead, bodies left and vehicles destroyed."),
        ("fla-spokesman", "Captured vehicles and the FLA's own dead."),
        ("army-statement", "The army acknowledges the ambush and claims 10 enemy combatants killed."),
        ("videos", "Unverified footage shared by the separatists."),
        ("regional-official", "Independent local account of the fighting."),
        ("expert", "Context on operating in the Kidal region."),
        ("us-officials", "Number of Russian mercenaries in Mali."),
        ("diplomatic-sources", "Wagner's departure from Mali."),
    ),
    claims=tuple(CLAIMS),
)
