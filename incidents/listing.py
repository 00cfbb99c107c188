"""The API's incident list items, written as JSON by PostgreSQL in the page's own query.

A page of the list is one statement: the filtered, ordered and limited page of incidents,
the names of their actors per side, their approved corrections, and each item as JSON text. Python neither builds
model instances nor dictionaries for it, nor parses a date; the renderer places each
item's text in the response as it came (``orjson.Fragment``).

Each item has the fields of ``IncidentListSerializer`` (or those of them asked for), in its order, written byte for byte
as the API's renderer writes the same values: dates as ``YYYY-MM-DD``, times in UTC ending
in ``Z`` with microseconds only when there are some, coordinates as the shortest decimal
that reads back as the same float (``16.0``, not ``16``). ``tests/test_api.py`` compares
whole pages with what Python writes for the same rows.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.backends.utils import CursorWrapper
from django.db.models import QuerySet

from archive.routers import reading_connection
from incidents.keyset import SortKey, order_sql
from incidents.models import Correction, CorrectionStatus, Incident, IncidentActor, Role, Side
from incidents.serializers import IncidentListSerializer
from incidents.sql import quote_name

_SIDES = {side: f"side_{side.lower()}" for side in Side.values}
# Item fields read from the event type tables (their slugs); the rest are the incident's columns.
_TAXONOMY = ("event_type", "sub_event_type")
_CORRECTIONS = "corrections"
_SIDE_FIELDS = frozenset(_SIDES.values())
# The fields of a list item, in the order an item writes them.
LIST_FIELDS = tuple(IncidentListSerializer.Meta.fields)
_TIMESTAMPS = {"published_at", "updated_at"}
_FLOATS = {"latitude", "longitude"}
_ITEM_KEY = "item"


def _timestamp(column: str) -> str:
    """A timestamptz as the API writes it: UTC, ``Z``, microseconds only when non-zero."""
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"to_char({utc}, CASE WHEN date_trunc('second', {column}) = {column} "
        """THEN 'YYYY-MM-DD"T"HH24:MI:SS"Z"' ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"' END)"""
    )


def _float(column: str) -> str:
    """A float as Python writes it: a whole number keeps its ``.0`` (PostgreSQL drops it)."""
    return (
        f"CASE WHEN {column} = trunc({column}) AND abs({column}) < 1e15 "
        f"THEN ({column}::text || '.0')::json ELSE to_json({column}) END"
    )


def _source(name: str) -> str:
    """Where an item field is read: the slug of its event type table, or the incident's column."""
    if name in _TAXONOMY:
        return f"{quote_name(name)}.slug"
    return f"incident.{quote_name(Incident._meta.get_field(name).column)}"


@functools.cache
def _item_select(fields: tuple[str, ...]) -> str:
    """The SELECT list of an item of ``fields`` (names of ``LIST_FIELDS``, in that order)."""
    selected = []
    for name in fields:
        if name in _SIDES.values():
            value = f"coalesce(sides.{quote_name(name)}, '{{}}')"
        elif name == _CORRECTIONS:
            value = _corrections_select()
        else:
            value = _source(name)
            if name in _TIMESTAMPS:
                value = _timestamp(value)
            elif name in _FLOATS:
                value = _float(value)
        selected.append(f"{value} AS {quote_name(name)}")
    return ", ".join(selected)


@functools.cache
def _corrections_select() -> str:
    """The incident's approved corrections, oldest first, each ``{"date", "reason"}`` written as
    the API writes them (json_agg would put spaces between the items). The list's incidents
    are published, so their approved corrections are the public ones
    (``Correction.objects.public()``). A subquery by the incident's index: most have none."""
    table = quote_name(Correction._meta.db_table)
    date = _timestamp("correction.decided_at")
    shown = f"SELECT {date} AS date, correction.reason"
    return (
        "(SELECT ('[' || coalesce(string_agg(row_to_json(shown)::text, ',' "
        "ORDER BY correction.decided_at, correction.id), '') || ']')::json "
        f"FROM {table} correction CROSS JOIN LATERAL ({shown}) shown "
        f"WHERE correction.incident_id = incident.id AND correction.status = '{CorrectionStatus.APPROVED.value}')"
    )


def _item_joins(fields: tuple[str, ...]) -> str:
    """The incident's event type and sub-event type and its actors per side (the ``sides``
    relation), when ``fields`` show them, joined to ``incident``."""
    joins = []
    for name in _TAXONOMY:
        if name not in fields:
            continue
        field = Incident._meta.get_field(name)
        table, alias = quote_name(field.related_model._meta.db_table), quote_name(name)
        joins.append(f"JOIN {table} {alias} ON {alias}.id = incident.{quote_name(field.column)}")
    if not _SIDE_FIELDS.isdisjoint(fields):
        joins.append("LEFT JOIN sides ON sides.incident_id = incident.id")
    return " ".join(joins)


def _sides_select(ids_sql: str) -> str:
    """Actor names per incident of ``ids_sql`` and side: primary actors first, then by name.
    Each aggregate sorts its own names, whatever plan (parallel or not) groups the links."""
    links = IncidentActor._meta.db_table
    actors = IncidentActor._meta.get_field("actor").related_model._meta.db_table
    roles = "'{" + ",".join(Role.values) + "}'::text[]"
    order = f"array_position({roles}, ia.role::text), a.name"
    per_side = ", ".join(
        f"array_agg(a.name ORDER BY {order}) FILTER (WHERE ia.side = '{side}') AS {quote_name(name)}"
        for side, name in _SIDES.items()
    )
    return (
        f"SELECT ia.incident_id, {per_side} FROM {quote_name(links)} ia "
        f"JOIN {quote_name(actors)} a ON a.id = ia.actor_id "
        f"WHERE ia.incident_id IN ({ids_sql}) GROUP BY ia.incident_id"
    )


def stored_items_sql(ids_sql: str) -> str:
    """A SELECT of ``(id, item)``: the list item of every incident whose id ``ids_sql`` (a
    SELECT of one column) returns, of all ``LIST_FIELDS``, as JSON text, read from the
    editorial tables by their unqualified names. Set-based: for one incident it reads that
    incident by its indexes, for every published one it joins whole tables. The read model
    stores the result (``incident_items``), which ``page_items`` reads."""
    fields = LIST_FIELDS
    return (
        f"WITH sides AS ({_sides_select(ids_sql)}) "
        f"SELECT incident.id, row_to_json(item)::text AS {_ITEM_KEY} "
        f"FROM {quote_name(Incident._meta.db_table)} incident {_item_joins(fields)} "
        f"CROSS JOIN LATERAL (SELECT {_item_select(fields)}) item "
        f"WHERE incident.id IN ({ids_sql})"
    )


# The read model's table of stored items, by its unqualified name: public requests' search
# path finds it in the read model's schema.
STORED_ITEMS = "incident_items"


@functools.cache
def _subset_sql(fields: tuple[str, ...]) -> str:
    """The stored item's text cut down to ``fields`` (in ``LIST_FIELDS`` order): each value's
    text as the item has it (``->`` on ``json`` keeps it byte for byte), so a subset reads
    exactly as the whole item would."""
    if fields == LIST_FIELDS:
        return f"stored.{_ITEM_KEY}"
    parts = []
    for index, name in enumerate(fields):
        key = ("{" if index == 0 else ",") + f'"{name}":'
        parts.append(f"'{key}' || (stored.{_ITEM_KEY}::json -> '{name}')::text")
    return " || ".join([*parts, "'}'"])


# How many incidents are published: the sum of the published incidents per day, which the
# database keeps (migration 0024), a few thousand rows however many incidents.
PUBLISHED_TOTAL_SQL = "SELECT coalesce(sum(incidents), 0) FROM incidents_published_day"


def page_items(
    page: QuerySet | str | None,
    keys: list[SortKey],
    fields: Iterable[str] = LIST_FIELDS,
    *,
    with_total: bool = False,
) -> list[dict[str, Any]]:
    """Run ``page`` (a ``.values()`` queryset of incident ids and sort keys, ordered and
    sliced, or its SQL text with the values in it; None for no rows) as one statement that
    also reads each incident's stored list item.

    Returns a row per incident, in the page's order: its sort-key values, and under
    ``"item"`` its list item as JSON text, of the ``fields`` asked for (names of
    ``LIST_FIELDS``, written in that order); the database writes each item into the read model
    in the transaction that changes it (``incidents.readmodel``). With
    ``with_total``, each row also has under ``"total"`` how many incidents are published
    (the count of an unfiltered list), read in the same statement.
    """
    wanted = set(fields)
    fields = tuple(name for name in LIST_FIELDS if name in wanted)
    if not isinstance(page, str):
        page = page_sql(page)
    if page is None:
        return []
    key_columns = ", ".join(f"page.{quote_name(key.field)}" for key in keys)
    # A statement that starts with SELECT is one that pghistory leaves as it is; any other
    # would carry the request's history context, a text that differs in every request.
    # The page's LIMIT keeps it a subquery of its own: its plan is the ORM's, then a join by
    # the stored items' primary key.
    total = f"({PUBLISHED_TOTAL_SQL}), " if with_total else ""
    statement = (
        f"SELECT {key_columns}, {total}page.id, {_subset_sql(fields)} FROM ({page}) page "
        f"JOIN {STORED_ITEMS} stored ON stored.id = page.id ORDER BY {order_sql(keys, 'page')}"
    )
    names = [key.field for key in keys] + (["total"] if with_total else [])
    with _preparing_cursor() as cursor:
        cursor.execute(statement)
        rows = cursor.fetchall()
    return [dict(zip([*names, _ITEM_KEY], (*row[:-2], row[-1]), strict=True)) for row in rows]


def page_sql(page: QuerySet) -> str | None:
    """The SQL text of ``page`` with its values in it, so that a statement asked again (the
    first page of a list, a popular filter) is the same text, which PostgreSQL keeps planned;
    None when Django proved that no row matches (a cursor past a column's range)."""
    try:
        sql, params = page.query.sql_with_params()
    except EmptyResultSet:
        return None
    return connection.ops.compose_sql(sql, params)


def _preparing_cursor() -> CursorWrapper:
    """A cursor whose statements PostgreSQL prepares once the same text has come
    ``prepare_threshold`` times (see ``archive.db``); planning the page's statement costs more
    than running it. Django's own cursors bind values on the client and never prepare."""
    reading = reading_connection()  # the primary, or the replica the request reads
    reading.ensure_connection()
    cursor = ServerBindingCursor(reading.connection)
    return reading.make_debug_cursor(cursor) if reading.queries_logged else reading.make_cursor(cursor)


def item_json(row: dict[str, Any]) -> str:
    return row[_ITEM_KEY]
