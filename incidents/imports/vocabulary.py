"""What the imports know before they read a file: vocabularies, mappings and cell parsers.

The bottom of the imports (``incidents.imports``): the set-based engine (``engine``) and the
django-import-export adapter (``resources``) both read these, and this module reads neither.

- ACLED's columns and codes, and where each goes in the archive's flat format;
- the spellings a country goes by, the outlets that say what kind of source they are, and
  the actor names that say what kind of actor they are;
- the cell parsers (django-import-export widgets) with messages an editor can act on, which
  the column spec (``incidents.columns``) names for each imported column;
- the taxonomy and actor names of the archive, looked up once per file.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pycountry
from django.utils.text import slugify
from import_export import widgets

from incidents.models import (
    Actor,
    ActorAlias,
    ActorKind,
    DatePrecision,
    EventType,
    GeoPrecision,
    Person,
    PersonAlias,
    Role,
    Side,
    SourceKind,
    SubEventType,
)
from incidents.search_document import fold
from incidents.spreadsheet import is_blank, restore_neutralised
from incidents.sql import sql_literal

# --- Mapping tables ----------------------------------------------------------------------------

# ACLED's inter1/inter2 codes (numbers in older files, names in newer ones) → our actor kinds.
ACLED_INTER_KINDS: dict[str, str] = {
    "1": ActorKind.STATE_FORCES,
    "2": ActorKind.REBEL_GROUP,
    "3": ActorKind.POLITICAL_MILITIA,
    "4": ActorKind.IDENTITY_MILITIA,
    "5": ActorKind.RIOTERS,
    "6": ActorKind.PROTESTERS,
    "7": ActorKind.CIVILIANS,
    "8": ActorKind.EXTERNAL_OTHER,
    "state forces": ActorKind.STATE_FORCES,
    "rebel group": ActorKind.REBEL_GROUP,
    "political militia": ActorKind.POLITICAL_MILITIA,
    "identity militia": ActorKind.IDENTITY_MILITIA,
    "rioters": ActorKind.RIOTERS,
    "protesters": ActorKind.PROTESTERS,
    "civilians": ActorKind.CIVILIANS,
    "external/other forces": ActorKind.EXTERNAL_OTHER,
}

# ACLED's time_precision: 1 the day is known, 2 the week, 3 only the month.
ACLED_TIME_PRECISION: dict[str, str] = {"1": DatePrecision.DAY, "2": DatePrecision.WEEK, "3": DatePrecision.MONTH}

# ACLED's geo_precision: 1 the place itself, 2 near it or part of it, 3 only the wider district.
ACLED_GEO_PRECISION: dict[str, str] = {"1": GeoPrecision.EXACT, "2": GeoPrecision.NEAR, "3": GeoPrecision.ADMIN2}

# Where each ACLED column goes in the archive's flat format ("" = not kept, with the reason).
ACLED_COLUMNS: dict[str, str] = {
    "event_id_cnty": "import_key",  # as "ACLED:<id>", so re-importing the same event is refused
    "event_date": "start_date",  # and end_date: ACLED events are single days
    "year": "",  # repeats event_date
    "time_precision": "date_precision",  # through ACLED_TIME_PRECISION
    "disorder_type": "",  # follows from the event type
    "event_type": "event_type",
    "sub_event_type": "sub_event_type",
    "actor1": "actor1",
    "assoc_actor_1": "assoc_actor_1",
    "inter1": "actor1_kind",  # through ACLED_INTER_KINDS; also the kind of new associated actors
    "actor2": "actor2",
    "assoc_actor_2": "assoc_actor_2",
    "inter2": "actor2_kind",
    "interaction": "",  # follows from inter1 and inter2
    "civilian_targeting": "tags",  # the tag "civilian-targeting"
    "iso": "country",  # ISO 3166-1 numeric, turned into the alpha-2 code
    "region": "",  # follows from the country
    "country": "country",  # used when iso is missing
    "admin1": "admin1",
    "admin2": "admin2",
    "admin3": "",  # the archive stops at admin2
    "location": "location",
    "latitude": "latitude",
    "longitude": "longitude",
    "geo_precision": "geo_precision",  # through ACLED_GEO_PRECISION
    "source": "source_names",  # "; "-separated outlets → Source rows; also the fatalities claim's source
    "source_scale": "source_note",  # kept as the note on the incident's sources
    "notes": "summary",
    "fatalities": "fatalities_best",  # the estimate (low = best), plus a fatalities claim
    "tags": "tags",
    "timestamp": "",  # ACLED's own edit time
}

ACLED_REQUIRED = ["event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "country", "source"]

# Errors name the ACLED column a value came from: this one, else the one ACLED_COLUMNS maps there.
ACLED_LABELS: dict[str, str] = {
    "import_key": "event_id_cnty",
    "title": "sub_event_type",
    "summary": "notes",
    "start_date": "event_date",
    "end_date": "event_date",
    "date_precision": "time_precision",
    "country": "iso",
    "actor1_kind": "inter1",
    "actor2_kind": "inter2",
    "fatalities_low": "fatalities",
    "fatalities_best": "fatalities",
    "fatalities_high": "fatalities",
    "source_names": "source",
    "source_note": "source_scale",
}

# Country names in common use (ACLED writes most of these) that pycountry spells otherwise. Names
# are matched with case and accents folded, so "Cote d'Ivoire" and "TURKIYE" need no entry.
COUNTRY_NAMES: dict[str, str] = {
    "Brunei": "BN",
    "Burma": "MM",
    "Cape Verde": "CV",
    "Congo-Brazzaville": "CG",
    "Congo-Kinshasa": "CD",
    "Democratic Republic of Congo": "CD",
    "Democratic Republic of the Congo": "CD",
    "DR Congo": "CD",
    "DRC": "CD",
    "East Timor": "TL",
    "Great Britain": "GB",
    "Ivory Coast": "CI",
    "Macedonia": "MK",
    "Micronesia": "FM",
    "Palestine": "PS",
    "Republic of Congo": "CG",
    "Republic of the Congo": "CG",
    "Russia": "RU",
    "Swaziland": "SZ",
    "The Gambia": "GM",
    "Turkey": "TR",
    "UK": "GB",
    "Vatican": "VA",
    "Vatican City": "VA",
}

# Outlet names that say what kind of source they are; any other outlet is imported as "other".
SOURCE_KINDS_BY_OUTLET: dict[str, str] = {
    "local source": SourceKind.LOCAL_SOURCE,
    "local sources": SourceKind.LOCAL_SOURCE,
    "twitter": SourceKind.SOCIAL_MEDIA,
    "x": SourceKind.SOCIAL_MEDIA,
    "facebook": SourceKind.SOCIAL_MEDIA,
    "telegram": SourceKind.SOCIAL_MEDIA,
    "youtube": SourceKind.SOCIAL_MEDIA,
    "afp": SourceKind.NEWS_AGENCY,
    "agence france presse": SourceKind.NEWS_AGENCY,
    "associated press": SourceKind.NEWS_AGENCY,
    "ap": SourceKind.NEWS_AGENCY,
    "reuters": SourceKind.NEWS_AGENCY,
    "xinhua": SourceKind.NEWS_AGENCY,
    "anadolu agency": SourceKind.NEWS_AGENCY,
    "ria novosti": SourceKind.NEWS_AGENCY,
    "tass": SourceKind.NEWS_AGENCY,
}

# A new outlet whose spelling key (incidents.imports.matching.spelling_sql: folded, punctuation as
# spaces) has one of these words or phrases gets the kind; the first that matches wins. What an
# outlet's name does not say, ACLED's ``source_scale`` of the rows naming it does (SOURCE_SCALE_KINDS).
SOURCE_KINDS_BY_WORDS: list[tuple[tuple[str, ...], str]] = [
    (
        ("twitter", "facebook", "telegram", "youtube", "tiktok", "whatsapp", "instagram", "x com"),
        SourceKind.SOCIAL_MEDIA,
    ),
    (("local source", "local sources", "local partner", "local partners"), SourceKind.LOCAL_SOURCE),
    (("news agency", "press agency", "agence de presse", "agencia"), SourceKind.NEWS_AGENCY),
    (
        ("ministry", "ministere", "government", "gouvernement", "presidency", "presidence", "armed forces",
         "forces armees", "general staff", "etat major", "police", "gendarmerie"),
        SourceKind.GOVERNMENT_STATEMENT,
    ),
    (
        ("human rights watch", "amnesty", "ocha", "unhcr", "msf", "medecins sans frontieres", "icrc",
         "crisis group", "acaps", "ngo"),
        SourceKind.NGO_REPORT,
    ),
]  # fmt: skip

# ACLED's source_scale, split at "-" ("National-International"): an outlet every row of which gives
# only "New media" is social media, only "Local partner" a local source; one that a row gives a
# media scale for (local, subnational, national, regional, international) is a news outlet; any
# other stays "other". Reliability is not guessed: a new source is F until an editor grades it.
SOURCE_SCALE_KINDS: dict[str, str] = {"new media": SourceKind.SOCIAL_MEDIA, "local partner": SourceKind.LOCAL_SOURCE}
SOURCE_SCALES_OF_OUTLETS = ("local", "subnational", "national", "regional", "international")


def source_kind_sql(name: str, key: str, scales: str) -> str:
    """SQL for a new outlet's kind: from its ``name`` (SOURCE_KINDS_BY_OUTLET, lower-cased), its
    spelling ``key`` (SOURCE_KINDS_BY_WORDS), else the ``scales`` (text[]) of ACLED's rows."""
    whens = [
        f"WHEN lower({name}) = {sql_literal(outlet)} THEN {sql_literal(str(kind))}"
        for outlet, kind in SOURCE_KINDS_BY_OUTLET.items()
    ]
    for words, kind in SOURCE_KINDS_BY_WORDS:
        pattern = " (" + "|".join(words) + ") "
        whens.append(f"WHEN ' ' || {key} || ' ' ~ {sql_literal(pattern)} THEN {sql_literal(str(kind))}")
    for scale, kind in SOURCE_SCALE_KINDS.items():
        whens.append(
            f"WHEN cardinality({scales}) > 0 AND {scales} <@ ARRAY[{sql_literal(scale)}] THEN {sql_literal(str(kind))}"
        )
    media = ", ".join(sql_literal(scale) for scale in SOURCE_SCALES_OF_OUTLETS)
    whens.append(f"WHEN {scales} && ARRAY[{media}] THEN {sql_literal(str(SourceKind.NEWS_OUTLET))}")
    return f"CASE {' '.join(whens)} ELSE {sql_literal(str(SourceKind.OTHER))} END"


# ACLED codes 0 both where reports say nobody died and where they give no figure. A 0 is an
# explicit zero (a claim of 0) only where the notes say so in words like these (PostgreSQL regular
# expression, case-insensitive); otherwise it reports no figure: no claim, no estimate.
ACLED_EXPLICIT_ZERO = (
    r"\m(no (reported |known )?(injuries or )?(casualties|fatalities|deaths)"
    r"|no one (was |were )?(killed|died|hurt|injured)|nobody (was |were )?(killed|died|hurt|injured)"
    r"|without (any )?(casualties|fatalities)|no lives? (was |were )?lost|(zero|no) (people|persons) (were )?killed)\M"
)

# How the preview says what each case of ACLED's ``fatalities`` becomes (the methodology page says the same).
ACLED_FIGURE_WORDING: dict[str, str] = {
    "figure": "ACLED's fatalities above 0 becomes a fatalities claim of that number made by ACLED (its coding "
    "of the reports, cited to ACLED as a source of its own, naming the outlets it coded from); the incident's "
    "estimate is proposed from the claims, not set as an editors' override.",
    "explicit_zero": "ACLED's 0, where the notes say nobody was killed, becomes a fatalities claim of 0 "
    "attributed to ACLED.",
    "no_figure": "ACLED's 0 where the notes report no figure, or no figure at all, becomes no claim and no "
    "estimate: a 0 that reports nothing is not an explicit zero.",
}

# New actors named like this get the kind whatever side they are on (ACLED's naming convention).
ACTOR_KINDS_BY_NAME_PREFIX: dict[str, str] = {
    "civilians": ActorKind.CIVILIANS,
    "protesters": ActorKind.PROTESTERS,
    "rioters": ActorKind.RIOTERS,
    "military forces of": ActorKind.STATE_FORCES,
    "police forces of": ActorKind.STATE_FORCES,
}

ACTOR_COLUMNS: list[tuple[str, str, str, str]] = [
    # (column, its kind column, side, role)
    ("actor1", "actor1_kind", Side.A, Role.PRIMARY),
    ("assoc_actor_1", "actor1_kind", Side.A, Role.ASSOCIATED),
    ("supporting_actor_1", "actor1_kind", Side.A, Role.SUPPORTING),
    ("actor2", "actor2_kind", Side.B, Role.PRIMARY),
    ("assoc_actor_2", "actor2_kind", Side.B, Role.ASSOCIATED),
    ("supporting_actor_2", "actor2_kind", Side.B, Role.SUPPORTING),
]
LIST_SEPARATOR = ";"

# --- Cell parsers: widgets with messages an editor can act on -----------------------------------


class Text(widgets.Widget):
    def __init__(self, max_length: int | None = None, required: bool = False) -> None:
        super().__init__()
        self.max_length, self.required = max_length, required

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> str:
        if is_blank(value):
            if self.required:
                raise ValueError("is required")
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = restore_neutralised(str(value).strip())
        if self.max_length and len(text) > self.max_length:
            raise ValueError(f"is {len(text)} characters long; at most {self.max_length} are allowed")
        return text

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)


class Date(widgets.DateWidget):
    # Only unambiguous spellings: 03/04/2025 could be March or April.
    FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y", "%Y/%m/%d")

    def __init__(self, required: bool = False) -> None:
        super().__init__(format="%Y-%m-%d")
        self.required = required

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> datetime.date | None:
        if is_blank(value):
            if self.required:
                raise ValueError("is required")
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        if " " in text and ":" in text:  # "2025-06-13 00:00:00" from a spreadsheet
            text = text.split(" ", 1)[0]
        if len(text) == 10 and text[4] == "-":
            try:
                return datetime.date.fromisoformat(text)
            except ValueError:
                pass
        for fmt in self.FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(f"'{text}' is not a date; write it as YYYY-MM-DD (e.g. 2025-06-13)")


class Time(widgets.TimeWidget):
    def __init__(self) -> None:
        super().__init__(format="%H:%M")

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> datetime.time | None:
        if is_blank(value):
            return None
        if isinstance(value, datetime.time):
            return value
        text = str(value).strip()
        for fmt in ("%H:%M", "%H:%M:%S"):
            try:
                return datetime.datetime.strptime(text, fmt).time()
            except ValueError:
                continue
        raise ValueError(f"'{text}' is not a time of day; write it as HH:MM (e.g. 05:30)")


class Count(widgets.IntegerWidget):
    """A whole number ≥ 0; spreadsheets hand over 12 as 12.0."""

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> int | None:
        if is_blank(value):
            return None
        if isinstance(value, bool):
            raise ValueError(f"'{value}' is not a whole number")
        if isinstance(value, int):
            number = value
        else:
            try:
                as_float = float(str(value).strip())
            except ValueError:
                raise ValueError(f"'{value}' is not a whole number") from None
            if not as_float.is_integer():
                raise ValueError(f"'{value}' is not a whole number")
            number = int(as_float)
        if number < 0:
            raise ValueError(f"{number} is negative; counts start at 0")
        return number


class Coordinate(widgets.FloatWidget):
    def __init__(self, limit: float) -> None:
        super().__init__()
        self.limit = limit

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> float | None:
        if is_blank(value):
            return None
        try:
            number = float(str(value).strip()) if not isinstance(value, int | float) else float(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a number in decimal degrees") from None
        if not -self.limit <= number <= self.limit:
            raise ValueError(f"{number} is outside -{self.limit:g} to {self.limit:g}")
        return number


class Choice(widgets.Widget):
    """One of a model's choices, given as its value or its label, in any letter case."""

    def __init__(
        self,
        choices: Iterable[tuple[str, str]],
        default: str | None = None,
        extra: dict | None = None,
        required: bool = False,
    ) -> None:
        super().__init__()
        self.required = required
        self.values = {}
        for value, label in choices:
            if value:
                self.values[value.lower()] = value
                self.values[str(label).lower()] = value
        self.values.update({key.lower(): value for key, value in (extra or {}).items()})
        self.allowed = ", ".join(value for value, _ in choices if value)
        self.default = default

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> str | None:
        if is_blank(value):
            if self.required:
                raise ValueError(f"is required (one of: {self.allowed})")
            return self.default
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        try:
            return self.values[text.lower()]
        except KeyError:
            raise ValueError(f"'{text}' is not one of: {self.allowed}") from None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value or ""


NOT_A_COUNTRY = "is not a country; use an ISO 3166-1 code such as ML, or the country's English name"


class Country(widgets.Widget):
    """An ISO 3166-1 alpha-2 code; alpha-3 codes, numeric codes and English names are converted."""

    required = True

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> str:
        if is_blank(value):
            raise ValueError("is required (an ISO 3166-1 code such as ML)")
        code = country_code(value)
        if code is None:
            raise ValueError(f"'{value}' {NOT_A_COUNTRY}")
        return code

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value or ""


@functools.cache
def country_codes() -> dict[str, str]:
    """Every spelling the imports take for a country, folded (incidents.search.fold), → its alpha-2 code.

    The codes and the names pycountry knows (short, official and common), then COUNTRY_NAMES.
    """
    codes: dict[str, str] = {}
    for country in pycountry.countries:
        spellings = [
            country.alpha_2,
            country.alpha_3,
            country.numeric,
            str(int(country.numeric)),
            country.name,
            getattr(country, "official_name", None),
            getattr(country, "common_name", None),
        ]
        for spelling in spellings:
            if spelling:
                codes.setdefault(fold(spelling), country.alpha_2)
    for name, code in COUNTRY_NAMES.items():
        codes.setdefault(fold(name), code)
    return codes


def country_code(value: Any) -> str | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return country_codes().get(fold(str(value).strip()))


class Tags(widgets.Widget):
    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> list[str]:
        if is_blank(value):
            return []
        tags = []
        for part in re.split(r"[;,]", str(value)):
            tag = slugify(part)[:50].strip("-")
            if tag and tag not in tags:
                tags.append(tag)
        return tags

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return ",".join(value or [])


class ActorKindChoice(Choice):
    """An actor kind, or ACLED's inter code; of a '; '-separated list (as exported), the first."""

    def clean(self, value: Any, row: dict | None = None, **kwargs: Any) -> str | None:
        if isinstance(value, str) and LIST_SEPARATOR in value:
            value = value.split(LIST_SEPARATOR, 1)[0]
        return super().clean(value, row, **kwargs)


ACTOR_KIND = ActorKindChoice(ActorKind.choices, extra=ACLED_INTER_KINDS)


# --- What a file needs from the database, looked up once ---------------------------------------


@dataclass
class Lookups:
    """Names in a file resolved to ids, built once per import before the rows are read."""

    event_types: dict[str, int] = field(default_factory=dict)  # folded name or slug → id
    sub_event_types: dict[tuple[int, str], int] = field(default_factory=dict)  # (type id, folded name/slug) → id
    actors: dict[str, int] = field(default_factory=dict)  # folded name or alias → id
    people: dict[str, int] = field(default_factory=dict)  # folded name or other spelling → id

    @classmethod
    def load_taxonomy(cls) -> Lookups:
        lookups = cls()
        for type_id, name, slug in EventType.objects.values_list("id", "name", "slug"):
            lookups.event_types[fold(name)] = type_id
            lookups.event_types[fold(slug)] = type_id
        for sub_id, type_id, name, slug in SubEventType.objects.values_list("id", "event_type_id", "name", "slug"):
            for key in {fold(name), fold(slug)}:
                lookups.sub_event_types[(type_id, key)] = sub_id
        return lookups

    def load_actors(self, names: set[str]) -> None:
        """Map every name in ``names`` that is an actor's name or alias (folded) to the actor."""
        wanted = {fold(name) for name in names}
        if not wanted:
            return
        # Actors are few next to incidents; reading their names once beats a query per row.
        for actor_id, name in Actor.objects.values_list("id", "name"):
            key = fold(name)
            if key in wanted:
                self.actors.setdefault(key, actor_id)
        for actor_id, name in ActorAlias.objects.values_list("actor_id", "name"):
            key = fold(name)
            if key in wanted:
                self.actors.setdefault(key, actor_id)

    def load_people(self, names: set[str]) -> None:
        """Map every name in ``names`` that is a person's name or other spelling (folded) to the person."""
        wanted = {fold(name) for name in names}
        if not wanted:
            return
        for person_id, name in Person.objects.values_list("id", "name"):
            key = fold(name)
            if key in wanted:
                self.people.setdefault(key, person_id)
        for person_id, name in PersonAlias.objects.values_list("person_id", "name"):
            key = fold(name)
            if key in wanted:
                self.people.setdefault(key, person_id)
