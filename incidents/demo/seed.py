"""The seed story, encoded completely: the ambush of a Malian army convoy in the Kidal region.

Source text: an agency report (AP, with AFP material) datelined Dakar, Friday 13 June 2025.
Every statement in it about the incident is a claim below. The sources are the two agencies:
a statement we know only through them (the FLA's, its spokesman's, the army's) is a claim of
its claimant cited from the agency that carried it, and the FLA's statement, carried by both,
is one claim with two citations. The people who speak (the spokesman, the expert, a regional
official kept confidential) are records of their own. The quotations and quantity wordings
are verbatim (including the report's own slips, such as "one armored vehicles").

Background paragraphs (violence since 2012, the 2015 peace deal, the army retaking Kidal in
2023) are context rather than claims about this incident.
"""

from __future__ import annotations

import datetime

from incidents.demo.specs import (
    ActorSpec,
    AffiliationSpec,
    CitationSpec,
    ClaimSpec,
    IncidentSpec,
    LinkSpec,
    PersonSpec,
    RelationSpec,
    SourceSpec,
    cited,
)
from incidents.models import (
    ActorKind,
    Attribution,
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
    TimePrecision,
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
        internal_notes=(
            "Headline not recorded; the title describes the dispatch. Its wording is known from the AP report, "
            "which carries it: the quotations cited from AFP are the passages that report gives to AFP or that "
            "both agencies carried."
        ),
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
]

SPOKESMAN = "mohamed-maouloud-ramadan"
EXPERT = "rida-lyammouri"
OFFICIAL = "kidal-regional-elected-official"

PEOPLE = [
    PersonSpec(
        slug=SPOKESMAN,
        name="Mohamed Maouloud Ramadan",
        description="Spokesman for the Azawad Liberation Front (FLA).",
        aliases=(("Muhammad Maulud Ramadan", "en"), ("محمد مولود رمضان", "ar")),
        affiliations=(AffiliationSpec(FLA, role="spokesman"),),
    ),
    PersonSpec(
        slug=EXPERT,
        name="Rida Lyammouri",
        description="Sahel expert at the Policy Center for the New South, a think tank based in Morocco.",
    ),
    PersonSpec(
        slug=OFFICIAL,
        name="Regional elected official, Kidal region",
        description="An elected official of the Kidal region.",
        confidential=True,
        internal_notes=(
            "A regional elected official of the Kidal region who spoke to AFP and is not named in the reporting. "
            "Keep the identity and office confidential: naming them could endanger them."
        ),
    ),
]

UNVERIFIED_FLA = "Claimed by a party to the fighting; no independent confirmation."
UNVERIFIED_ARMY = "Claimed by the army, a party to the fighting; no independent confirmation."

FLA_KILLED_QUOTE = "In a statement Friday, the FLA said it had killed several dozen members of the Africa Corps."
BODIES_QUOTE = "Around 15 bodies were left abandoned on the site of the fighting"
SPOKESMAN_QUOTE = (
    "We recovered 12 trucks loaded with cereals, tankers full of diesel, one military pickup, "
    "and one armored vehicles from the 30 vehicles in the convoy"
)
ARMY_OPERATION_QUOTE = (
    "The army statement said the battle took place in the Kidal region where the army convoy had been "
    "conducting an “offensive operation against an armed terrorist group.”"
)

# The FLA's statement reached the public through both agencies: one claim, two reports.
FLA_STATEMENT = (
    CitationSpec("afp", FLA_KILLED_QUOTE, language="en"),
    CitationSpec("ap", FLA_KILLED_QUOTE, language="en"),
)


def _captured(quantity_text: str, low: int | None, note: str = "") -> ClaimSpec:
    """One item of the spokesman's list, a part of the 30-vehicle convoy."""
    return ClaimSpec(
        ClaimKind.MATERIEL_CAPTURED,
        cited("ap", SPOKESMAN_QUOTE, language="en"),
        claimant=FLA,
        speaker=SPOKESMAN,
        losses_of=LossesOf.ACTOR,
        losses_actor=FAMA,
        low=low,
        high=low,
        quantity_text=quantity_text,
        part_of="convoy",
        verification_note=f"{UNVERIFIED_FLA} {note}".strip(),
    )


CLAIMS = [
    ClaimSpec(
        ClaimKind.OCCURRENCE,
        cited(
            "ap",
            "A separatist coalition battled Malian troops backed by Moscow-run mercenaries in the north of the "
            "country Friday, both sides and local sources said.",
            language="en",
        ),
        verification=Verification.CORROBORATED,
        verification_note="Both sides and local sources say the fighting took place.",
    ),
    ClaimSpec(
        ClaimKind.OTHER,
        cited(
            "ap",
            "The deadly clashes, involving the separatist Azawad Liberation Front (FLA) and the Moscow-run Africa "
            "Corps, follows a series of attacks on the military in recent weeks.",
            language="en",
        ),
        verification_note="Context: the ambush follows a series of attacks on the military.",
    ),
    # The FLA's statement, carried by AFP and by AP.
    ClaimSpec(
        ClaimKind.RESPONSIBILITY,
        FLA_STATEMENT,
        claimant=FLA,
        responsible_actor=FLA,
        attribution=Attribution.CLAIMED,
        verification_note="The FLA presents the fighting as its own operation.",
    ),
    ClaimSpec(
        ClaimKind.FATALITIES,
        FLA_STATEMENT,
        claimant=FLA,
        losses_of=LossesOf.ACTOR,
        losses_actor=AFRICA_CORPS,
        low=24,
        high=None,
        quantity_text="several dozen",
        verification_note=UNVERIFIED_FLA + " “Several dozen” is read as at least 24, with no upper bound.",
    ),
    ClaimSpec(
        ClaimKind.FATALITIES,
        (CitationSpec("afp", BODIES_QUOTE, language="en"), CitationSpec("ap", BODIES_QUOTE, language="en")),
        claimant=FLA,
        losses_of=LossesOf.UNKNOWN,
        low=13,
        high=17,
        quantity_text="Around 15 bodies",
        verification_note=UNVERIFIED_FLA + " The statement does not say whose bodies these were.",
    ),
    ClaimSpec(
        ClaimKind.MATERIEL_DESTROYED,
        cited(
            "ap",
            "The FLA also said it had destroyed 21 military vehicles including armored cars and armed pick-up trucks.",
            language="en",
        ),
        claimant=FLA,
        losses_of=LossesOf.UNKNOWN,
        low=21,
        high=21,
        quantity_text="21 military vehicles",
        verification_note=UNVERIFIED_FLA + " The armoured cars and armed pick-up trucks are among the 21, uncounted.",
    ),
    # The spokesman's statement: the convoy, what was taken from it, and the FLA's own dead.
    ClaimSpec(
        ClaimKind.OTHER,
        cited("ap", SPOKESMAN_QUOTE, language="en"),
        key="convoy",
        claimant=FLA,
        speaker=SPOKESMAN,
        losses_of=LossesOf.ACTOR,
        losses_actor=FAMA,
        low=30,
        high=30,
        quantity_text="the 30 vehicles in the convoy",
        verification_note="The size of the convoy, according to the FLA; the vehicles it took are among them.",
    ),
    _captured("12 trucks loaded with cereals", 12),
    _captured("tankers full of diesel", None, "The number of tankers is not given."),
    _captured("one military pickup", 1),
    _captured("one armored vehicles", 1, "Wording as reported (“one armored vehicles”)."),
    ClaimSpec(
        ClaimKind.FATALITIES,
        cited(
            "ap",
            "Mohamed Maouloud Ramadan, spokesman for the Azawad separatists, said in a statement that "
            "acknowledged the death of three of their members.",
            language="en",
        ),
        claimant=FLA,
        speaker=SPOKESMAN,
        losses_of=LossesOf.ACTOR,
        losses_actor=FLA,
        low=3,
        high=3,
        quantity_text="three of their members",
        stance=Stance.ACKNOWLEDGEMENT,
        verification_note="An acknowledgement of the FLA's own losses: a floor for its dead.",
    ),
    # The videos shared by the separatists, as the AP describes them.
    ClaimSpec(
        ClaimKind.MATERIEL_DAMAGED,
        cited(
            "ap",
            "Viral videos shared by the separatists showed military trucks on fire in a large swathe of desert "
            "land amid gunfire as gun-wielding hooded young men posed in front of the trucks.",
            language="en",
        ),
        claimant=FLA,
        losses_of=LossesOf.UNKNOWN,
        quantity_text="military trucks on fire",
        verification_note=(
            "The Associated Press could not independently verify the videos; trucks on fire are not yet "
            "trucks destroyed."
        ),
    ),
    ClaimSpec(
        ClaimKind.FATALITIES,
        cited(
            "ap", "The videos also showed bodies with uniforms that resemble those of the Malian army.", language="en"
        ),
        claimant=FLA,
        losses_of=LossesOf.UNKNOWN,
        quantity_text="bodies with uniforms that resemble those of the Malian army",
        verification_note=(
            "The Associated Press could not independently verify the videos; resembling uniforms do not "
            "establish whose dead these are."
        ),
    ),
    # The army's general staff, as the AP reports its statement.
    ClaimSpec(
        ClaimKind.OCCURRENCE,
        cited(
            "ap",
            "Earlier, the army’s general staff acknowledged in a statement that a logistics convoy had been "
            "ambushed at dawn on Friday.",
            language="en",
        ),
        claimant=FAMA,
        stance=Stance.ACKNOWLEDGEMENT,
        verification=Verification.CORROBORATED,
        verification_note="The army acknowledges the ambush that the FLA claims.",
    ),
    ClaimSpec(
        ClaimKind.OTHER,
        cited("ap", ARMY_OPERATION_QUOTE, language="en"),
        claimant=FAMA,
        quantity_text="offensive operation against an armed terrorist group",
        verification_note="The army's description of the convoy's mission.",
    ),
    ClaimSpec(
        ClaimKind.FATALITIES,
        cited("ap", "It said “10 enemy combatants” had been killed.", language="en"),
        claimant=FAMA,
        losses_of=LossesOf.ACTOR,
        losses_actor=FLA,
        low=10,
        high=10,
        quantity_text="10 enemy combatants",
        verification_note=UNVERIFIED_ARMY + " The army names no group; the FLA is the party that claimed the fight.",
    ),
    # The regional elected official, who spoke to AFP and is kept confidential here.
    ClaimSpec(
        ClaimKind.OCCURRENCE,
        cited("afp", "The fighters this Friday were fierce", language="en"),
        speaker=OFFICIAL,
        verification_note="A local account, independent of both parties.",
    ),
    ClaimSpec(
        ClaimKind.FATALITIES,
        cited("afp", "There were losses on both sides. But we’ll have to wait for definitive figures.", language="en"),
        speaker=OFFICIAL,
        losses_of=LossesOf.MIXED,
        losses_note="both sides",
        quantity_text="losses on both sides",
        verification_note="Unquantified: confirms deaths on both sides without numbers.",
    ),
    # Context from the expert, US officials and diplomatic sources.
    ClaimSpec(
        ClaimKind.OTHER,
        cited(
            "ap",
            "It’s difficult to gather actionable intelligence to protect their convoys, and this gives a "
            "significant advantage to armed and jihadist groups",
            language="en",
        ),
        speaker=EXPERT,
        verification_note=(
            "An analyst's assessment: the clashes show how difficult it is for security forces to operate in "
            "terrain like Kidal's."
        ),
    ),
    ClaimSpec(
        ClaimKind.OTHER,
        cited("ap", "There are around 2,000 mercenaries in Mali, according to US officials.", language="en"),
        low=1800,
        high=2200,
        quantity_text="around 2,000 mercenaries",
        verification_note=(
            "According to US officials, as the AP reports them. It is unclear how many are with Wagner and how "
            "many are part of the Africa Corps."
        ),
    ),
    ClaimSpec(
        ClaimKind.OTHER,
        cited(
            "afp",
            "Africa Corps is the successor to the Russian paramilitary group Wagner, which diplomatic and "
            "security sources confirmed to AFP over the weekend has now left Mali.",
            language="en",
        ),
        verification=Verification.CORROBORATED,
        verification_note=(
            "According to diplomatic and security sources who spoke to AFP. Wagner itself announced days earlier "
            "that it was leaving the country."
        ),
    ),
    ClaimSpec(
        ClaimKind.OTHER,
        cited(
            "ap",
            "The latest attack occurred days after Russia’s mercenary group Wagner – which for more than three "
            "years helped Malian security forces in the fight against armed groups – announced it was leaving "
            "the country.",
            language="en",
        ),
        claimant=WAGNER,
    ),
    ClaimSpec(
        ClaimKind.OTHER,
        cited(
            "ap",
            "The Africa Corps, under the direct command of the Russian defense ministry, said it will remain in Mali.",
            language="en",
        ),
        claimant=AFRICA_CORPS,
    ),
]

INCIDENT = IncidentSpec(
    title=SEED_TITLE,
    key="seed",
    start_date=DAY,
    country="ML",
    sub_event_type="armed-clash",
    time_precision=TimePrecision.DAWN,
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
    translations=(
        (
            "fr",
            "Embuscade contre un convoi logistique de l'armée malienne sur l'axe Anefif–Aguelhok, région de Kidal",
            "À l'aube du vendredi 13 juin 2025, un convoi logistique de l'armée malienne appuyé par l'Africa Corps "
            "russe est tombé dans une embuscade sur l'axe Anefif–Aguelhok, dans la région de Kidal, au nord du "
            "Mali, et des combattants du Front de libération de l'Azawad (FLA), séparatiste, ont affronté "
            "l'escorte du convoi. L'état-major général des armées a reconnu l'embuscade et affirmé que 10 "
            "combattants ennemis avaient été tués. Le FLA dit avoir tué plusieurs dizaines de membres de l'Africa "
            "Corps, détruit 21 véhicules militaires, pris des camions et d'autres véhicules d'un convoi de 30 "
            "véhicules, et reconnaît trois morts dans ses rangs. Une source locale fait état de pertes des deux "
            "côtés. Les vidéos diffusées par les séparatistes n'ont pas pu être vérifiées de manière indépendante.",
        ),
        (
            "ar",
            "كمين لقافلة إمداد تابعة للجيش المالي على طريق أنفيف–أغلهوك، منطقة كيدال",
            "فجر يوم الجمعة 13 يونيو 2025، تعرّضت قافلة إمداد تابعة للجيش المالي يدعمها الفيلق الأفريقي الروسي "
            "لكمين على طريق أنفيف–أغلهوك في منطقة كيدال شمال مالي، واشتبك مقاتلو جبهة تحرير أزواد الانفصالية مع "
            "مرافقي القافلة. أقرّت هيئة الأركان العامة للجيش بالكمين وقالت إن 10 من المقاتلين الأعداء قُتلوا. وقالت "
            "الجبهة إنها قتلت عشرات من عناصر الفيلق الأفريقي، ودمّرت 21 آلية عسكرية، واستولت على شاحنات وآليات "
            "أخرى من قافلة تضم 30 آلية، وأقرّت بمقتل ثلاثة من مقاتليها. وأفاد مصدر محلي بوقوع خسائر في صفوف "
            "الطرفين. ولم يتسنَّ التحقق بشكل مستقل من مقاطع الفيديو التي نشرها الانفصاليون.",
        ),
    ),
    grading=Grading.CONTESTED,
    tags=("ambush", "convoy", "separatists", "russian-forces"),
    status=Status.PUBLISHED,
    internal_notes=(
        "The agency text names only the Kidal region; the Anefif–Aguelhok road comes from other reporting of "
        "the same ambush, and the coordinates are a point on that road. The army's statement gives the time as "
        "dawn, with no clock time. Party figures are wildly apart: keep the grading contested until an "
        "independent count exists."
    ),
    actors=(
        LinkSpec(FAMA, side=Side.A, role=Role.PRIMARY, note="Its logistics convoy was ambushed."),
        LinkSpec(AFRICA_CORPS, side=Side.A, role=Role.SUPPORTING, note="Russian force backing the Malian troops."),
        LinkSpec(FLA, side=Side.B, role=Role.PRIMARY, note="Claimed the attack on the convoy."),
    ),
    sources=(
        ("afp", "Carries the FLA's statement and the account of a regional elected official."),
        ("ap", "Reports both sides' statements, the FLA spokesman's and the army's; could not verify the videos."),
    ),
    claims=tuple(CLAIMS),
)
