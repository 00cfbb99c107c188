"""ACLED's codes and the archive's equivalents: actor codes, precisions, disorder types, regions
and countries, the identifier an incident has in ACLED's shape, and how a parameter's value is
read (``incidents.acled`` reads them)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import pycountry
from django.conf import settings

from incidents.models import ActorKind, DatePrecision, GeoPrecision

# Our import keys for ACLED rows are "ACLED:<event_id_cnty>"; incidents not imported get "ARC<id>".
IMPORT_PREFIX = "ACLED:"
OWN_PREFIX = "ARC"
OWN_ID = re.compile(rf"{OWN_PREFIX}(\d{{1,18}})", re.IGNORECASE)

# --- codes -------------------------------------------------------------------------------------

INTER_CODES: dict[str, int] = {
    ActorKind.STATE_FORCES: 1,
    ActorKind.REBEL_GROUP: 2,
    ActorKind.POLITICAL_MILITIA: 3,
    ActorKind.IDENTITY_MILITIA: 4,
    ActorKind.RIOTERS: 5,
    ActorKind.PROTESTERS: 6,
    ActorKind.CIVILIANS: 7,
    ActorKind.EXTERNAL_OTHER: 8,
}
# ACLED's time precision: 1 the day, 2 the week, 3 the month (a year is no more precise than that).
TIME_PRECISION_CODES = {DatePrecision.DAY: 1, DatePrecision.WEEK: 2, DatePrecision.MONTH: 3, DatePrecision.YEAR: 3}
# ACLED's geo precision: 1 the place, 2 near it, 3 a wider area only.
GEO_PRECISION_CODES = {
    GeoPrecision.EXACT: 1,
    GeoPrecision.NEAR: 2,
    GeoPrecision.ADMIN2: 3,
    GeoPrecision.ADMIN1: 3,
    GeoPrecision.COUNTRY: 3,
}
# ACLED's disorder types by our event type (sub-event type first, where ACLED codes it apart).
DISORDER_BY_SUB_EVENT = {"excessive-force-against-protesters": "Political violence; Demonstrations"}
DISORDER_BY_EVENT = {
    "battles": "Political violence",
    "explosions-remote-violence": "Political violence",
    "violence-against-civilians": "Political violence",
    "protests": "Demonstrations",
    "riots": "Demonstrations",
    "strategic-developments": "Strategic developments",
}
CIVILIAN_TARGETING_TAG = "civilian-targeting"  # what the import makes of ACLED's civilian_targeting
CIVILIAN_TARGETING = "Civilian targeting"
SOURCE_SCALE_NOTE = "Source scale (ACLED): "  # the import's note on an incident's sources

# ACLED's regions (number, name) and their countries (ISO 3166-1 alpha-2).
REGIONS: dict[int, tuple[str, str]] = {
    1: ("Western Africa", "BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG"),
    2: ("Middle Africa", "CM CF TD CG CD GQ GA ST"),
    3: ("Eastern Africa", "BI KM DJ ER ET KE MU YT RE RW SC SO SS SD TZ UG"),
    4: ("Southern Africa", "AO BW SZ LS MG MW MZ NA ZA ZM ZW"),
    5: ("Northern Africa", "DZ EG LY MA TN EH"),
    7: ("South Asia", "AF BD BT IN MV NP PK LK"),
    9: ("Southeast Asia", "BN KH ID LA MY MM PH SG TH TL VN"),
    11: ("Middle East", "BH IR IQ IL JO KW LB OM PS QA SA SY TR AE YE"),
    12: (
        "Europe",
        "AL AD AT BY BE BA BG HR CY CZ DK EE FO FI FR DE GI GR GG HU IS IE IM IT JE XK LV LI LT LU MT MD MC ME NL "
        "MK NO PL PT RO RU SM RS SK SI ES SJ SE CH UA GB VA AX",
    ),
    13: ("Caucasus and Central Asia", "AM AZ GE KZ KG TJ TM UZ"),
    14: ("Central America", "BZ CR SV GT HN MX NI PA"),
    15: ("South America", "AR BO BR CL CO EC FK GF GY PY PE SR UY VE"),
    16: (
        "Caribbean",
        "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI",
    ),
    17: ("East Asia", "CN HK MO JP KP KR MN TW"),
    18: ("North America", "BM CA GL PM US UM"),
    19: ("Oceania", "AS AU CK FJ PF GU KI MH FM NR NC NZ NU NF MP PW PG PN WS SB TK TO TV VU WF"),
    20: ("Antarctica", "AQ BV GS HM TF"),
}
REGION_OF: dict[str, int] = {code: number for number, (_, codes) in REGIONS.items() for code in codes.split()}


@dataclass(frozen=True)
class Country:
    code: str  # alpha-2, as the archive stores it
    iso: int
    name: str
    region: int | None

    @property
    def region_name(self) -> str:
        return REGIONS[self.region][0] if self.region else ""


def _countries() -> dict[str, Country]:
    found = {}
    for country in pycountry.countries:
        name = getattr(country, "common_name", None) or country.name
        found[country.alpha_2] = Country(country.alpha_2, int(country.numeric), name, REGION_OF.get(country.alpha_2))
    found["XK"] = Country("XK", 0, "Kosovo", REGION_OF["XK"])  # not in ISO 3166 (ACLED codes it 0)
    return found


COUNTRIES = _countries()


def event_id(import_key: str, pk: int) -> str:
    """ACLED's ``event_id_cnty`` of an incident: ACLED's own for an incident imported from ACLED,
    the key of another import as it is, else ``ARC`` and our id."""
    if import_key.startswith(IMPORT_PREFIX):
        return import_key[len(IMPORT_PREFIX) :]
    return import_key or f"{OWN_PREFIX}{pk}"


def incident_url(pk: int) -> str:
    return f"{settings.ARCHIVE_BASE_URL.rstrip('/')}/incidents/{pk}/"


def unix_seconds(moment: datetime.datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


# --- values in a query string ------------------------------------------------------------------


def parse_int(text: str) -> int:
    if not re.fullmatch(r"-?\d{1,18}", text.strip()):
        raise ValueError("a whole number")
    return int(text)


def parse_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError("a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("a number")
    return value


def parse_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError("a date as YYYY-MM-DD") from None


def parse_timestamp(text: str) -> datetime.datetime:
    """Unix seconds, or a date (its midnight in UTC), as ACLED's ``timestamp`` takes."""
    text = text.strip()
    if re.fullmatch(r"\d{1,11}", text):
        return datetime.datetime.fromtimestamp(int(text), tz=datetime.UTC)
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError("Unix seconds or a date as YYYY-MM-DD") from None
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)


def parse_text(text: str) -> str:
    if len(text) > 500:
        raise ValueError("at most 500 characters")
    return text


def like_regex(pattern: str) -> str:
    """SQL LIKE's pattern as an anchored regular expression (``%`` any text, ``_`` one character)."""
    parts = [".*" if char == "%" else "." if char == "_" else re.escape(char) for char in pattern]
    return "^" + "".join(parts) + "$"
