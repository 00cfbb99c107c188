"""The two front ends of the keyset core (``incidents.keyset``): the list page's pages, which
walk both ways (``keyset_page``), and the API's forward-only cursor (``KeysetPagination``).

Both page a queryset in its own order and carry the same cursor. The page ignores a cursor
it cannot read and shows the first page, as a reader following an old link expects; the
API answers it with a 400, as a client must start again.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connections, transaction
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from incidents.keyset import SortKey, decode_cursor, encode_cursor, rows_beyond, sort_keys
from incidents.listing import page_sql
from incidents.sql import planner_row_estimate, set_config

logger = logging.getLogger(__name__)

# --- the list page ---------------------------------------------------------------------------


@dataclass
class Page:
    rows: list[Any]
    next_cursor: str | None
    previous_cursor: str | None
    is_first: bool


def keyset_page(queryset: QuerySet, *, after: str | None = None, before: str | None = None, size: int = 50) -> Page:
    """One page of ``queryset`` in its order: the first, the one after the cursor ``after``,
    or the one before the cursor ``before``."""
    keys = sort_keys(queryset)
    backwards = False
    values = None
    if before:
        values = decode_cursor(before, keys, queryset)
        backwards = values is not None
    elif after:
        values = decode_cursor(after, keys, queryset)

    rows = list(rows_beyond(queryset, keys, values, size + 1, backwards=backwards)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()

    def cursor_of(row: Any) -> str:
        return encode_cursor(keys, [getattr(row, key.field) for key in keys])

    # Walking backwards, a full extra row means there are earlier pages; forwards, later ones.
    has_previous = (more if backwards else values is not None) and bool(rows)
    has_next = (True if backwards else more) and bool(rows)
    return Page(
        rows=rows,
        next_cursor=cursor_of(rows[-1]) if has_next else None,
        previous_cursor=cursor_of(rows[0]) if has_previous else None,
        is_first=not has_previous,
    )


# --- the API ---------------------------------------------------------------------------------

# A list's count is exact up to COUNT_LIMIT rows; beyond it (by the planner's estimate, read
# first, or by counting one row more) the planner's estimate stands in, marked as one. Counting
# has a time budget: a selective filter that no index serves would read the whole table to
# count a few thousand rows, while the page itself stops after its fifty.
COUNT_LIMIT = 10_000
COUNT_TIMEOUT_MS = 200


@dataclass(frozen=True)
class Count:
    value: int
    is_estimate: bool


def count_rows(queryset: QuerySet) -> Count:
    """How many rows ``queryset`` has: exact when that is cheap, else the planner's estimate."""
    try:
        estimate = planner_row_estimate(queryset)
    except EmptyResultSet:  # Django proved that no row matches
        return Count(0, is_estimate=False)
    if estimate > COUNT_LIMIT:
        return Count(estimate, is_estimate=True)
    try:
        with transaction.atomic(using=queryset.db), connections[queryset.db].cursor() as cursor:
            set_config(cursor, "statement_timeout", str(COUNT_TIMEOUT_MS), local=True)
            # SELECT count(*) FROM (SELECT ... LIMIT limit + 1): reads at most limit + 1 rows.
            counted = queryset.order_by()[: COUNT_LIMIT + 1].count()
    except DatabaseError:
        logger.warning("Counting a list exceeded %s ms; answering an estimate.", COUNT_TIMEOUT_MS)
        return Count(max(estimate, COUNT_LIMIT + 1), is_estimate=True)
    if counted > COUNT_LIMIT:
        return Count(max(estimate, COUNT_LIMIT + 1), is_estimate=True)
    return Count(counted, is_estimate=False)


class KeysetPagination(BasePagination):
    """The API's pages: ``cursor`` from the previous page's ``next`` link, and ``page_size``."""

    page_size = 50
    max_page_size = 500
    page_size_query_param = "page_size"
    cursor_query_param = "cursor"
    invalid_cursor_message = "Invalid cursor; start again from the first page."
    keys: list[SortKey]
    # The list's count when the caller knows it already (an unfiltered list: every published
    # incident, which the database keeps counted); otherwise ``count_rows`` counts.
    count: Count | None = None
    # What the list counts: the queryset paged, or (for a shared first page) a function of it.
    counted: QuerySet | None = None
    rows_of: Callable[[], QuerySet] | None = None

    def paginate_queryset(self, queryset: QuerySet, request: Request, view: Any = None) -> list:
        return self.take_page(list(self.page_queryset(queryset, request)))

    def page_queryset(self, queryset: QuerySet, request: Request, *, keys_only: bool = False) -> QuerySet:
        """The page's rows, not yet run: in the queryset's order made total, after the cursor,
        one row more than the page (so ``take_page`` knows whether another page follows).
        With ``keys_only`` each row is a dict of the primary key and the sort keys; ``keys``
        are those sort keys."""
        self.request = request
        self.page_size = self.get_page_size(request)
        self.keys = sort_keys(queryset)
        self.counted = queryset
        self.is_first = not request.query_params.get(self.cursor_query_param)
        if keys_only:
            queryset = queryset.values(*dict.fromkeys([queryset.model._meta.pk.name, *self.fields]))
        values = None
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded:
            values = decode_cursor(encoded, self.keys, queryset)
            if values is None:
                raise ValidationError({self.cursor_query_param: self.invalid_cursor_message})
        return rows_beyond(queryset, self.keys, values, self.page_size + 1)[: self.page_size + 1]

    def shared_first_page(self, rows: Callable[[], QuerySet], request: Request) -> str | None:
        """The first page of ``rows`` (a function of nothing in the request: the same rows for
        everyone, such as every published incident) as ``page_queryset`` would cut it, as SQL
        text (``listing.page_sql``). Building and compiling the queryset cost more than the page's
        statement; the text is kept per page size, for the process."""
        self.request = request
        self.page_size = self.get_page_size(request)
        self.is_first = True
        keys, sql = _first_page_text(rows, self.page_size)
        self.keys = list(keys)
        self.counted, self.rows_of = None, rows  # built only if a count is asked (``count`` unknown)
        return sql

    @property
    def fields(self) -> list[str]:
        return [key.field for key in self.keys]

    def take_page(self, rows: list) -> list:
        """The rows of ``page_queryset`` that make the page; notes the next page's cursor."""
        self.has_next = len(rows) > self.page_size
        rows = rows[: self.page_size]
        self.last_key = [_value(rows[-1], name) for name in self.fields] if rows else None
        return rows

    def get_paginated_response(self, data: list) -> Response:
        # The first page with no other after it holds the whole list: its rows are the count.
        if self.is_first and not self.has_next:
            count = Count(len(data), is_estimate=False)
        else:
            count = self.count if self.count is not None else count_rows(self.counted_rows())
        return Response(
            {
                "count": count.value,
                "count_is_estimate": count.is_estimate,
                "next": self.get_next_link(),
                "results": data,
            }
        )

    def counted_rows(self) -> QuerySet:
        return self.counted if self.counted is not None else self.rows_of()

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, encode_cursor(self.keys, self.last_key))

    def get_page_size(self, request: Request) -> int:
        """The requested page size, capped at ``max_page_size``; anything but a positive integer is an error."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError({self.page_size_query_param: "A positive integer."})
        return min(int(raw), self.max_page_size)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["count", "count_is_estimate", "next", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "minimum": 0,
                    "description": f"How many rows the filters select, on every page: exact up to {COUNT_LIMIT:,}, "
                    "beyond that (or when counting would take too long) the database planner's estimate.",
                },
                "count_is_estimate": {
                    "type": "boolean",
                    "description": "Whether count is an estimate rather than exact.",
                },
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last page.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a previous page's 'next' link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (default {self.page_size}); larger values are capped at "
                f"{self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]


@functools.lru_cache(maxsize=16)
def _first_page_text(rows: Callable[[], QuerySet], size: int) -> tuple[tuple[SortKey, ...], str | None]:
    """The sort keys of ``rows`` and the SQL text of its first page of ``size`` rows (each a
    dict of the primary key and the sort keys), one more row than the page."""
    queryset = rows()
    keys = sort_keys(queryset)
    fields = dict.fromkeys([queryset.model._meta.pk.name, *(key.field for key in keys)])
    page = rows_beyond(queryset.values(*fields), keys, None, size + 1)[: size + 1]
    return tuple(keys), page_sql(page)


def _value(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name)
