"""The world the demo data is drawn from: real places, real actors and real outlets.

Shared by the hand-shaped sample (``sample``) and the benchmarks' synthetic data at scale
(``bench.synthetic``), so both read like the archive's real subject matter. Coordinates are
approximate town centres (WGS 84); actor kinds follow ACLED's categories.
"""

from __future__ import annotations

from dataclasses import dataclass

from incidents.demo import seed
from incidents.demo.specs import ActorSpec, RelationSpec
from incidents.models import ActorKind, RelationKind, Reliability

COUNTRY_NAMES = {
    "ML": "Mali",
    "BF": "Burkina Faso",
    "NE": "Niger",
    "NG": "Nigeria",
    "SD": "Sudan",
    "CD": "Democratic Republic of the Congo",
    "SO": "Somalia",
}


@dataclass(frozen=True)
class Place:
    admin1: str
    admin2: str
    name: str
    latitude: float
    longitude: float


PLACES: dict[str, list[Place]] = {
    "ML": [
        Place("Mopti", "Mopti", "Sévaré", 14.53, -4.10),
        Place("Mopti", "Bandiagara", "Bandiagara", 14.35, -3.61),
        Place("Mopti", "Bankass", "Bankass", 14.08, -3.52),
        Place("Mopti", "Koro", "Koro", 14.07, -3.08),
        Place("Mopti", "Djenné", "Djenné", 13.91, -4.55),
        Place("Mopti", "Douentza", "Boni", 15.03, -1.97),
        Place("Ségou", "Niono", "Niono", 14.25, -5.99),
        Place("Ségou", "Macina", "Macina", 13.96, -5.36),
        Place("Timbuktu", "Goundam", "Goundam", 16.41, -3.67),
        Place("Timbuktu", "Timbuktu", "Ber", 16.30, -2.85),
        Place("Timbuktu", "Niafunké", "Léré", 15.72, -4.92),
        Place("Gao", "Gao", "Gao", 16.27, -0.04),
        Place("Gao", "Ansongo", "Ansongo", 15.66, 0.50),
        Place("Gao", "Bourem", "Bourem", 16.95, -0.35),
        Place("Ménaka", "Ménaka", "Ménaka", 15.92, 2.40),
        Place("Kidal", "Kidal", "Kidal", 18.44, 1.41),
        Place("Kidal", "Tessalit", "Aguelhok", 19.46, 0.86),
        Place("Kidal", "Tessalit", "Tinzaouatène", 19.96, 2.96),
        Place("Koulikoro", "Kati", "Kati", 12.74, -8.07),
    ],
    "BF": [
        Place("Sahel", "Soum", "Djibo", 14.10, -1.63),
        Place("Sahel", "Seno", "Dori", 14.03, -0.03),
        Place("Sahel", "Oudalan", "Gorom-Gorom", 14.44, -0.23),
        Place("Sahel", "Yagha", "Sebba", 13.44, 0.53),
        Place("Sahel", "Soum", "Arbinda", 14.23, -0.87),
        Place("Centre-Nord", "Sanmatenga", "Kaya", 13.09, -1.08),
        Place("Centre-Nord", "Sanmatenga", "Barsalogho", 13.42, -1.06),
        Place("Centre-Nord", "Bam", "Kongoussi", 13.33, -1.53),
        Place("Est", "Gourma", "Fada N'Gourma", 12.06, 0.36),
        Place("Est", "Komondjari", "Gayéri", 12.65, 0.49),
        Place("Nord", "Yatenga", "Ouahigouya", 13.58, -2.42),
        Place("Nord", "Loroum", "Titao", 13.77, -2.07),
        Place("Boucle du Mouhoun", "Kossi", "Nouna", 12.73, -3.86),
    ],
    "NE": [
        Place("Tillabéri", "Tillabéri", "Tillabéri", 14.21, 1.45),
        Place("Tillabéri", "Ouallam", "Ouallam", 14.32, 2.09),
        Place("Tillabéri", "Téra", "Téra", 14.01, 0.75),
        Place("Tillabéri", "Banibangou", "Banibangou", 15.04, 2.70),
        Place("Tillabéri", "Torodi", "Torodi", 13.12, 1.80),
        Place("Tahoua", "Tillia", "Tillia", 16.13, 4.79),
        Place("Diffa", "Diffa", "Diffa", 13.32, 12.61),
        Place("Diffa", "Bosso", "Bosso", 13.70, 13.31),
    ],
    "NG": [
        Place("Borno", "Maiduguri", "Maiduguri", 11.85, 13.16),
        Place("Borno", "Gwoza", "Gwoza", 11.08, 13.69),
        Place("Borno", "Monguno", "Monguno", 12.67, 13.61),
        Place("Borno", "Konduga", "Konduga", 11.65, 13.42),
        Place("Borno", "Dikwa", "Dikwa", 12.03, 13.92),
        Place("Borno", "Bama", "Bama", 11.52, 13.69),
        Place("Yobe", "Geidam", "Geidam", 12.89, 11.93),
        Place("Zamfara", "Maru", "Maru", 12.33, 6.40),
        Place("Zamfara", "Tsafe", "Tsafe", 11.96, 6.92),
        Place("Kaduna", "Kajuru", "Kajuru", 10.32, 7.69),
        Place("Plateau", "Bokkos", "Bokkos", 9.30, 9.00),
        Place("Benue", "Guma", "Yelwata", 7.85, 8.65),
        Place("Lagos", "Ikeja", "Ikeja", 6.60, 3.35),
        Place("FCT", "Abuja Municipal", "Abuja", 9.06, 7.49),
    ],
    "SD": [
        Place("Khartoum", "Khartoum", "Khartoum", 15.50, 32.56),
        Place("Khartoum", "Omdurman", "Omdurman", 15.64, 32.48),
        Place("Khartoum", "Bahri", "Khartoum North", 15.63, 32.55),
        Place("North Darfur", "El Fasher", "El Fasher", 13.63, 25.35),
        Place("North Darfur", "El Fasher", "Zamzam camp", 13.50, 25.30),
        Place("West Darfur", "El Geneina", "El Geneina", 13.45, 22.45),
        Place("South Darfur", "Nyala", "Nyala", 12.05, 24.88),
        Place("Al Jazirah", "Wad Madani", "Wad Madani", 14.40, 33.52),
        Place("North Kordofan", "Sheikan", "El Obeid", 13.18, 30.22),
        Place("White Nile", "Kosti", "Kosti", 13.16, 32.66),
    ],
    "CD": [
        Place("North Kivu", "Beni", "Beni", 0.49, 29.47),
        Place("North Kivu", "Beni", "Oicha", 0.70, 29.52),
        Place("North Kivu", "Rutshuru", "Rutshuru", -1.18, 29.45),
        Place("North Kivu", "Masisi", "Sake", -1.57, 29.04),
        Place("North Kivu", "Nyiragongo", "Goma", -1.68, 29.23),
        Place("North Kivu", "Lubero", "Lubero", -0.16, 29.24),
        Place("Ituri", "Djugu", "Djugu", 1.92, 30.50),
        Place("Ituri", "Irumu", "Irumu", 1.45, 29.87),
        Place("Ituri", "Mambasa", "Mambasa", 1.36, 29.05),
        Place("South Kivu", "Bukavu", "Bukavu", -2.51, 28.86),
        Place("South Kivu", "Uvira", "Uvira", -3.40, 29.14),
    ],
    "SO": [
        Place("Banadir", "Mogadishu", "Mogadishu", 2.05, 45.32),
        Place("Lower Shabelle", "Afgooye", "Afgooye", 2.14, 45.12),
        Place("Lower Shabelle", "Marka", "Marka", 1.72, 44.77),
        Place("Middle Shabelle", "Jowhar", "Jowhar", 2.78, 45.50),
        Place("Hiraan", "Beledweyne", "Beledweyne", 4.74, 45.20),
        Place("Bay", "Baidoa", "Baidoa", 3.11, 43.65),
        Place("Galgaduud", "El Bur", "El Bur", 4.68, 46.61),
        Place("Lower Juba", "Kismayo", "Kismayo", -0.36, 42.55),
        Place("Gedo", "Bardhere", "Bardhere", 2.34, 42.28),
    ],
}


def _civilians(code: str) -> ActorSpec:
    name = COUNTRY_NAMES[code]
    return ActorSpec(
        slug=f"civilians-{code.lower()}",
        name=f"Civilians ({name})",
        kind=ActorKind.CIVILIANS,
        country=code,
        description=f"Unarmed civilians in {name}, as ACLED records victims who are not party to the fighting.",
    )


def _crowd(code: str, kind: str, noun: str) -> ActorSpec:
    name = COUNTRY_NAMES[code]
    return ActorSpec(
        slug=f"{noun.lower()}-{code.lower()}",
        name=f"{noun} ({name})",
        kind=kind,
        country=code,
        description=f"{noun} in {name} not identified with a named organisation.",
    )


ACTORS: list[ActorSpec] = [
    ActorSpec(
        "jnim",
        "Jama'at Nusrat al-Islam wal-Muslimin",
        ActorKind.REBEL_GROUP,
        "",
        "Al-Qaeda's Sahel coalition, formed in 2017, active in Mali, Burkina Faso and Niger.",
        (
            ("JNIM", "en"),
            ("GSIM", "fr"),
            ("Groupe de soutien à l'islam et aux musulmans", "fr"),
            ("جماعة نصرة الإسلام والمسلمين", "ar"),
        ),
    ),
    ActorSpec(
        "islamic-state-sahel",
        "Islamic State Sahel Province",
        ActorKind.REBEL_GROUP,
        "",
        "The Islamic State's affiliate in the central Sahel, formerly the Islamic State in the Greater Sahara.",
        (
            ("ISSP", "en"),
            ("Islamic State in the Greater Sahara", "en"),
            ("EIGS", "fr"),
            ("État islamique au Grand Sahara", "fr"),
            ("ولاية الساحل", "ar"),
        ),
    ),
    ActorSpec(
        "iswap",
        "Islamic State West Africa Province",
        ActorKind.REBEL_GROUP,
        "",
        "The Islamic State's affiliate around Lake Chad, split from Boko Haram in 2016.",
        (("ISWAP", "en"), ("ولاية غرب أفريقيا", "ar"), ("État islamique en Afrique de l'Ouest", "fr")),
    ),
    ActorSpec(
        "jas-boko-haram",
        "Jama'atu Ahlis Sunna Lidda'awati wal-Jihad",
        ActorKind.REBEL_GROUP,
        "NG",
        "The faction of Boko Haram that did not join the Islamic State West Africa Province.",
        (("Boko Haram", "en"), ("JAS", "en"), ("جماعة أهل السنة للدعوة والجهاد", "ar")),
    ),
    ActorSpec(
        "dan-na-ambassagou",
        "Dan Na Ambassagou",
        ActorKind.IDENTITY_MILITIA,
        "ML",
        "Dogon hunters' militia in central Mali.",
        (("Dan Na Amassagou", "fr"), ("Dozo hunters (Dogon)", "en")),
    ),
    ActorSpec(
        "burkina-armed-forces",
        "Armed Forces of Burkina Faso",
        ActorKind.STATE_FORCES,
        "BF",
        "The national army, gendarmerie and air force of Burkina Faso.",
        (("Forces armées nationales du Burkina Faso", "fr"), ("FANB", "fr"), ("Burkinabe army", "en")),
    ),
    ActorSpec(
        "vdp",
        "Volunteers for the Defence of the Homeland",
        ActorKind.POLITICAL_MILITIA,
        "BF",
        "Civilian auxiliaries armed and trained by the state of Burkina Faso since 2020.",
        (("VDP", "fr"), ("Volontaires pour la défense de la patrie", "fr")),
    ),
    ActorSpec(
        "koglweogo",
        "Koglweogo",
        ActorKind.IDENTITY_MILITIA,
        "BF",
        "Rural self-defence groups in Burkina Faso.",
        (("Koglwéogo", "fr"),),
    ),
    ActorSpec(
        "niger-armed-forces",
        "Armed Forces of Niger",
        ActorKind.STATE_FORCES,
        "NE",
        "The army, gendarmerie and national guard of Niger.",
        (("Forces armées nigériennes", "fr"), ("FAN", "fr"), ("Nigerien army", "en")),
    ),
    ActorSpec(
        "nigerian-army",
        "Nigerian Army",
        ActorKind.STATE_FORCES,
        "NG",
        "The land forces of Nigeria, including Operation Hadin Kai in the north-east.",
        (("NA", "en"), ("Operation Hadin Kai", "en"), ("Rundunar Sojin Najeriya", "ha")),
    ),
    ActorSpec(
        "nigeria-police",
        "Nigeria Police Force",
        ActorKind.STATE_FORCES,
        "NG",
        "Nigeria's federal police.",
        (("NPF", "en"), ("Police Forces of Nigeria", "en")),
    ),
    ActorSpec(
        "cjtf",
        "Civilian Joint Task Force",
        ActorKind.POLITICAL_MILITIA,
        "NG",
        "Vigilantes working alongside the army against Boko Haram in Borno and Yobe.",
        (("CJTF", "en"), ("Yan Gora", "ha")),
    ),
    ActorSpec(
        "zamfara-bandits",
        "Armed bandit groups of north-western Nigeria",
        ActorKind.POLITICAL_MILITIA,
        "NG",
        "Criminal armed groups that raid villages, kidnap for ransom and tax farmers in the north-west.",
        (("Yan bindiga", "ha"), ("Bandits", "en")),
    ),
    ActorSpec(
        "sudanese-armed-forces",
        "Sudanese Armed Forces",
        ActorKind.STATE_FORCES,
        "SD",
        "Sudan's army, at war with the Rapid Support Forces since April 2023.",
        (("SAF", "en"), ("القوات المسلحة السودانية", "ar"), ("Forces armées soudanaises", "fr")),
    ),
    ActorSpec(
        "rapid-support-forces",
        "Rapid Support Forces",
        ActorKind.REBEL_GROUP,
        "SD",
        "Paramilitary force that has fought the Sudanese army since April 2023.",
        (("RSF", "en"), ("قوات الدعم السريع", "ar"), ("Forces de soutien rapide", "fr")),
    ),
    ActorSpec(
        "slm-minawi",
        "Sudan Liberation Movement (Minni Minawi)",
        ActorKind.REBEL_GROUP,
        "SD",
        "Darfuri armed movement led by Minni Minawi; sided with the army from late 2023.",
        (("SLM-MM", "en"), ("حركة تحرير السودان - مناوي", "ar")),
    ),
    ActorSpec(
        "unidentified-armed-group-ng",
        "Unidentified armed group (Nigeria)",
        ActorKind.POLITICAL_MILITIA,
        "NG",
        "Armed men whom the reporting does not identify, as in many attacks in Plateau and Benue.",
        (("Gunmen", "en"), ("Unknown gunmen", "en")),
    ),
    ActorSpec(
        "fdlr",
        "Democratic Forces for the Liberation of Rwanda",
        ActorKind.REBEL_GROUP,
        "CD",
        "Rwandan Hutu rebel group based in the Kivus since the 1990s.",
        (("FDLR", "fr"), ("Forces démocratiques de libération du Rwanda", "fr")),
    ),
    ActorSpec(
        "fardc",
        "Armed Forces of the Democratic Republic of the Congo",
        ActorKind.STATE_FORCES,
        "CD",
        "The national armed forces of the DR Congo.",
        (("FARDC", "fr"), ("Forces armées de la République démocratique du Congo", "fr")),
    ),
    ActorSpec(
        "m23",
        "March 23 Movement",
        ActorKind.REBEL_GROUP,
        "CD",
        "Rebel movement in North and South Kivu, resurgent since 2021, allied to the AFC.",
        (("M23", "fr"), ("Mouvement du 23 mars", "fr"), ("AFC/M23", "fr")),
    ),
    ActorSpec(
        "adf",
        "Allied Democratic Forces",
        ActorKind.REBEL_GROUP,
        "CD",
        "Armed group of Ugandan origin in Beni and Ituri, pledged to the Islamic State.",
        (("ADF", "en"), ("Islamic State Central Africa Province", "en"), ("ISCAP", "en")),
    ),
    ActorSpec(
        "codeco",
        "CODECO",
        ActorKind.IDENTITY_MILITIA,
        "CD",
        "Lendu-dominated armed groups in Djugu, Ituri.",
        (("Coopérative pour le développement du Congo", "fr"), ("URDPC", "fr")),
    ),
    ActorSpec(
        "wazalendo",
        "Wazalendo",
        ActorKind.POLITICAL_MILITIA,
        "CD",
        "Coalition of local armed groups fighting the M23 alongside the army.",
        (("Wazalendo", "sw"), ("Volontaires pour la défense de la patrie (RDC)", "fr")),
    ),
    ActorSpec(
        "rwanda-defence-force",
        "Rwanda Defence Force",
        ActorKind.STATE_FORCES,
        "RW",
        "Rwanda's armed forces; UN experts report their support to the M23.",
        (("RDF", "en"), ("Ingabo z'u Rwanda", "rw")),
    ),
    ActorSpec(
        "monusco",
        "MONUSCO",
        ActorKind.EXTERNAL_OTHER,
        "",
        "The United Nations stabilisation mission in the DR Congo.",
        (
            ("United Nations Organization Stabilization Mission in the DR Congo", "en"),
            ("Mission de l'Organisation des Nations unies pour la stabilisation en RD Congo", "fr"),
        ),
    ),
    ActorSpec(
        "al-shabaab",
        "Al-Shabaab",
        ActorKind.REBEL_GROUP,
        "SO",
        "Al-Qaeda's affiliate in Somalia.",
        (("Harakat al-Shabaab al-Mujahideen", "en"), ("حركة الشباب المجاهدين", "ar"), ("Al-Shabaab", "so")),
    ),
    ActorSpec(
        "somali-national-army",
        "Somali National Army",
        ActorKind.STATE_FORCES,
        "SO",
        "The federal army of Somalia.",
        (("SNA", "en"), ("Ciidamada Xoogga Dalka Soomaaliyeed", "so")),
    ),
    ActorSpec(
        "macawisley",
        "Macawisley",
        ActorKind.IDENTITY_MILITIA,
        "SO",
        "Clan militias that rose against Al-Shabaab in central Somalia in 2022.",
        (("Ma'awisley", "so"),),
    ),
    ActorSpec(
        "african-union-mission-somalia",
        "African Union Support and Stabilisation Mission in Somalia",
        ActorKind.EXTERNAL_OTHER,
        "",
        "The African Union's mission in Somalia (AMISOM until 2022, ATMIS until 2024, then AUSSOM).",
        (("AUSSOM", "en"), ("ATMIS", "en"), ("AMISOM", "en")),
    ),
    ActorSpec(
        "us-africa-command",
        "United States Africa Command",
        ActorKind.STATE_FORCES,
        "US",
        "The US military command responsible for operations in Africa, including air strikes in Somalia.",
        (("AFRICOM", "en"), ("US Africa Command", "en")),
    ),
    ActorSpec(
        "mali-police",
        "Malian National Police",
        ActorKind.STATE_FORCES,
        "ML",
        "Mali's national police.",
        (("Police nationale du Mali", "fr"),),
    ),
    ActorSpec(
        "sudan-police",
        "Sudan Police Force",
        ActorKind.STATE_FORCES,
        "SD",
        "Sudan's police, including its riot police.",
        (("الشرطة السودانية", "ar"),),
    ),
    *(_civilians(code) for code in COUNTRY_NAMES),
    *(_crowd(code, ActorKind.PROTESTERS, "Protesters") for code in COUNTRY_NAMES),
    *(_crowd(code, ActorKind.RIOTERS, "Rioters") for code in COUNTRY_NAMES),
]

RELATIONS: list[RelationSpec] = [
    RelationSpec("m23", RelationKind.SUPPORTED_BY, "rwanda-defence-force", note="Reported by the UN Group of Experts."),
    RelationSpec("wazalendo", RelationKind.ALLIED_WITH, "fardc", note="Fight the M23 alongside the army."),
    RelationSpec("cjtf", RelationKind.ALLIED_WITH, "nigerian-army", note="Vigilantes working with the army."),
    RelationSpec("vdp", RelationKind.PART_OF, "burkina-armed-forces", note="Auxiliaries under army command."),
    RelationSpec("macawisley", RelationKind.ALLIED_WITH, "somali-national-army"),
    RelationSpec(
        "slm-minawi",
        RelationKind.ALLIED_WITH,
        "sudanese-armed-forces",
        note="Declared its support for the army in November 2023.",
    ),
    RelationSpec(
        "islamic-state-sahel",
        RelationKind.PART_OF,
        "iswap",
        note="Presented as a wing of the West Africa Province until the Islamic State made it a province in 2022.",
    ),
    RelationSpec("burkina-armed-forces", RelationKind.SUPPORTED_BY, seed.AFRICA_CORPS),
    RelationSpec("niger-armed-forces", RelationKind.SUPPORTED_BY, seed.AFRICA_CORPS),
]


# Non-state armed actors by area, keyed by (country, admin2) or (country, admin1); the more specific
# key wins, an empty tuple means none operate there, and a missing key means the country's usual groups.
REGIONAL_GROUPS: dict[tuple[str, str], tuple[str, ...]] = {
    ("ML", "Kidal"): (seed.FLA, "jnim"),
    ("ML", "Gao"): ("islamic-state-sahel", "jnim"),
    ("ML", "Ménaka"): ("islamic-state-sahel", "jnim"),
    ("ML", "Timbuktu"): ("jnim",),
    ("ML", "Mopti"): ("jnim", "dan-na-ambassagou"),
    ("ML", "Ségou"): ("jnim",),
    ("ML", "Koulikoro"): ("jnim",),
    ("BF", "Sahel"): ("jnim", "islamic-state-sahel"),
    ("BF", "Centre-Nord"): ("jnim", "koglweogo"),
    ("BF", "Est"): ("jnim",),
    ("BF", "Nord"): ("jnim",),
    ("BF", "Boucle du Mouhoun"): ("jnim",),
    ("NE", "Tillabéri"): ("islamic-state-sahel", "jnim"),
    ("NE", "Tahoua"): ("islamic-state-sahel",),
    ("NE", "Diffa"): ("iswap", "jas-boko-haram"),
    ("NG", "Borno"): ("iswap", "jas-boko-haram"),
    ("NG", "Yobe"): ("iswap", "jas-boko-haram"),
    ("NG", "Zamfara"): ("zamfara-bandits",),
    ("NG", "Kaduna"): ("zamfara-bandits",),
    ("NG", "Plateau"): ("unidentified-armed-group-ng",),
    ("NG", "Benue"): ("unidentified-armed-group-ng",),
    ("NG", "Lagos"): (),
    ("NG", "FCT"): (),
    ("CD", "Beni"): ("adf",),
    ("CD", "Lubero"): ("adf", "wazalendo"),
    ("CD", "Rutshuru"): ("m23", "fdlr"),
    ("CD", "Masisi"): ("m23", "fdlr"),
    ("CD", "Nyiragongo"): ("m23",),
    ("CD", "Ituri"): ("codeco", "adf"),
    ("CD", "South Kivu"): ("m23", "fdlr"),
}

# Towns that no armed group has taken or given back in the period; the sample keeps them out of
# territorial events.
MAJOR_TOWNS = frozenset(
    {"Kati", "Gao", "Sévaré", "Dori", "Kaya", "Fada N'Gourma", "Ouahigouya", "Tillabéri", "Diffa", "Maiduguri"}
    | {"Ikeja", "Abuja", "Mogadishu", "Kismayo", "Baidoa", "Beledweyne"}
)


# Militias that fight alongside the state: never the target of its strikes or arrests in the sample.
PRO_GOVERNMENT = frozenset({"koglweogo", "vdp", "dan-na-ambassagou", "cjtf", "wazalendo", "macawisley"})


def armed_groups_near(country: str, place: Place) -> tuple[str, ...]:
    """The non-state armed actors that operate where ``place`` is."""
    for key in ((country, place.admin2), (country, place.admin1)):
        if key in REGIONAL_GROUPS:
            return REGIONAL_GROUPS[key]
    return THEATRES[country].armed_groups


@dataclass(frozen=True)
class Theatre:
    """Who fights whom in a country, and who reports it."""

    country: str
    state: tuple[str, ...]
    allies: tuple[str, ...]
    armed_groups: tuple[str, ...]
    police: str
    outlets: tuple[tuple[str, str], ...]  # (outlet, language)
    military_voice: str  # the body that issues the government's statements


THEATRES: dict[str, Theatre] = {
    "ML": Theatre(
        "ML",
        (seed.FAMA,),
        (seed.AFRICA_CORPS, seed.WAGNER),
        ("jnim", "islamic-state-sahel", seed.FLA),
        "mali-police",
        (("Studio Tamani", "fr"), ("Journal du Mali", "fr"), ("RFI", "fr"), ("Jeune Afrique", "fr")),
        "General Staff of the Malian Armed Forces",
    ),
    "BF": Theatre(
        "BF",
        ("burkina-armed-forces",),
        ("vdp",),
        ("jnim", "islamic-state-sahel"),
        "burkina-armed-forces",
        (("Lefaso.net", "fr"), ("Burkina24", "fr"), ("RFI", "fr"), ("Jeune Afrique", "fr")),
        "Government of Burkina Faso",
    ),
    "NE": Theatre(
        "NE",
        ("niger-armed-forces",),
        (),
        ("islamic-state-sahel", "jnim", "iswap", "jas-boko-haram"),
        "niger-armed-forces",
        (("ActuNiger", "fr"), ("Aïr Info", "fr"), ("RFI", "fr")),
        "Niger Ministry of Defence",
    ),
    "NG": Theatre(
        "NG",
        ("nigerian-army",),
        ("cjtf",),
        ("iswap", "jas-boko-haram", "zamfara-bandits"),
        "nigeria-police",
        (("Premium Times", "en"), ("Daily Trust", "en"), ("HumAngle", "en"), ("The Punch", "en")),
        "Defence Headquarters, Nigeria",
    ),
    "SD": Theatre(
        "SD",
        ("sudanese-armed-forces",),
        ("slm-minawi",),
        ("rapid-support-forces",),
        "sudan-police",
        (("Sudan Tribune", "en"), ("Radio Dabanga", "en"), ("Al Jazeera", "en"), ("Sudan War Monitor", "en")),
        "Sudanese Armed Forces spokesman",
    ),
    "CD": Theatre(
        "CD",
        ("fardc",),
        ("wazalendo", "monusco"),
        ("m23", "adf", "codeco"),
        "fardc",
        (("Radio Okapi", "fr"), ("Actualite.cd", "fr"), ("7sur7.cd", "fr"), ("Kivu Morning Post", "fr")),
        "FARDC spokesman",
    ),
    "SO": Theatre(
        "SO",
        ("somali-national-army",),
        ("african-union-mission-somalia", "us-africa-command", "macawisley"),
        ("al-shabaab",),
        "somali-national-army",
        (("Garowe Online", "en"), ("Hiiraan Online", "en"), ("VOA Somali", "so"), ("Somali Guardian", "en")),
        "Somali Ministry of Information",
    ),
}

# Outlets any theatre's incidents may cite, with their usual Admiralty grade.
AGENCIES: tuple[tuple[str, str, str], ...] = (
    ("Reuters", "en", Reliability.B),
    ("Agence France-Presse (AFP)", "en", Reliability.B),
    ("The Associated Press (AP)", "en", Reliability.B),
    ("Anadolu Agency", "en", Reliability.C),
    ("Xinhua", "en", Reliability.C),
)
NGOS: tuple[tuple[str, str, str], ...] = (
    ("Human Rights Watch", "en", Reliability.B),
    ("Amnesty International", "en", Reliability.B),
    ("Médecins Sans Frontières", "fr", Reliability.B),
    ("UN OCHA", "en", Reliability.A),
    ("UN Human Rights Office (OHCHR)", "en", Reliability.A),
)
EXPERTS: tuple[tuple[str, str], ...] = (
    ("Crisis Group", "Sahel analyst"),
    ("Clingendael Institute", "Conflict researcher"),
    ("Institute for Security Studies", "Senior researcher"),
    ("Kivu Security Tracker", "Research team"),
    ("Policy Center for the New South", "Sahel expert"),
)
PARTY_CHANNELS: dict[str, str] = {
    "jnim": "Az-Zallaqa Foundation",
    "islamic-state-sahel": "Amaq News Agency",
    "iswap": "Amaq News Agency",
    "adf": "Amaq News Agency",
    "jas-boko-haram": "JAS video message",
    "al-shabaab": "Radio Andalus",
    "rapid-support-forces": "RSF Telegram channel",
    "m23": "AFC/M23 spokesman",
    seed.FLA: "Azawad Liberation Front (FLA)",
    "codeco": "CODECO statement",
    "zamfara-bandits": "Video posted by a bandit leader",
}
SOCIAL: tuple[str, ...] = ("Videos posted on X", "Telegram channel posts", "Facebook posts by residents")
LOCAL_VOICES: tuple[str, ...] = (
    "Local official",
    "Resident",
    "Community leader",
    "Health worker",
    "Humanitarian worker",
    "Security source",
)
