"""Helpers for the SQL the archive writes itself: quoting, literals, settings, estimates."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import QuerySet


def quote_name(name: str) -> str:
    """A table, column or alias name as a quoted SQL identifier."""
    return connection.ops.quote_name(name)


def sql_literal(value: str) -> str:
    """A standard SQL string literal (standard_conforming_strings is on since PostgreSQL 9.1)."""
    return "'" + value.replace("'", "''") + "'"


def compile_literal(queryset: QuerySet) -> str:
    """The queryset's SQL with its parameters bound client-side, ready to nest in another
    statement (a COPY, the read model's refresh)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # Django proved the condition false and wrote no SQL: select no row
        return "SELECT NULL::bigint WHERE false"
    return connection.ops.compose_sql(sql, params)


def set_config(cursor: Any, name: str, value: str, *, local: bool) -> None:
    """Set a run-time parameter for the transaction (``local``) or the session; the name and
    value are sent as parameters, never written into the statement."""
    cursor.execute("SELECT set_config(%s, %s, %s)", [name, value, local])


def planner_row_estimate(queryset: QuerySet) -> int:
    """How many rows PostgreSQL's planner expects ``queryset`` to return (no rows are read)."""
    sql, params = queryset.order_by().query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])
