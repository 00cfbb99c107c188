"""Keyset ("cursor") pagination for the API.

The cursor holds the sort-key values of the last row served, so the next page is a range
condition that an index answers directly, however deep the client has paged, and rows
inserted meanwhile never shift a page. The sort order is the queryset's own (the
IncidentFilter's ``order``), made total with the primary key. A key ordered with its NULLs
last (unknown fatalities) keeps them last in either direction, as on the pages; any other
sorts them as PostgreSQL does (last ascending, first descending).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from incidents.keyset import SortKey, beyond_known

_BIGINT = 2**63 - 1


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


class KeysetPagination(BasePagination):
    page_size = 50
    max_page_size = 500
    page_size_query_param = "page_size"
    cursor_query_param = "cursor"
    default_ordering: tuple[str, ...] = ("id",)

    # --- the DRF pagination interface ------------------------------------------------------

    def paginate_queryset(self, queryset: QuerySet, request: Request, view: Any = None) -> list:
        return self.take_page(list(self.page_queryset(queryset, request)))

    def page_queryset(self, queryset: QuerySet, request: Request) -> QuerySet:
        """The page's rows, not yet run: in the total order, after the cursor, one row more
        than the page (so ``take_page`` knows whether another page follows)."""
        self.request = request
        self.page_size = self.get_page_size(request)
        self.ordering = self.ordering_for(queryset)
        keys = self.sort_keys()
        order = [key.order_expression() for key in keys]
        queryset = queryset.order_by(*order)
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded:
            values = self._cleaned(queryset.model, self._decode(encoded))
            split = beyond_known(queryset, keys, values, self.page_size + 1)
            queryset = split.order_by(*order) if split is not None else queryset.filter(self._after(values))
        return queryset[: self.page_size + 1]

    def sort_keys(self) -> list[SortKey]:
        return [SortKey.parse(spec, self.nulls_last) for spec in self.ordering]

    def take_page(self, rows: list) -> list:
        """The rows of ``page_queryset`` that make the page; notes the next page's cursor."""
        self.has_next = len(rows) > self.page_size
        rows = rows[: self.page_size]
        self.last_key = [self._value(rows[-1], name.lstrip("-")) for name in self.ordering] if rows else None
        return rows

    def get_paginated_response(self, data: list) -> Response:
        return Response({"next": self.get_next_link(), "results": data})

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self._encode(self.last_key))

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
            "required": ["next", "results"],
            "properties": {
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

    # --- keyset mechanics ------------------------------------------------------------------

    def ordering_for(self, queryset: QuerySet) -> list[str]:
        """The queryset's order made total: its named sort keys, then the primary key. Notes in
        ``nulls_last`` the keys ordered with their NULLs last."""
        ordering, self.nulls_last = [], set()
        for item in queryset.query.order_by:
            if isinstance(item, str):
                ordering.append(item)
            elif isinstance(item, OrderBy) and isinstance(item.expression, F):
                ordering.append(("-" if item.descending else "") + item.expression.name)
                if item.nulls_last:
                    self.nulls_last.add(item.expression.name)
        ordering = ordering or list(self.default_ordering)
        ordering = ["id" if name == "pk" else "-id" if name == "-pk" else name for name in ordering]
        if ordering[-1].lstrip("-") != "id":
            ordering.append("-id" if ordering[-1].startswith("-") else "id")
        return ordering

    @staticmethod
    def _value(row: Any, name: str) -> Any:
        return row[name] if isinstance(row, dict) else getattr(row, name)

    def _encode(self, key: list) -> str:
        payload = json.dumps({"o": self.ordering, "k": [_encode_value(v) for v in key]}, separators=(",", ":"))
        return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")

    def _decode(self, encoded: str) -> list:
        invalid = ValidationError({self.cursor_query_param: "Invalid cursor; start again from the first page."})
        try:
            payload = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
            ordering, key = payload["o"], payload["k"]
        except (binascii.Error, ValueError, TypeError, KeyError):
            raise invalid from None
        if ordering != self.ordering or not isinstance(key, list) or len(key) != len(ordering):
            raise invalid
        return key

    def _cleaned(self, model: type[models.Model], key: list) -> list:
        """The cursor's values as the sort keys' fields read them (400 if they cannot)."""
        names = [name.lstrip("-") for name in self.ordering]
        return [self._clean(model, name, value) for name, value in zip(names, key, strict=True)]

    def _after(self, values: list) -> Q:
        """Rows strictly after the sort-key ``values`` in ``self.ordering``, as one Q."""
        fields = [(name.lstrip("-"), name.startswith("-")) for name in self.ordering]
        condition = Q(pk__in=[])
        equal_so_far = Q()
        for (name, descending), value in zip(fields, values, strict=True):
            condition |= equal_so_far & self._beyond(name, value, descending, name in self.nulls_last)
            equal_so_far &= Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})
        first_name, first_descending = fields[0]
        if values[0] is not None and first_descending and first_name not in self.nulls_last:
            # Redundant with the condition, but lets PostgreSQL start an index scan at the key.
            condition &= Q(**{f"{first_name}__lte": values[0]})
        return condition

    @staticmethod
    def _beyond(name: str, value: Any, descending: bool, nulls_last: bool) -> Q:
        """Strictly after ``value`` on one key. NULLs come last if ``nulls_last``, else NULL is the
        largest value, as in PostgreSQL."""
        if value is None:
            return Q(**{f"{name}__isnull": False}) if descending and not nulls_last else Q(pk__in=[])
        if descending:
            below = Q(**{f"{name}__lt": value})
            return below | Q(**{f"{name}__isnull": True}) if nulls_last else below
        return Q(**{f"{name}__gt": value}) | Q(**{f"{name}__isnull": True})

    def _clean(self, model: type[models.Model], name: str, value: Any) -> Any:
        if value is None:
            return None
        invalid = ValidationError({self.cursor_query_param: "Invalid cursor; start again from the first page."})
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = models.FloatField()  # an annotation such as the search rank
        if isinstance(value, bool | list | dict):
            raise invalid
        try:
            cleaned = field.to_python(value)
        except (DjangoValidationError, ValueError, TypeError):
            raise invalid from None
        if isinstance(cleaned, int) and not -_BIGINT <= cleaned <= _BIGINT:
            raise invalid
        if isinstance(cleaned, datetime.datetime) and cleaned.tzinfo is None:
            raise invalid
        return cleaned
