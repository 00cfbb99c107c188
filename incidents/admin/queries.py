"""The incident changelist's own SQL: walks of an index where Django would read the whole table."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from incidents.admin.widgets import country_choices
from incidents.models import IncidentQuerySet


class CountryListFilter(admin.SimpleListFilter):
    title = _("country")
    parameter_name = "country"

    # A loose index scan over incident_country_date: one index probe per distinct country
    # instead of reading every row, which DISTINCT would do.
    DISTINCT_COUNTRIES_SQL = """
        WITH RECURSIVE countries AS (
            (SELECT country FROM incidents_incident ORDER BY country LIMIT 1)
            UNION ALL
            SELECT (SELECT i.country FROM incidents_incident i WHERE i.country > c.country ORDER BY i.country LIMIT 1)
            FROM countries c WHERE c.country IS NOT NULL
        )
        SELECT country FROM countries WHERE country IS NOT NULL
    """

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        with connection.cursor() as cursor:
            cursor.execute(self.DISTINCT_COUNTRIES_SQL)
            codes = [code for (code,) in cursor.fetchall()]
        # By name in the editor's language, as the change form's country select names them.
        names = dict(country_choices())
        return sorted(((code, names.get(code, code)) for code in codes), key=lambda choice: str(choice[1]))

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(country=self.value())
        return queryset


class IncidentAdminQuerySet(IncidentQuerySet):
    """The changelist's queryset, with a ``dates()`` that does not read the whole table.

    The date hierarchy asks for the distinct years (or months, or days) of the selection.
    ``SELECT DISTINCT date_trunc(...)`` reads every selected row; this walks the
    incident_date index instead, one probe per period that has incidents.
    """

    def dates(self, field_name: str, kind: str, order: str = "ASC") -> Any:
        if kind not in ("year", "month", "day") or self.query.is_sliced or self.query.combinator:
            return super().dates(field_name, kind, order)
        column = connection.ops.quote_name(self.model._meta.get_field(field_name).column)
        try:
            inner, params = self.order_by().values(field_name).query.sql_with_params()
        except EmptyResultSet:
            return []
        sql = f"""
            WITH RECURSIVE periods(d) AS (
                SELECT date_trunc(%s, min(s.{column}))::date FROM ({inner}) s
                UNION ALL
                SELECT (
                    SELECT date_trunc(%s, min(s.{column}))::date FROM ({inner}) s
                    WHERE s.{column} >= p.d + %s::interval
                )
                FROM periods p WHERE p.d IS NOT NULL
            )
            SELECT d FROM periods WHERE d IS NOT NULL
        """
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, [kind, *params, kind, *params, f"1 {kind}"])
            periods = [row[0] for row in cursor.fetchall()]
        return sorted(periods, reverse=order == "DESC")
