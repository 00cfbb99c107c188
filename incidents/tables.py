r"""The shape of the column spec (``incidents.columns``): a ``Table`` of ``Column``\ s, and how
the public change log tells a change to one (``ChangeLog``).

A table writes its rows' SELECT for the exports, with one cheap test per row deciding whether
its text cells need the formula guard; a column names the model field it shows by its name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from django.db import models
from import_export.widgets import Widget

from incidents.cells import ROW_GUARD_PATTERN, safe_text
from incidents.sql import sql_literal


@dataclass(frozen=True)
class ChangeLog:
    """How the public change log reports a change to a column's field."""

    label: str
    # False for long texts and links to other records: "<label> revised", without the values.
    values: bool = True


def revised(label: str) -> ChangeLog:
    """A change that the log tells without the values: long texts, and links to other records."""
    return ChangeLog(label, values=False)


@dataclass(frozen=True)
class Column:
    name: str
    sql: str  # empty for a column that only import files have (Table.import_only)
    type: str  # a Frictionless Table Schema type: string, integer, number, boolean, date, time, datetime
    description: str
    # How import files carry the column: the django-import-export widget that reads a cell
    # (incidents.imports.vocabulary) and writes it in the admin's export. None: files do not have it.
    widget: Widget | None = None
    # Written by the archive: in the admin's export for reference, ignored on import.
    readonly: bool = False
    changelog: ChangeLog | None = None
    # Where the API shows the field: in the list items (and the detail), or in the detail only.
    api: Literal["", "list", "detail"] = ""

    @property
    def select(self) -> str:
        return f'{self.sql} AS "{self.name}"'

    @property
    def imported(self) -> bool:
        return self.widget is not None and not self.readonly

    @property
    def required(self) -> bool:
        """Whether an import file must give the column (its widget says)."""
        return getattr(self.widget, "required", False)


def text(name: str, expression: str, description: str, **options: object) -> Column:
    return Column(name, expression, "string", description, **options)


def import_only(name: str, type: str, description: str, **options: object) -> Column:
    return Column(name, "", type, description, **options)


@dataclass(frozen=True)
class Table:
    """One exported table: the row source with its lateral joins, and its columns."""

    name: str
    title: str
    description: str
    alias: str
    model: type[models.Model]
    joins: str
    columns: tuple[Column, ...]
    primary_key: str = "id"
    # Columns that import files have and the CSV export does not: read on import or, if
    # readonly, written by the admin's export for reference.
    import_only: tuple[Column, ...] = ()

    @property
    def db_table(self) -> str:
        return self.model._meta.db_table

    def select_sql(self, ids_sql: str) -> str:
        """The SELECT for the rows whose id is in ``ids_sql`` (a compiled, literal subquery):
        how the read model writes each exported row (``incidents.readmodel``).

        Every string column goes through ``safe_text()``. The per-cell regular expression is
        the costly part of an export, so one cheap test per row (``guard.risky``: could any
        of its cells need it?) decides whether the row's cells are rewritten at all.
        """
        strings = [column.sql for column in self.columns if column.type == "string"]
        # Empty cells are left out: two line feeds in a row would trip the guard for nothing.
        cells = ", ".join(f"nullif(({sql})::text, '')" for sql in strings)
        everything = f"E'\\n' || concat_ws(E'\\n', {cells})"
        guard = (
            f"CROSS JOIN LATERAL (SELECT ({everything}) ~ {sql_literal(ROW_GUARD_PATTERN)} AS risky OFFSET 0) AS guard"
        )
        columns = ",\n  ".join(
            f'CASE WHEN guard.risky THEN {safe_text(column.sql)} ELSE ({column.sql})::text END AS "{column.name}"'
            if column.type == "string"
            else column.select
            for column in self.columns
        )
        return (
            f"WITH selected(id) AS NOT MATERIALIZED ({ids_sql})\n"
            f"SELECT\n  {columns}\nFROM {self.db_table} AS {self.alias}\n{self.joins}\n{guard}\n"
            f"WHERE {self.alias}.id IN (SELECT id FROM selected)\nORDER BY {self.alias}.id"
        )

    @property
    def file_columns(self) -> list[Column]:
        """The columns of the table's import files and of the admin's export, in their order."""
        return [column for column in (*self.columns, *self.import_only) if column.widget is not None]

    def field(self, column: Column) -> models.Field | None:
        """The model field that ``column`` shows, if any."""
        return next((f for f in self.model._meta.concrete_fields if column.name in (f.name, f.attname)), None)

    def fields_of(self, columns: Iterable[Column]) -> list[tuple[Column, models.Field]]:
        """The model fields that ``columns`` show, with their column, in the model's field order."""
        shown = []
        for column in columns:
            field = self.field(column)
            if field is None:
                raise LookupError(f"The column {self.name}.{column.name} shows no field of {self.model.__name__}.")
            shown.append((column, field))
        order = {field: position for position, field in enumerate(self.model._meta.concrete_fields)}
        return sorted(shown, key=lambda pair: order[pair[1]])

    def api_fields(self, where: Literal["list", "detail"]) -> tuple[str, ...]:
        """The API's fields from this table (in the list items, or in the detail only)."""
        return tuple(field.name for _, field in self.fields_of(c for c in self.columns if c.api == where))
