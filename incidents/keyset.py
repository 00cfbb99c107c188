"""Keyset pagination: every page costs the same, however deep, because a page starts where the
previous one ended (``WHERE (date, id) < (last date, last id)``) instead of skipping rows with
``OFFSET``. This is the core; the list page and the API are its front ends
(``incidents.pagination``).

The sort keys are a queryset's own ORDER BY, made total with the primary key. A key whose
column may be unknown (NULL) sorts its NULLs last whichever way it is ordered, which is
what a reader expects from "most fatalities first" and from "fewest fatalities first"; the
ORDER BY of the queryset only gives the keys' fields and directions.

A cursor holds the sort-key values of one row and the ordering they belong to, signed, so
that a hand-made cursor cannot smuggle arbitrary values into a query, and opaque in the
URL. A cursor that was not made here, or for another ordering, is refused.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.db.models.fields.tuple_lookups import TupleGreaterThan, TupleLessThan

from incidents.sql import quote_name

_SIGNER = signing.Signer(salt="incidents.keyset")


@dataclass(frozen=True)
class SortKey:
    """One column of an ordering; ``nullable`` columns sort their NULLs last either way."""

    field: str
    descending: bool
    nullable: bool = False

    @classmethod
    def parse(cls, spec: str, model: type[models.Model]) -> SortKey:
        """The key for ``spec`` (a field name, ``-`` for descending) of ``model``'s rows."""
        field = spec.lstrip("-")
        if field == "pk":
            field = model._meta.pk.name
        return cls(field=field, descending=spec.startswith("-"), nullable=_may_be_null(model, field))

    @property
    def spec(self) -> str:
        return f"-{self.field}" if self.descending else self.field

    def order_expression(self, reverse: bool = False) -> OrderBy:
        descending = self.descending != reverse
        expression = F(self.field)
        if not self.nullable:
            return expression.desc() if descending else expression.asc()
        # NULLs stay at the end of the forward order, so at the start of the reversed one.
        nulls = {"nulls_first": True} if reverse else {"nulls_last": True}
        return expression.desc(**nulls) if descending else expression.asc(**nulls)


def _may_be_null(model: type[models.Model], name: str) -> bool:
    try:
        return model._meta.get_field(name).null
    except FieldDoesNotExist:  # an annotation, such as the search rank, which is never NULL
        return False


def sort_keys(queryset: QuerySet) -> list[SortKey]:
    """The keys ``queryset`` is ordered by, made total with the primary key (by it alone when
    the queryset is not ordered)."""
    specs = []
    for item in queryset.query.order_by:
        if isinstance(item, str):
            specs.append(item)
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            specs.append(("-" if item.descending else "") + item.expression.name)
        else:
            raise ValueError(f"Keyset pages follow fields, not {item!r}.")
    model = queryset.model
    keys = [SortKey.parse(spec, model) for spec in specs] or [SortKey.parse("pk", model)]
    if keys[-1].field != model._meta.pk.name:
        keys.append(SortKey(model._meta.pk.name, descending=keys[-1].descending))
    return keys


def encode_cursor(keys: Sequence[SortKey], values: Sequence[Any]) -> str:
    """The cursor of a row whose sort-key values are ``values``."""
    plain = [value.isoformat() if isinstance(value, datetime.date) else value for value in values]
    return _SIGNER.sign_object({"o": [key.spec for key in keys], "k": plain}, compress=True)


def decode_cursor(cursor: str, keys: Sequence[SortKey], queryset: QuerySet) -> list[Any] | None:
    """The sort-key values in ``cursor``, as ``queryset``'s fields read them; None unless the
    cursor was made by ``encode_cursor`` for these keys."""
    try:
        payload = _SIGNER.unsign_object(cursor)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(payload, dict) or payload.get("o") != [key.spec for key in keys]:
        return None
    values = payload.get("k")
    if not isinstance(values, list) or len(values) != len(keys):
        return None
    try:
        return [
            None if value is None else _field(queryset, key.field).to_python(value)
            for key, value in zip(keys, values, strict=True)
        ]
    except (ValidationError, ValueError, TypeError):
        return None


def _field(queryset: QuerySet, name: str) -> models.Field:
    annotation = queryset.query.annotations.get(name)
    return annotation.output_field if annotation is not None else queryset.model._meta.get_field(name)


def _beyond(keys: Sequence[SortKey], values: Sequence[Any], backwards: bool) -> Q:
    """Rows strictly after ``values`` in the order (or strictly before it when ``backwards``)."""
    condition = Q(pk__in=[])  # false; grows one "equal so far, then beyond" term per key
    equal_so_far = Q()
    for key, value in zip(keys, values, strict=True):
        later = "lt" if key.descending != backwards else "gt"
        if value is None:
            # NULLs come last: after a NULL only NULLs remain; before one, every non-NULL.
            beyond = Q(**{f"{key.field}__isnull": False}) if backwards else Q(pk__in=[])
            same = Q(**{f"{key.field}__isnull": True})
        else:
            beyond = Q(**{f"{key.field}__{later}": value})
            if key.nullable and not backwards:
                beyond |= Q(**{f"{key.field}__isnull": True})
            same = Q(**{key.field: value})
        condition |= equal_so_far & beyond
        equal_so_far &= same
    return condition


def _start_at(queryset: QuerySet, keys: Sequence[SortKey], values: Sequence[Any], backwards: bool) -> Q:
    """The first key's bound: implied by ``_beyond``, but unlike its OR it is a range an index
    can start from, so a page deep in the results costs what the first page costs."""
    first, value = keys[0], values[0]
    if first.nullable or value is None or first.field in queryset.query.annotations:
        return Q()
    lookup = "lte" if first.descending != backwards else "gte"
    return Q(**{f"{first.field}__{lookup}": value})


def beyond_known(
    queryset: QuerySet, keys: Sequence[SortKey], values: Sequence[Any], size: int, backwards: bool = False
) -> QuerySet | None:
    """Rows beyond a cursor whose first key is known, when that key sorts its unknown values
    (NULLs) last: ``queryset`` (ordered) cut to those rows, to be ordered and sliced again.

    Forwards, the rows with a value beyond the cursor's, then those without one; backwards,
    only the former, since no unknown value comes before a known one. Each part is one range
    of the key's index (a row comparison, then ``IS NULL``) that a page reads from where it
    starts. The single condition of ``_beyond``, an OR, is read from the start of the index, so
    its cost would grow with the depth of the page (docs/performance.md, rows 4c and 4d).
    None when the cursor is not of that kind, or the keys are not all in one direction.
    """
    first = keys[0]
    if not first.nullable or values[0] is None or len({key.descending for key in keys}) != 1:
        return None
    lookup = TupleLessThan if first.descending != backwards else TupleGreaterThan
    columns = tuple(F(key.field) for key in keys)
    known = queryset.filter(**{f"{first.field}__isnull": False}).filter(lookup(columns, tuple(values)))
    if backwards:
        return known
    unknown = queryset.filter(**{f"{first.field}__isnull": True})
    return known[:size].union(unknown[:size], all=True)


def rows_beyond(
    queryset: QuerySet, keys: Sequence[SortKey], values: Sequence[Any] | None, size: int, *, backwards: bool = False
) -> QuerySet:
    """``queryset`` in the order of ``keys`` (reversed when ``backwards``) from just beyond the
    row whose sort-key values are ``values`` (from the start when None), to be sliced to at
    most ``size`` rows."""
    order = [key.order_expression(reverse=backwards) for key in keys]
    ordered = queryset.order_by(*order)
    if values is None:
        return ordered
    split = beyond_known(ordered, keys, values, size, backwards)
    if split is not None:
        return split.order_by(*order)
    return ordered.filter(_beyond(keys, values, backwards), _start_at(queryset, keys, values, backwards))


def order_sql(keys: Sequence[SortKey], alias: str) -> str:
    """The ORDER BY list of ``order_expression`` in raw SQL, for the keys' columns of the
    relation ``alias``."""
    terms = []
    for key in keys:
        term = f"{alias}.{quote_name(key.field)} {'DESC' if key.descending else 'ASC'}"
        terms.append(f"{term} NULLS LAST" if key.nullable else term)
    return ", ".join(terms)
