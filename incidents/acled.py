"""ACLED's read API over the archive: its columns, its codes and its query parameters.

Scripts written for ACLED's API (the ``acled`` client on PyPI, acledR, hand-written ones) read
``/acled/read`` and ``/deleted/read`` under a host they are given. This module decides what
those answer from the archive's published incidents: each ACLED column made from our fields
(``COLUMNS``, ``acled_rows``), each query parameter translated into a condition on
``Incident.objects.published()`` (``AcledQuery``), and a page found without reading the rows
before it (``page_of``). The view (``incidents.views.acled``) adds throttles and the response's
shape; the methodology page says where our model is richer than this shape.

Query parameters, as ACLED documents them: ``<column>=<value>`` compares with the column's
default operator (LIKE, which matches a part of the text, for text columns; ``=`` for codes,
numbers and dates; ``>=`` for ``timestamp``); ``<column>_where=<op>`` names another one (``=``,
``>``, ``<``, ``>=``, ``<=``, ``BETWEEN`` with ``a|b``, ``LIKE`` with ``%`` and ``_``); ``a|b``
is either value. Text compares regardless of case, as ACLED's database does.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Substr
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IContains,
    IExact,
    IRegex,
    LessThan,
    LessThanOrEqual,
)

from incidents.acled_codes import (
    CIVILIAN_TARGETING,
    CIVILIAN_TARGETING_TAG,
    COUNTRIES,
    DISORDER_BY_EVENT,
    DISORDER_BY_SUB_EVENT,
    GEO_PRECISION_CODES,
    IMPORT_PREFIX,
    INTER_CODES,
    OWN_ID,
    OWN_PREFIX,
    SOURCE_SCALE_NOTE,
    TIME_PRECISION_CODES,
    event_id,
    incident_url,
    like_regex,
    parse_date,
    parse_float,
    parse_int,
    parse_text,
    parse_timestamp,
    unix_seconds,
)
from incidents.facets import data_stamp
from incidents.filters import DEFAULT_ORDERING, order_expressions
from incidents.keyset import SortKey, decode_cursor, encode_cursor, rows_beyond, sort_keys
from incidents.models import (
    Citation,
    Incident,
    IncidentActor,
    IncidentSource,
    Role,
    Side,
    Source,
)

# The columns of ACLED's dyadic file, in its order.
COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
DELETED_COLUMNS = ("event_id_cnty", "deleted_timestamp")

DEFAULT_LIMIT = 5000  # ACLED's
MAX_LIMIT = 5000
MAX_PAGE = 1_000_000
MEMO_SECONDS = 3600  # how long where a page ends is remembered for the next page
MARK_EVERY = 10_000  # rows between the positions of a result set's sort keys remembered for jumps
# Parameters read and ignored: the legacy credentials (the public needs none) and ACLED's terms flag.
IGNORED_PARAMS = frozenset({"key", "email", "terms"})
PAGING_PARAMS = frozenset({"limit", "page", "fields", "export_type", "_format"})
FORMATS = ("json", "csv")


# --- query parameters --------------------------------------------------------------------------


class AcledQueryError(ValueError):
    """A parameter that cannot be answered; the message says which and why."""


OPERATORS = ("=", ">", "<", ">=", "<=", "BETWEEN", "LIKE")


@dataclass(frozen=True)
class Comparison:
    """One column's condition: an operator and its values (two for BETWEEN, any for = and LIKE)."""

    operator: str
    values: tuple[Any, ...]


def compare(lhs: Any, comparison: Comparison, *, text: bool) -> Q:
    """``lhs`` (an expression) compared as ``comparison`` says, as a condition."""
    op, values = comparison.operator, comparison.values
    if op == "LIKE":
        lhs = lhs if text else Cast(lhs, TextField())
        terms = [
            IRegex(lhs, like_regex(value)) if ("%" in value or "_" in value) else IContains(lhs, value)
            for value in values
        ]
    elif op == "=":
        terms = [(IExact if text else Exact)(lhs, value) for value in values]
    elif op == "BETWEEN":
        terms = [GreaterThanOrEqual(lhs, values[0]) & LessThanOrEqual(lhs, values[1])]
    else:
        lookup = {">": GreaterThan, "<": LessThan, ">=": GreaterThanOrEqual, "<=": LessThanOrEqual}[op]
        terms = [lookup(lhs, values[0])]
    condition = Q()
    for term in terms:
        condition |= Q(term)
    return condition


def matches(value: Any, comparison: Comparison, *, text: bool) -> bool:
    """Python's twin of ``compare``, for columns computed from a small table (the countries)."""
    op, values = comparison.operator, comparison.values
    if op == "LIKE":
        subject = str(value)
        return any(
            re.match(like_regex(pattern), subject, re.IGNORECASE | re.DOTALL)
            if ("%" in pattern or "_" in pattern)
            else pattern.casefold() in subject.casefold()
            for pattern in values
        )
    if text:
        value, values = str(value).casefold(), tuple(str(v).casefold() for v in values)
    if op == "=":
        return value in values
    if op == "BETWEEN":
        return values[0] <= value <= values[1]
    return {">": value > values[0], "<": value < values[0], ">=": value >= values[0], "<=": value <= values[0]}[op]


# Condition builders: each takes the parsed comparison and returns a condition on incidents.


def _on(expression: Any, *, text: bool = False) -> Callable[[Comparison], Q]:
    return lambda comparison: compare(expression, comparison, text=text)


def _countries_where(attribute: str, *, text: bool) -> Callable[[Comparison], Q]:
    def condition(comparison: Comparison) -> Q:
        codes = [c.code for c in COUNTRIES.values() if matches(getattr(c, attribute), comparison, text=text)]
        return Q(country__in=codes)

    return condition


def _linked(
    links: Callable[[], QuerySet], expression: Any, *, text: bool = True, outer: str = "incident"
) -> Callable[[Comparison], Q]:
    """Incidents with a linked row (actor link, source) whose ``expression`` compares."""

    def condition(comparison: Comparison) -> Q:
        rows = links().filter(**{outer: OuterRef("pk")}).alias(value=expression)
        return Q(Exists(rows.filter(compare(F("value"), comparison, text=text))))

    return condition


def _actor_links(side: str, roles: tuple[str, ...]) -> Callable[[], QuerySet]:
    return lambda: IncidentActor.objects.filter(side=side, role__in=roles)


_PRIMARY = (Role.PRIMARY,)
_ASSOCIATED = (Role.ASSOCIATED, Role.SUPPORTING)
_INTER_EXPRESSION = Case(
    *(When(actor__kind=kind, then=Value(code)) for kind, code in INTER_CODES.items()),
    default=Value(0),
    output_field=IntegerField(),
)


def _interaction(comparison: Comparison) -> Q:
    """ACLED's two-digit code: the two sides' actor codes, the smaller first; ``N0`` with one side."""
    if comparison.operator != "=":
        raise AcledQueryError("interaction: only = is supported.")
    condition = Q(pk__in=[])
    for code in comparison.values:
        if not 10 <= code <= 88:
            continue
        first, second = divmod(code, 10)

        def primary(side: str, inter: int) -> Q:
            links = IncidentActor.objects.filter(incident=OuterRef("pk"), side=side, role=Role.PRIMARY)
            return Q(Exists(links.alias(code=_INTER_EXPRESSION).filter(code=inter)))

        if second == 0:
            no_b = ~Q(Exists(IncidentActor.objects.filter(incident=OuterRef("pk"), side=Side.B, role=Role.PRIMARY)))
            condition |= primary(Side.A, first) & no_b
        else:
            condition |= (primary(Side.A, first) & primary(Side.B, second)) | (
                primary(Side.A, second) & primary(Side.B, first)
            )
    return condition


def _year(comparison: Comparison) -> Q:
    """The year as a range of ``start_date``, so the date index serves it."""
    if comparison.operator == "LIKE":
        return compare(F("start_date__year"), comparison, text=False)
    first = [datetime.date(max(1, min(9999, v)), 1, 1) for v in comparison.values]
    last = [datetime.date(max(1, min(9999, v)), 12, 31) for v in comparison.values]
    match comparison.operator:
        case "=":
            condition = Q(pk__in=[])
            for start, end in zip(first, last, strict=True):
                condition |= Q(start_date__range=(start, end))
            return condition
        case "BETWEEN":
            return Q(start_date__range=(first[0], last[1]))
        case ">":
            return Q(start_date__gt=last[0])
        case ">=":
            return Q(start_date__gte=first[0])
        case "<":
            return Q(start_date__lt=first[0])
        case _:
            return Q(start_date__lte=last[0])


def _event_id(comparison: Comparison) -> Q:
    if comparison.operator != "=":
        return compare(EVENT_ID_EXPRESSION, comparison, text=True)
    condition = Q(pk__in=[])
    for value in comparison.values:
        own = OWN_ID.fullmatch(value)
        condition |= Q(import_key__in=[IMPORT_PREFIX + value, value]) & ~Q(import_key="")
        if own:
            condition |= Q(pk=int(own.group(1)), import_key="")
    return condition


EVENT_ID_EXPRESSION = Case(
    When(import_key__startswith=IMPORT_PREFIX, then=Substr("import_key", len(IMPORT_PREFIX) + 1)),
    When(~Q(import_key=""), then=F("import_key")),
    default=Concat(Value(OWN_PREFIX), Cast("pk", CharField())),
    output_field=CharField(),
)


def _case(field: str, codes: Mapping[str, Any], default: Any, output: Any) -> Case:
    return Case(
        *(When(**{field: key}, then=Value(code)) for key, code in codes.items()), default=default, output_field=output
    )


_DISORDER = Case(
    *(When(sub_event_type__slug=slug, then=Value(name)) for slug, name in DISORDER_BY_SUB_EVENT.items()),
    *(When(event_type__slug=slug, then=Value(name)) for slug, name in DISORDER_BY_EVENT.items()),
    default=Value(""),
    output_field=CharField(),
)
_SOURCE_NAME = Case(When(source__confidential=True, then=Value("")), default=F("source__outlet"))


def _region(comparison: Comparison) -> Q:
    """A region by ACLED's number, or by its name."""
    numbers = [v for v in comparison.values if str(v).strip().isdigit()]
    if numbers and len(numbers) == len(comparison.values) and comparison.operator != "LIKE":
        parsed = Comparison(comparison.operator, tuple(int(v) for v in numbers))
        return _countries_where("region", text=False)(parsed)
    return _countries_where("region_name", text=True)(comparison)


def _tags(comparison: Comparison) -> Q:
    joined = Func(F("tags"), Value("; "), function="array_to_string", output_field=TextField())
    return compare(joined, comparison, text=True)


@dataclass(frozen=True)
class Column:
    parse: Callable[[str], Any]
    default: str  # ACLED's default operator for the column
    condition: Callable[[Comparison], Q]
    text: bool = False


def _text(expression: Any) -> Column:
    return Column(parse_text, "LIKE", _on(expression, text=True), text=True)


FILTERS: dict[str, Column] = {
    "event_id_cnty": Column(parse_text, "=", _event_id, text=True),  # ACLED: LIKE; an id is looked up whole
    "event_date": Column(parse_date, "=", _on(F("start_date"))),
    "year": Column(parse_int, "=", _year),
    "time_precision": Column(parse_int, "=", _on(_case("date_precision", TIME_PRECISION_CODES, 3, IntegerField()))),
    "disorder_type": _text(_DISORDER),
    "event_type": _text(F("event_type__name")),
    "sub_event_type": _text(F("sub_event_type__name")),
    "actor1": Column(parse_text, "LIKE", _linked(_actor_links(Side.A, _PRIMARY), F("actor__name")), text=True),
    "assoc_actor_1": Column(
        parse_text, "LIKE", _linked(_actor_links(Side.A, _ASSOCIATED), F("actor__name")), text=True
    ),
    "inter1": Column(parse_int, "=", _linked(_actor_links(Side.A, _PRIMARY), _INTER_EXPRESSION, text=False)),
    "actor2": Column(parse_text, "LIKE", _linked(_actor_links(Side.B, _PRIMARY), F("actor__name")), text=True),
    "assoc_actor_2": Column(
        parse_text, "LIKE", _linked(_actor_links(Side.B, _ASSOCIATED), F("actor__name")), text=True
    ),
    "inter2": Column(parse_int, "=", _linked(_actor_links(Side.B, _PRIMARY), _INTER_EXPRESSION, text=False)),
    "interaction": Column(parse_int, "=", _interaction),
    "civilian_targeting": _text(
        Case(
            When(tags__contains=[CIVILIAN_TARGETING_TAG], then=Value(CIVILIAN_TARGETING)),
            default=Value(""),
            output_field=CharField(),
        )
    ),
    "iso": Column(parse_int, "=", _countries_where("iso", text=False)),
    "region": Column(parse_text, "=", _region),
    "country": Column(parse_text, "=", _countries_where("name", text=True), text=True),
    "admin1": _text(F("admin1")),
    "admin2": _text(F("admin2")),
    "admin3": _text(Value("", output_field=CharField())),
    "location": _text(F("location")),
    "latitude": Column(parse_float, "=", _on(F("latitude"))),
    "longitude": Column(parse_float, "=", _on(F("longitude"))),
    "geo_precision": Column(parse_int, "=", _on(_case("geo_precision", GEO_PRECISION_CODES, 3, IntegerField()))),
    "source": Column(
        parse_text,
        "LIKE",
        lambda c: (
            _linked(lambda: IncidentSource.objects.all(), _SOURCE_NAME)(c)
            | _linked(lambda: Citation.objects.all(), _SOURCE_NAME, outer="claim__incident")(c)
        ),
        text=True,
    ),
    "source_scale": Column(
        parse_text,
        "LIKE",
        _linked(
            lambda: IncidentSource.objects.filter(note__startswith=SOURCE_SCALE_NOTE),
            Substr("note", len(SOURCE_SCALE_NOTE) + 1),
        ),
        text=True,
    ),
    "notes": _text(F("summary")),
    "fatalities": Column(parse_int, "=", _on(Coalesce("fatalities_low", 0))),
    "tags": Column(parse_text, "LIKE", _tags, text=True),
    "timestamp": Column(parse_timestamp, ">=", _on(F("updated_at"))),
}


DELETED_FILTERS: dict[str, Column] = {
    "event_id_cnty": FILTERS["event_id_cnty"],
    "deleted_timestamp": Column(parse_timestamp, ">=", _on(F("retracted_at"))),
}


def comparison_of(name: str, column: Column, raw: str, operator: str | None) -> Comparison:
    """The comparison ``name=raw`` (with ``name_where=operator``) asks for; AcledQueryError if invalid."""
    op = (operator or column.default).strip().upper()
    if op == "==":
        op = "="
    if op not in OPERATORS:
        raise AcledQueryError(f"{name}_where: one of {', '.join(OPERATORS)}.")
    if op == "LIKE":
        values = tuple(parse_text(v) for v in raw.split("|"))
        return Comparison(op, values)
    parts = raw.split("|") if op in ("=", "BETWEEN") else [raw]
    if op == "BETWEEN" and len(parts) != 2:
        raise AcledQueryError(f"{name}: BETWEEN takes two values separated by '|'.")
    try:
        values = tuple(column.parse(part) for part in parts)
    except ValueError as invalid:
        raise AcledQueryError(f"{name}: expected {invalid}.") from None
    return Comparison(op, values)


def single(params: Mapping, name: str) -> str | None:
    """The parameter's one value; AcledQueryError if it is given twice."""
    values = params.getlist(name) if hasattr(params, "getlist") else [params[name]] if name in params else []
    if len(values) > 1:
        raise AcledQueryError(f"{name}: given more than once; separate values with '|'.")
    return values[0] if values else None


def conditions(params: Mapping, filters: Mapping[str, Column]) -> Q:
    """The conditions of the query string's column parameters, all of them together."""
    accepted = {*filters, *(f"{name}_where" for name in filters), *PAGING_PARAMS, *IGNORED_PARAMS}
    unknown = sorted(set(params) - accepted)
    if unknown:
        raise AcledQueryError(
            f"Unknown parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
            f"Accepted: the columns ({', '.join(filters)}), each with <column>_where, and "
            f"{', '.join(sorted(PAGING_PARAMS))}."
        )
    condition = Q()
    for name, column in filters.items():
        raw, operator = single(params, name), single(params, f"{name}_where")
        if raw is None:
            if operator is not None:
                raise AcledQueryError(f"{name}_where: needs a value in {name}.")
            continue
        if raw == "":
            continue
        condition &= column.condition(comparison_of(name, column, raw, operator))
    return condition


def positive(params: Mapping, name: str, default: int, maximum: int) -> int:
    raw = single(params, name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise AcledQueryError(f"{name}: a whole number from 1 to {maximum:,}.")
    return int(raw)


def output_format(params: Mapping) -> str:
    """json or csv: ``_format`` (the client's) or ``export_type`` (ACLED's older name for it)."""
    chosen = (single(params, "_format") or "json").lower()
    export_type = (single(params, "export_type") or "").lower()
    if export_type in FORMATS:
        chosen = export_type
    elif export_type not in ("", "dyadic"):
        raise AcledQueryError("export_type: json, csv or dyadic (monadic files are not offered).")
    if chosen not in FORMATS:
        raise AcledQueryError(f"_format: one of {', '.join(FORMATS)}.")
    return chosen


def chosen_fields(params: Mapping, columns: Iterable[str]) -> list[str]:
    columns = list(columns)
    raw = single(params, "fields")
    if not raw:
        return columns
    names = [name.strip() for name in raw.split("|") if name.strip()]
    unknown = [name for name in names if name not in columns]
    if unknown:
        raise AcledQueryError(f"fields: unknown column {', '.join(unknown)}; the columns are {', '.join(columns)}.")
    return list(dict.fromkeys(names))


@dataclass
class AcledQuery:
    """A query string to ACLED's read API, validated: conditions, fields, page and format."""

    condition: Q
    fields: list[str]
    limit: int
    page: int
    format: str
    memo: str = ""

    @classmethod
    def parse(
        cls, params: Mapping, filters: Mapping[str, Column], columns: Iterable[str], *, memo: str = ""
    ) -> AcledQuery:
        """The query; ``memo`` (the kind of rows) remembers where each page ends (``page_of``)."""
        query = cls(
            condition=conditions(params, filters),
            fields=chosen_fields(params, columns),
            limit=positive(params, "limit", DEFAULT_LIMIT, MAX_LIMIT),
            page=positive(params, "page", 1, MAX_PAGE),
            format=output_format(params),
        )
        if memo:
            query.memo = memo_name(memo, params, query.limit)
        return query


# --- pages ---------------------------------------------------------------------------------------


def page_of(
    queryset: QuerySet,
    ordering: list[str],
    limit: int,
    page: int,
    memo: str = "",
    locate: Callable[[int], list | None] | None = None,
) -> list:
    """Page ``page`` of ``limit`` rows of ``queryset`` in ``ordering`` (made total with the id).

    Not an OFFSET over the rows: the page is the range of the sort index just beyond the
    previous page's last row (``incidents.keyset``), so a deep page reads one page of rows as
    the first does. Where that row is: remembered from the previous page when a script pages
    through in order (``memo`` names the query and the published data, so a change to either
    forgets it), else found by ``locate`` (the sort keys of the row at a position) when the
    caller has a faster way, else read from the sort index alone (``_keys_at``).
    """
    ordered = queryset.order_by(*order_expressions(ordering))
    keys = sort_keys(ordered)
    values = None
    skip = limit * (page - 1)
    if skip:
        cursor = cache.get(f"{memo}:{page - 1}") if memo else None
        values = decode_cursor(cursor, keys, queryset) if cursor else None
        if values is None:
            values = locate(skip) if locate else _keys_at(queryset, keys, skip, memo)
            if values is None:
                return []
    rows = list(rows_beyond(queryset, keys, values, limit)[:limit])
    if memo and len(rows) == limit:
        last = [getattr(rows[-1], key.field) for key in keys]
        cache.set(f"{memo}:{page}", encode_cursor(keys, last), MEMO_SECONDS)
    return rows


def _keys_at(queryset: QuerySet, keys: list[SortKey], position: int, memo: str) -> list | None:
    """The sort-key values of row ``position`` (from 1) of ``queryset`` in the order of ``keys``;
    None when there are fewer rows.

    An index-only scan of the keys, numbered as they come, from the nearest position at or
    before ``position`` whose keys are remembered (the start at first). Every ``MARK_EVERY``-th
    row's keys on the way are remembered under ``memo``, so a script that jumps to a page
    anywhere before the deepest one asked so far reads at most ``MARK_EVERY`` keys: only the
    first jump that deep reads them all.
    """
    marks: dict[int, list] = (cache.get(f"{memo}:marks") or {}) if memo else {}
    start = max((mark for mark in marks if mark <= position), default=0)
    if start == position:
        return marks[start]
    count = position - start
    fields = [key.field for key in keys]
    scan = rows_beyond(queryset.select_related(None), keys, marks.get(start), count).values_list(*fields)[:count]
    sql, params = scan.query.sql_with_params()
    # PostgreSQL numbers a subquery's rows in the order the subquery returns them.
    numbered = (
        f"SELECT * FROM (SELECT scan.*, row_number() OVER () AS position__ FROM ({sql}) AS scan) AS numbered "
        "WHERE mod(position__, %s) = 0 OR position__ = %s"
    )
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(numbered, [*params, MARK_EVERY, count])
        found = {start + row[-1]: list(row[:-1]) for row in cursor.fetchall()}
    if memo:
        marks.update((mark, values) for mark, values in found.items() if mark % MARK_EVERY == 0)
        cache.set(f"{memo}:marks", marks, MEMO_SECONDS)
    return found.get(position)


def memo_name(kind: str, params: Mapping, limit: int) -> str:
    """What names a query's pages for ``page_of``: its conditions, its page size and the public data."""
    chosen = sorted(
        (name, value)
        for name in params
        if name not in PAGING_PARAMS | IGNORED_PARAMS
        for value in (params.getlist(name) if hasattr(params, "getlist") else [params[name]])
    )
    digest = hashlib.sha256(repr((chosen, limit, data_stamp())).encode()).hexdigest()[:32]
    return f"acled:{kind}:{digest}"


def incident_page(query: AcledQuery) -> list[Incident]:
    published = Incident.objects.published().filter(query.condition)
    return page_of(
        published.select_related("event_type", "sub_event_type"),
        DEFAULT_ORDERING,
        query.limit,
        query.page,
        query.memo,
        # Every published incident, newest first: where a page starts is known from the day counts.
        locate=None if query.condition else _published_at,
    )


PUBLISHED_DAY_AT = """
SELECT day, %(position)s - before FROM (
    SELECT day, incidents, coalesce(sum(incidents) OVER (
        ORDER BY day DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
    FROM incidents_published_day WHERE incidents > 0
) AS days
WHERE before < %(position)s AND %(position)s <= before + incidents
"""


def _published_at(position: int) -> list | None:
    """The sort keys (start date, id) of the published incident at ``position`` (from 1) in
    ``DEFAULT_ORDERING`` (newest first); None when there are fewer. The day is found from the
    published incidents per day, which the database keeps (a few thousand rows, not a million
    keys), then the incident among that day's few."""
    with connections[Incident.objects.db].cursor() as cursor:
        cursor.execute(PUBLISHED_DAY_AT, {"position": position})
        found = cursor.fetchone()
    if found is None:
        return None
    day, within = found
    on_day = Incident.objects.published().filter(start_date=day).order_by("-id").values_list("id", flat=True)
    pk = next(iter(on_day[within - 1 : within]), None)
    return None if pk is None else [day, pk]


def deleted_page(query: AcledQuery) -> list[Incident]:
    retracted = Incident.objects.retracted().filter(query.condition).only("id", "import_key", "retracted_at")
    return page_of(retracted, ["retracted_at", "id"], query.limit, query.page)


# --- rows ----------------------------------------------------------------------------------------


def _source_name(outlet: str, author: str, title: str, kind: str, confidential: bool) -> str:
    source = Source(outlet=outlet, author=author, title=title, kind=kind, confidential=confidential)
    if confidential:
        return source.public_label
    return outlet or source.label


def _joined(names: Iterable[str]) -> str:
    return "; ".join(dict.fromkeys(name for name in names if name))


def acled_rows(incidents: list[Incident], fields: list[str]) -> list[dict[str, Any]]:
    """Each incident as ACLED's row, with ``fields`` only: three statements for the whole page."""
    ids = [incident.pk for incident in incidents]
    actors: dict[int, dict[tuple[str, bool], list[tuple[str, str]]]] = {pk: {} for pk in ids}
    links = (
        IncidentActor.objects.filter(incident_id__in=ids)
        .order_by("incident_id", "actor__name", "actor_id")
        .values_list("incident_id", "side", "role", "actor__name", "actor__kind")
    )
    for incident_id, side, role, name, kind in links:
        actors[incident_id].setdefault((side, role == Role.PRIMARY), []).append((name, kind))

    sources: dict[int, list[str]] = {pk: [] for pk in ids}
    scales: dict[int, list[str]] = {pk: [] for pk in ids}
    source_fields = ("source__outlet", "source__author", "source__title", "source__kind", "source__confidential")
    direct = IncidentSource.objects.filter(incident_id__in=ids).values_list("incident_id", "note", *source_fields)
    for incident_id, note, *source in direct.order_by("incident_id", "source__outlet", "source_id"):
        sources[incident_id].append(_source_name(*source))
        if note.startswith(SOURCE_SCALE_NOTE):
            scales[incident_id].append(note[len(SOURCE_SCALE_NOTE) :])
    cited = Citation.objects.filter(claim__incident_id__in=ids).values_list("claim__incident_id", *source_fields)
    for incident_id, *source in cited.order_by("claim__incident_id", "source__outlet", "source_id").distinct():
        sources[incident_id].append(_source_name(*source))

    rows = []
    for incident in incidents:
        mine = actors[incident.pk]
        country = COUNTRIES.get(incident.country)

        def names(side: str, primary: bool, mine: dict = mine) -> str:
            return _joined(name for name, _ in mine.get((side, primary), []))

        def inter(side: str, mine: dict = mine) -> int:
            primary = mine.get((side, True), [])
            return INTER_CODES.get(primary[0][1], 0) if primary else 0

        inter1, inter2 = inter(Side.A), inter(Side.B)
        interaction = 10 * min(inter1, inter2) + max(inter1, inter2) if inter1 and inter2 else 10 * (inter1 or inter2)
        summary = incident.summary.strip()
        link = f"Claims, sources and estimates: {incident_url(incident.pk)}"
        row = {
            "event_id_cnty": event_id(incident.import_key, incident.pk),
            "event_date": incident.start_date.isoformat(),
            "year": incident.start_date.year,
            "time_precision": TIME_PRECISION_CODES.get(incident.date_precision, 3),
            "disorder_type": DISORDER_BY_SUB_EVENT.get(incident.sub_event_type.slug)
            or DISORDER_BY_EVENT.get(incident.event_type.slug, ""),
            "event_type": incident.event_type.name,
            "sub_event_type": incident.sub_event_type.name,
            "actor1": names(Side.A, True),
            "assoc_actor_1": names(Side.A, False),
            "inter1": inter1,
            "actor2": names(Side.B, True),
            "assoc_actor_2": names(Side.B, False),
            "inter2": inter2,
            "interaction": interaction,
            "civilian_targeting": CIVILIAN_TARGETING if CIVILIAN_TARGETING_TAG in incident.tags else "",
            "iso": country.iso if country else 0,
            "region": country.region_name if country else "",
            "country": country.name if country else incident.country,
            "admin1": incident.admin1,
            "admin2": incident.admin2,
            "admin3": "",
            "location": incident.location,
            "latitude": incident.latitude,
            "longitude": incident.longitude,
            "geo_precision": GEO_PRECISION_CODES.get(incident.geo_precision, 3),
            "source": _joined(sorted(set(sources[incident.pk]))),
            "source_scale": _joined(scales[incident.pk]),
            "notes": f"{summary} {link}" if summary else link,
            "fatalities": incident.fatalities_low or 0,
            "tags": "; ".join(incident.tags),
            "timestamp": unix_seconds(incident.updated_at),
        }
        rows.append({name: row[name] for name in fields})
    return rows


def deleted_rows(incidents: list[Incident], fields: list[str]) -> list[dict[str, Any]]:
    rows = []
    for incident in incidents:
        row = {
            "event_id_cnty": event_id(incident.import_key, incident.pk),
            "deleted_timestamp": unix_seconds(incident.retracted_at),
        }
        rows.append({name: row[name] for name in fields})
    return rows
