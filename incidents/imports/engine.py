"""Imports of incidents as set-based SQL: a CSV file staged with COPY, checked and written in SQL.

Both the ``import_incidents`` command and the admin's import of the archive and ACLED
formats (incidents.imports.resources.SetBasedImportMixin) come here. The file goes into a
temporary table with ``COPY ... FROM STDIN`` (psycopg 3), every row is checked there by
set-based queries that apply the archive's rules and vocabularies (incidents.imports.vocabulary),
and the incidents, their actors, sources and claims are written with INSERT ... SELECT.
Any bad row means nothing is written; the report names the row, the column and the reason.
"""

# ruff: noqa: E501 (SQL and the table of rules read best one per line)
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pghistory
import psycopg
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction

from incidents import spreadsheet
from incidents.columns import INCIDENTS
from incidents.history import insert_history_paused
from incidents.imports import inserts, matching, vocabulary
from incidents.imports.updates import ESTIMATE_COLUMNS, acled_source, default_reason, estimates, update_existing
from incidents.imports.vocabulary import ACLED_COLUMNS, ACLED_REQUIRED, ACTOR_KIND, SOURCE_KINDS_BY_OUTLET
from incidents.models import CLOCK_TIME_PRECISIONS, Incident, Source, SourceKind, TimePrecision
from incidents.sql import quote_name, sql_literal

FORMATS = ("archive", "acled")
# Notes that state that nobody died make ACLED's 0 a claim of zero (methodology: imports).
ZERO_STATED = vocabulary.ACLED_EXPLICIT_ZERO
# The archive's flat format: the columns of the incidents spec that imports read (incidents.columns).
IMPORTED = [column.name for column in INCIDENTS.file_columns if column.imported]
ARCHIVE_REQUIRED = [column.name for column in INCIDENTS.file_columns if column.required]
COPY_CHUNK = 1 << 20
MAX_REPORTED = 100
TEMP_TABLES = [
    "import_staging", "import_choice", "import_country", "import_acled_time", "import_acled_geo", "import_source_kind",
    "import_withheld", "import_event_types", "import_sub_types", "import_rows", "import_dates", "import_resolved", "import_ids", "import_mentions",
    "import_known_actors", "import_problems", "import_source_names", "import_outlets", "import_actions",
    "import_estimates", "import_targets", "import_actor_matches", "import_outlet_matches",
]  # fmt: skip


class BulkImportError(Exception):
    def __init__(self, problems: list[tuple[int | None, str, str]], total: int) -> None:
        super().__init__(f"{total} problem(s); nothing was imported")
        self.problems, self.total = problems, total


class UnreadableFileError(BulkImportError):
    """PostgreSQL's CSV reader refused the file (a ragged row, mixed line endings, a NUL byte)."""

    def __init__(self, error: psycopg.Error) -> None:
        where = re.search(r"line (\d+)", error.diag.context or "")
        near = f" near line {where.group(1)} of the file" if where else ""
        super().__init__([(None, "", f"The file cannot be read as CSV{near}: {error.diag.message_primary}.")], 1)


def not_utf8(handle: BinaryIO) -> BulkImportError | None:
    """The file's first byte that is not UTF-8, by position and line, as the admin's import names it."""
    handle.seek(0)
    found = spreadsheet.find_non_utf8(handle)
    return BulkImportError([(None, "", str(found))], 1) if found else None


@dataclass
class BulkImportResult:
    rows: int = 0
    incidents: int = 0
    actors_created: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    # The country codes of the first rows (import_csv's ``preview_rows``), as the import writes them.
    countries: list[str] = field(default_factory=list)
    # What each of those rows does (ACTIONS) and the incident it updates, if any.
    row_actions: list[tuple[str, int | None]] = field(default_factory=list)
    actions: dict[str, int] = field(default_factory=dict)
    updated: int = 0
    corrections: int = 0
    unchanged: int = 0
    preview: matching.ImportPreview | None = None  # what a check_only run will match and create


# SQL twin of spreadsheet.restore_neutralised(): drops the apostrophe an export put before a formula.
_RESTORE = r"""regexp_replace({0}, '(^|(?<=[\r\n]))''(?=[ ]*[-=+@\t\r\n])', '', 'g')"""


def _val(column: str, present: set[str]) -> str:
    """A staged column as trimmed text, NULL when blank or absent, as an export wrote it before neutralising."""
    if column not in present:
        return "NULL::text"
    cell = f"nullif(btrim(s.{quote_name(column)}), '')"
    return f"CASE WHEN strpos(s.{quote_name(column)}, chr(39)) > 0 THEN {_RESTORE.format(cell)} ELSE {cell} END"


def _flat_columns(file_format: str, present: set[str]) -> dict[str, str]:
    """SQL for each column of the archive's flat format, from the staged file."""
    v = lambda column: _val(column, present)  # noqa: E731 (reads best inline)
    if file_format == "archive":
        flat = {name: v(name) for name in IMPORTED}
        flat["file_id"] = v("id")  # exported for reference; a file that names an incident twice is refused
        flat["source_note"] = "NULL::text"
        flat["acled_fatalities"] = "NULL::text"
        return flat
    # ACLED: each column where ACLED_COLUMNS says it goes; a column ACLED does not have is empty.
    place = f"coalesce({v('location')}, {v('admin2')}, {v('admin1')}, {v('country')}, 'unknown place')"
    return dict.fromkeys(IMPORTED, "NULL::text") | {
        "file_id": "NULL::text",
        "import_key": f"'ACLED:' || {v('event_id_cnty')}",
        "title": f"coalesce({v('sub_event_type')}, {v('event_type')}, 'Incident') || ': ' || {place}"
        f" || coalesce(', ' || {v('admin1')}, '')",
        "summary": v("notes"),
        "start_date": v("event_date"),
        "end_date": "NULL::text",
        "date_precision": f"coalesce((SELECT value FROM import_acled_time WHERE key = {v('time_precision')}), "
        f"{v('time_precision')})",
        "time_of_day": "NULL::text",
        "country": f"CASE WHEN EXISTS (SELECT 1 FROM import_country WHERE key = lower({v('iso')})) "
        f"THEN {v('iso')} ELSE coalesce({v('country')}, {v('iso')}) END",
        "admin1": v("admin1"),
        "admin2": v("admin2"),
        "location": v("location"),
        "latitude": v("latitude"),
        "longitude": v("longitude"),
        "geo_precision": f"coalesce((SELECT value FROM import_acled_geo WHERE key = {v('geo_precision')}), "
        f"{v('geo_precision')})",
        "event_type": v("event_type"),
        "sub_event_type": v("sub_event_type"),
        "actor1": v("actor1"),
        "actor1_kind": v("inter1"),
        "assoc_actor_1": v("assoc_actor_1"),
        "actor2": v("actor2"),
        "actor2_kind": v("inter2"),
        "assoc_actor_2": v("assoc_actor_2"),
        # ACLED's figure is ACLED's claim, not the incident's estimate (acled_fatalities below).
        "fatalities_low": "NULL::text",
        "fatalities_best": "NULL::text",
        "fatalities_high": "NULL::text",
        "fatalities_rationale": "NULL::text",
        "grading": "NULL::text",
        "tags": f"concat_ws(';', {v('tags')}, CASE WHEN {v('civilian_targeting')} IS NOT NULL "
        "THEN 'civilian-targeting' END)",
        "source_names": v("source"),
        "source_note": f"'Source scale (ACLED): ' || {v('source_scale')}",
        # ACLED codes 0 when the reports give no figure: a 0 is a claim only when the notes say so.
        "acled_fatalities": f"CASE WHEN {v('fatalities')} ~ '^0+(\\.0*)?$' "
        f"AND NOT coalesce({v('notes')} ~* {sql_literal(ZERO_STATED)}, false) THEN NULL ELSE {v('fatalities')} END",
    }


def _vocabularies(cursor: psycopg.Cursor[Any]) -> None:
    """Temporary lookup tables built from the vocabularies in incidents.imports.vocabulary."""
    cursor.execute(
        "CREATE TEMP TABLE import_choice (field text, key text, value text, PRIMARY KEY (field, key)) ON COMMIT DROP;"
        "CREATE TEMP TABLE import_country (key text PRIMARY KEY, code text) ON COMMIT DROP;"
        "CREATE TEMP TABLE import_acled_time (key text PRIMARY KEY, value text) ON COMMIT DROP;"
        "CREATE TEMP TABLE import_acled_geo (key text PRIMARY KEY, value text) ON COMMIT DROP;"
        "CREATE TEMP TABLE import_source_kind (key text PRIMARY KEY, value text) ON COMMIT DROP;"
        "CREATE TEMP TABLE import_withheld (label text PRIMARY KEY, kind text) ON COMMIT DROP;"
    )
    # The spellings that each column's parser in the spec takes (incidents.columns).
    parsers = {column.name: column.widget for column in INCIDENTS.file_columns}
    choices = {name: parsers[name] for name in ("date_precision", "time_precision", "geo_precision", "grading")}
    choices["actor_kind"] = ACTOR_KIND
    with cursor.copy("COPY import_choice FROM STDIN") as copy:
        for name, widget in choices.items():
            for key, value in widget.values.items():
                copy.write_row((name, key, value))
    with cursor.copy("COPY import_country FROM STDIN") as copy:
        for key, code in vocabulary.country_codes().items():
            copy.write_row((key, code))
    # The taxonomy by folded name and slug (vocabulary.Lookups).
    taxonomy = vocabulary.Lookups.load_taxonomy()
    cursor.execute(
        "CREATE TEMP TABLE import_event_types (key text PRIMARY KEY, id bigint) ON COMMIT DROP;"
        "CREATE TEMP TABLE import_sub_types (type_id bigint, key text, sub_id bigint) ON COMMIT DROP;"
    )
    with cursor.copy("COPY import_event_types FROM STDIN") as copy:
        for key, type_id in taxonomy.event_types.items():
            copy.write_row((key, type_id))
    with cursor.copy("COPY import_sub_types FROM STDIN") as copy:
        for (type_id, key), sub_id in taxonomy.sub_event_types.items():
            copy.write_row((type_id, key, sub_id))
    with cursor.copy("COPY import_acled_time FROM STDIN") as copy:
        for key, value in vocabulary.ACLED_TIME_PRECISION.items():
            copy.write_row((key, value))
    with cursor.copy("COPY import_acled_geo FROM STDIN") as copy:
        for key, value in vocabulary.ACLED_GEO_PRECISION.items():
            copy.write_row((key, value))
    with cursor.copy("COPY import_source_kind FROM STDIN") as copy:
        for key, value in SOURCE_KINDS_BY_OUTLET.items():
            copy.write_row((key, value))
    # How the exports name a confidential source (Source.public_label), lower-cased.
    with cursor.copy("COPY import_withheld FROM STDIN") as copy:
        for kind, label in SourceKind.choices:
            copy.write_row((Source.withheld_label(label).lower(), kind))


# Parsers that return NULL instead of raising, so that one bad cell is reported, not fatal.
_PARSERS = r"""
CREATE OR REPLACE FUNCTION pg_temp.import_ymd(y int, m int, d int) RETURNS date LANGUAGE sql IMMUTABLE AS $$
  -- NULL, not an error, for a day the calendar does not have (2025-02-30, 31 June).
  SELECT CASE WHEN y BETWEEN 1 AND 9999 AND m BETWEEN 1 AND 12 THEN
    CASE WHEN d BETWEEN 1 AND extract(day FROM make_date(y, m, 1) + interval '1 month - 1 day')::int
         THEN make_date(y, m, d) END
  END
$$;
CREATE OR REPLACE FUNCTION pg_temp.import_month(word text) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(
    array_position(ARRAY['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september',
                         'october', 'november', 'december'], lower(word)),
    array_position(ARRAY['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
                   lower(word)))
$$;
CREATE OR REPLACE FUNCTION pg_temp.import_date(raw text) RETURNS date LANGUAGE sql IMMUTABLE AS $$
  -- The unambiguous spellings vocabulary.Date takes: 2025-06-13 (also with a spreadsheet's time
  -- after it), 2025/06/13, 13 June 2025, 13 Jun 2025, 13-June-2025, 13-Jun-2025.
  SELECT CASE
    WHEN t ~ '^\d{4}-\d{2}-\d{2}$'
      THEN pg_temp.import_ymd(left(t, 4)::int, substr(t, 6, 2)::int, right(t, 2)::int)
    WHEN t ~ '^\d{1,2} [A-Za-z]{3,9} \d{4}$'
      THEN pg_temp.import_ymd(split_part(t, ' ', 3)::int, pg_temp.import_month(split_part(t, ' ', 2)),
                              split_part(t, ' ', 1)::int)
  END
  FROM (
    SELECT CASE
      WHEN raw ~ '^\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}' THEN left(raw, 10)
      WHEN raw ~ '^\d{4}/\d{2}/\d{2}$' THEN translate(raw, '/', '-')
      WHEN raw ~ '^\d{1,2}-[A-Za-z]+-\d{4}$' THEN translate(raw, '-', ' ')
      ELSE raw
    END AS t
  ) AS spelled
$$;
CREATE OR REPLACE FUNCTION pg_temp.import_count(t text) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN t ~ '^\d{1,9}(\.0*)?$' THEN split_part(t, '.', 1)::bigint END
$$;
CREATE OR REPLACE FUNCTION pg_temp.import_number(t text) RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN t ~ '^[-+]?(\d{1,12}(\.\d*)?|\.\d+)$' THEN t::double precision END
$$;
CREATE OR REPLACE FUNCTION pg_temp.import_other_rows(lines bigint[], total bigint, line bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  -- The rows that repeat a value, other than ``line``, from the first six rows of the group:
  -- "row 4", "rows 1, 4" or "rows 1, 4, 9, 12, 15 and 3 more".
  SELECT CASE WHEN total = 2 THEN 'row ' ELSE 'rows ' END
    || array_to_string((array_remove(lines, line))[1:5], ', ')
    || CASE WHEN total > 6 THEN ' and ' || (total - 6) || ' more' ELSE '' END
$$;
CREATE OR REPLACE FUNCTION pg_temp.import_time(t text) RETURNS time LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN t ~ '^([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?$' THEN t::time END
$$;
"""

# The time precisions that carry a clock time, and every precision a file may give.
_CLOCK = ", ".join(sql_literal(str(precision)) for precision in CLOCK_TIME_PRECISIONS)
_TIME_PRECISIONS = ", ".join(value for value, _ in TimePrecision.choices if value)

# Each rule: (column, SQL condition on the resolved row ``r`` that marks it bad, SQL message).
_RULES: list[tuple[str, str, str]] = [
    ("title", "r.title IS NULL", "'is required'"),
    ("title", "length(r.title) > 300", "'is ' || length(r.title) || ' characters long; at most 300 are allowed'"),
    ("start_date", "r.start_date IS NULL", "'is required'"),
    (
        "start_date",
        "r.start_date IS NOT NULL AND r.start_v IS NULL",
        "'''' || r.start_date || ''' is not a date; write it as YYYY-MM-DD (e.g. 2025-06-13)'",
    ),
    (
        "end_date",
        "r.end_date IS NOT NULL AND r.end_v IS NULL",
        "'''' || r.end_date || ''' is not a date; write it as YYYY-MM-DD (e.g. 2025-06-13)'",
    ),
    (
        "end_date",
        "r.end_v < r.start_v",
        "to_char(r.end_v, 'YYYY-MM-DD') || ' is before the start date ' || to_char(r.start_v, 'YYYY-MM-DD')",
    ),
    ("date_precision", "r.date_precision IS NOT NULL AND r.date_precision_v IS NULL", "'''' || r.date_precision || ''' is not one of: day, week, month, year'"),
    ("time_of_day", "r.time_of_day IS NOT NULL AND r.time_v IS NULL", "'''' || r.time_of_day || ''' is not a time of day; write it as HH:MM (e.g. 05:30)'"),
    ("time_of_day", f"r.time_of_day IS NULL AND r.time_precision_v IN ({_CLOCK})", "'is required when time_precision is ' || r.time_precision_v || ' (a clock time was reported)'"),
    ("time_precision", "r.time_precision IS NOT NULL AND r.time_precision_v IS NULL", "'''' || r.time_precision || ''' is not one of: ' || " + sql_literal(_TIME_PRECISIONS)),
    ("time_precision", f"r.time_v IS NOT NULL AND r.time_precision_v NOT IN ({_CLOCK})", "'''' || r.time_precision || ''' names a part of the day: leave time_of_day empty, or write exact or around'"),
    ("country", "r.country IS NULL", "'is required (an ISO 3166-1 code such as ML)'"),
    ("country", "r.country IS NOT NULL AND r.country_v IS NULL", "'''' || r.country || ''' ' || " + sql_literal(vocabulary.NOT_A_COUNTRY)),
    ("admin1", "length(r.admin1) > 100", "'is ' || length(r.admin1) || ' characters long; at most 100 are allowed'"),
    ("admin2", "length(r.admin2) > 100", "'is ' || length(r.admin2) || ' characters long; at most 100 are allowed'"),
    ("location", "length(r.location) > 200", "'is ' || length(r.location) || ' characters long; at most 200 are allowed'"),
    ("latitude", "r.latitude IS NOT NULL AND r.latitude_v IS NULL", "'''' || r.latitude || ''' is not a number in decimal degrees'"),
    ("latitude", "abs(r.latitude_v) > 90", "r.latitude_v || ' is outside -90 to 90'"),
    ("longitude", "r.longitude IS NOT NULL AND r.longitude_v IS NULL", "'''' || r.longitude || ''' is not a number in decimal degrees'"),
    ("longitude", "abs(r.longitude_v) > 180", "r.longitude_v || ' is outside -180 to 180'"),
    ("longitude", "r.latitude IS NOT NULL AND r.longitude IS NULL", "'is required when the other coordinate is given'"),
    ("latitude", "r.latitude IS NULL AND r.longitude IS NOT NULL", "'is required when the other coordinate is given'"),
    ("geo_precision", "r.geo_precision IS NOT NULL AND r.geo_precision_v IS NULL", "'''' || r.geo_precision || ''' is not one of: exact, near, admin2, admin1, country'"),
    ("grading", "r.grading IS NOT NULL AND r.grading_v IS NULL", "'''' || r.grading || ''' is not one of: confirmed, fair, weak, contested, discounted'"),
    ("event_type", "r.event_type IS NOT NULL AND r.event_type_id IS NULL", "'''' || r.event_type || ''' is not an event type in the archive''s taxonomy'"),
    ("event_type", "r.event_type IS NULL AND r.sub_event_type_id IS NULL AND r.sub_event_type IS NOT NULL", "'is required'"),
    ("sub_event_type", "r.sub_event_type IS NULL", "'is required'"),
    ("sub_event_type", "r.sub_event_type IS NOT NULL AND r.sub_event_type_id IS NULL AND (r.event_type_id IS NOT NULL OR r.event_type IS NULL)", "'''' || r.sub_event_type || ''' is not a sub-event type of the archive''s taxonomy for this event type'"),
    ("fatalities_low", "r.fatalities_low IS NOT NULL AND r.low_v IS NULL", "'''' || r.fatalities_low || ''' is not a whole number'"),
    ("fatalities_best", "r.fatalities_best IS NOT NULL AND r.best_v IS NULL", "'''' || r.fatalities_best || ''' is not a whole number'"),
    ("fatalities_high", "r.fatalities_high IS NOT NULL AND r.high_v IS NULL", "'''' || r.fatalities_high || ''' is not a whole number'"),
    ("fatalities_low", "r.low_v > r.best_v", "r.low_v || ' is more than fatalities_best (' || r.best_v || ')'"),
    ("fatalities_best", "r.best_v > r.high_v", "r.best_v || ' is more than fatalities_high (' || r.high_v || ')'"),
    ("actor1_kind", "r.actor1_kind IS NOT NULL AND r.actor1_kind_v IS NULL", "'''' || r.actor1_kind || ''' is not an actor kind'"),
    ("actor2_kind", "r.actor2_kind IS NOT NULL AND r.actor2_kind_v IS NULL", "'''' || r.actor2_kind || ''' is not an actor kind'"),
    ("import_key", "length(r.import_key) > 100", "'is longer than 100 characters'"),
    ("acled_fatalities", "r.acled_fatalities IS NOT NULL AND r.acled_v IS NULL", "'''' || r.acled_fatalities || ''' is not a whole number'"),
    ("import_key", "r.key_lines IS NOT NULL", "'''' || r.import_key || ''' is also the key of ' || pg_temp.import_other_rows(r.key_lines, r.key_count, r.line)"),
    ("id", "r.id_lines IS NOT NULL", "'''' || r.file_id || ''' is also the id of ' || pg_temp.import_other_rows(r.id_lines, r.id_count, r.line) || '; a file names each incident once'"),
]  # fmt: skip


def _resolve_sql(flat: dict[str, str]) -> str:
    columns = ",\n  ".join(f"{expression} AS {quote_name(name)}" for name, expression in flat.items())
    return f"""
CREATE TEMP TABLE import_rows ON COMMIT DROP AS
SELECT s.line, {columns}
FROM import_staging s;

-- Statistics for the columns that the joins below use: the file's other columns are only read.
ANALYZE import_rows (line, import_key, start_date, end_date);

-- Each spelling of a date is parsed once: a file repeats its dates, and the parser costs.
CREATE TEMP TABLE import_dates ON COMMIT DROP AS
SELECT raw, pg_temp.import_date(raw) AS value
FROM (SELECT start_date FROM import_rows UNION SELECT end_date FROM import_rows) AS spellings(raw)
WHERE raw IS NOT NULL;

ANALYZE import_dates;

CREATE TEMP TABLE import_resolved ON COMMIT DROP AS
SELECT r.*,
  start_d.value AS start_v,
  end_d.value AS end_v,
  pg_temp.import_time(r.time_of_day) AS time_v,
  date_precision.value AS date_precision_v,
  time_precision.value AS time_precision_v,
  geo_precision.value AS geo_precision_v,
  grading.value AS grading_v,
  actor1_kind.value AS actor1_kind_v,
  actor2_kind.value AS actor2_kind_v,
  country.code AS country_v,
  et.id AS event_type_id,
  coalesce(st.sub_id, CASE WHEN r.event_type IS NULL THEN only_st.sub_id END) AS sub_event_type_id,
  pg_temp.import_number(r.latitude) AS latitude_v,
  pg_temp.import_number(r.longitude) AS longitude_v,
  pg_temp.import_count(r.fatalities_low) AS low_v,
  pg_temp.import_count(r.fatalities_best) AS best_v,
  pg_temp.import_count(r.fatalities_high) AS high_v,
  pg_temp.import_count(r.acled_fatalities) AS acled_v,
  existing.id AS existing_id,
  existing.status AS existing_status,
  keys.lines AS key_lines,
  keys.total AS key_count,
  ids.lines AS id_lines,
  ids.total AS id_count
-- The folded names are computed once per row (OFFSET 0 keeps the subquery from being flattened
-- into per-comparison calls); the lookups are hash joins, not a scan of the taxonomy per row.
FROM (SELECT r.*, archive_unaccent(r.event_type) AS event_type_key, archive_unaccent(r.sub_event_type) AS sub_key
      FROM import_rows r OFFSET 0) AS r
-- Joins, not a subquery per row and column: the vocabularies are small and the file is long.
-- The incident a row's import_key names, which the row updates; "<> ''" lets the planner use the
-- partial unique index on import_key (a correction's draft copy has none).
LEFT JOIN incidents_incident existing ON existing.import_key = r.import_key AND existing.import_key <> ''
LEFT JOIN import_dates start_d ON start_d.raw = r.start_date
LEFT JOIN import_dates end_d ON end_d.raw = r.end_date
LEFT JOIN import_choice date_precision ON date_precision.field = 'date_precision'
  AND date_precision.key = lower(r.date_precision)
LEFT JOIN import_choice time_precision ON time_precision.field = 'time_precision'
  AND time_precision.key = lower(r.time_precision)
LEFT JOIN import_choice geo_precision ON geo_precision.field = 'geo_precision' AND geo_precision.key = lower(r.geo_precision)
LEFT JOIN import_choice grading ON grading.field = 'grading' AND grading.key = lower(r.grading)
LEFT JOIN import_choice actor1_kind ON actor1_kind.field = 'actor_kind'
  AND actor1_kind.key = lower(btrim(split_part(r.actor1_kind, ';', 1)))
LEFT JOIN import_choice actor2_kind ON actor2_kind.field = 'actor_kind'
  AND actor2_kind.key = lower(btrim(split_part(r.actor2_kind, ';', 1)))
LEFT JOIN import_country country ON country.key = archive_unaccent(r.country)
LEFT JOIN import_event_types et ON et.key = r.event_type_key
LEFT JOIN import_sub_types st ON st.type_id = et.id AND st.key = r.sub_key
LEFT JOIN (SELECT key, min(sub_id) AS sub_id FROM import_sub_types GROUP BY key HAVING count(*) = 1) AS only_st
  ON only_st.key = r.sub_key
-- Keys and ids that the file repeats, with the first rows of each (every such row names the others).
-- Joins rather than a window over the file: sorting the whole wide rows by key cost seconds.
LEFT JOIN (
  SELECT import_key, (array_agg(line ORDER BY line))[1:6] AS lines, count(*) AS total
  FROM import_rows WHERE import_key IS NOT NULL GROUP BY 1 HAVING count(*) > 1
) AS keys ON keys.import_key = r.import_key
LEFT JOIN (
  SELECT file_id, (array_agg(line ORDER BY line))[1:6] AS lines, count(*) AS total
  FROM import_rows WHERE file_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1
) AS ids ON ids.file_id = r.file_id;

ANALYZE import_resolved (line);
"""


_ACTOR_SIDES = [
    # (column, kind column, side, role) as in vocabulary.ACTOR_COLUMNS
    (column, kind_column, str(side), str(role))
    for column, kind_column, side, role in vocabulary.ACTOR_COLUMNS
]


def _actor_sql() -> str:
    """Every (row, actor name, side, role, kind) the file names, and the actors they resolve to."""
    parts = [
        f"SELECT r.line, btrim(n.name) AS name, {side!r} AS side, {role!r} AS role, r.{kind}_v AS kind, "
        f"{column!r} AS col FROM import_resolved r, unnest(string_to_array(r.{column}, ';')) AS n(name) "
        f"WHERE r.{column} IS NOT NULL AND btrim(n.name) <> ''"
        for column, kind, side, role in _ACTOR_SIDES
    ]
    prefixes = " ".join(
        f"WHEN m.folded LIKE '{prefix}%' THEN '{kind.value}'"
        for prefix, kind in vocabulary.ACTOR_KINDS_BY_NAME_PREFIX.items()
    )
    return f"""
CREATE TEMP TABLE import_mentions ON COMMIT DROP AS
SELECT m.*, CASE {prefixes} ELSE m.kind END AS new_kind
FROM (
  WITH m AS MATERIALIZED ({" UNION ALL ".join(parts)}),
  -- Folding costs, and a file names the same actors over and over.
  folded AS MATERIALIZED (SELECT name, {matching.spelling_sql("name")} AS folded FROM (SELECT DISTINCT name FROM m) AS names)
  SELECT m.*, f.folded FROM m JOIN folded f ON f.name = m.name
) AS m;

ANALYZE import_mentions;
"""


# What each row does: adds an incident, updates a draft (or one in review) in place, proposes a
# correction of a published one, or changes nothing (every value the file gives is already there).
ACTIONS = {
    "new": "new",
    "update": "updates draft",
    "correction": "correction to review",
    "unchanged": "unchanged",
}


def given_columns(file_format: str, flat: dict[str, str], present: set[str]) -> set[str]:
    """The flat format's columns the file gives: an update writes these and keeps the others."""
    if file_format == "archive":
        return set(IMPORTED) & present
    return {name for name, expression in flat.items() if expression != "NULL::text"}


def _actions_sql(file_format: str, given: set[str]) -> str:
    columns = inserts.updated_columns(given, ["acled"] if file_format == "acled" else [])
    same = [
        f"existing.{quote_name(column)}{'::text[]' if column == 'tags' else ''} IS NOT DISTINCT FROM {expression}"
        for column, expression in columns.items()
    ]
    # Every actor the row names is linked with its side and role, every outlet it names is a source.
    same.append("""NOT EXISTS (
    SELECT 1 FROM import_mentions m WHERE m.line = r.line AND NOT EXISTS (
      SELECT 1 FROM import_known_actors k JOIN incidents_incidentactor l ON l.actor_id = k.actor_id
      WHERE k.folded = m.folded AND l.incident_id = existing.id AND l.side = m.side AND l.role = m.role))""")
    same.append("""NOT EXISTS (
    SELECT 1 FROM unnest(string_to_array(r.source_names, ';')) AS u(name)
    WHERE btrim(u.name) <> '' AND NOT EXISTS (
      SELECT 1 FROM incidents_incidentsource l JOIN incidents_source s ON s.id = l.source_id
      WHERE l.incident_id = existing.id AND (
        btrim(u.name) IN (s.outlet, concat_ws(' — ', nullif(s.outlet, ''), nullif(s.author, ''), nullif(s.title, '')))
        OR (s.confidential AND lower(btrim(u.name)) IN (SELECT label FROM import_withheld w WHERE w.kind = s.kind)))))""")
    if file_format == "acled":
        same.append(
            f"(SELECT array_agg(c.quantity_low) FROM incidents_claim c WHERE c.incident_id = existing.id "
            f"AND {inserts.IS_ACLED_CLAIM.replace('%%', '%')}) IS NOT DISTINCT FROM "
            "CASE WHEN r.acled_v IS NOT NULL THEN ARRAY[r.acled_v::integer] END"
        )
    return f"""
CREATE TEMP TABLE import_actions ON COMMIT DROP AS
SELECT r.line, r.existing_id, r.existing_status, r.import_key,
  CASE WHEN r.existing_id IS NULL THEN 'new'
       WHEN {" AND ".join(same)} THEN 'unchanged'
       WHEN r.existing_status = 'published' THEN 'correction'
       ELSE 'update' END AS action,
  (SELECT min(c.id) FROM incidents_correction c WHERE c.incident_id = r.existing_id AND c.status = 'open') AS open_correction
FROM import_resolved r
LEFT JOIN incidents_incident existing ON existing.id = r.existing_id;

ANALYZE import_actions;
"""


def _existing_problems(user: AbstractBaseUser | None) -> str:
    """Rows that would change an incident the user may not change this way (unchanged rows never are)."""
    may_change = user is None or user.has_perm("incidents.change_incident")
    may_review = user is not None and user.has_perm("incidents.publish_incident")
    may_propose = user is not None and user.has_perm("incidents.change_incident")
    proposer = "a user who may propose corrections" + (" (give --user)" if user is None else "")
    rules = [
        ("a.existing_status = 'retracted'", "', which was retracted: it is not changed any more'"),
        (
            f"a.existing_status = 'in_review' AND NOT {may_review}",
            "', which is in review: only a reviewer may update it'",
        ),
        (f"a.existing_status = 'draft' AND NOT {may_change}", "': you do not have permission to change incidents'"),
        (
            "a.action = 'correction' AND a.open_correction IS NOT NULL",
            "', which is published and has a correction open (correction ' || a.open_correction || '): "
            "finish or withdraw it, then import again'",
        ),
        (
            f"a.action = 'correction' AND a.open_correction IS NULL AND NOT {may_propose}",
            sql_literal(f", which is published: an update proposes a correction, which takes {proposer}"),
        ),
    ]
    return " UNION ALL ".join(
        f"SELECT a.line, 'import_key', '''' || a.import_key || ''' is the key of incident #' || a.existing_id || "
        f"{message} FROM import_actions a WHERE a.action NOT IN ('new', 'unchanged') AND {condition}"
        for condition, message in rules
    )


def _problems(
    cursor: psycopg.Cursor[Any], file_format: str, limit: int | None, user: AbstractBaseUser | None = None
) -> tuple[list[tuple[int | None, str, str]], int]:
    selects = [
        f"SELECT r.line, {column!r} AS col, {message} AS reason FROM import_resolved r WHERE {condition}"
        for column, condition, message in _RULES
    ]
    selects.append(_existing_problems(user))
    selects.append(
        "SELECT m.line, m.col, '''' || m.name || ''' is not an actor in the archive; give its kind in ' || "
        "CASE WHEN m.side = 'A' THEN 'actor1_kind' ELSE 'actor2_kind' END || ' to create it' "
        "FROM import_mentions m WHERE m.folded NOT IN (SELECT folded FROM import_known_actors) "
        "AND NOT EXISTS (SELECT 1 FROM import_mentions k WHERE k.folded = m.folded AND k.new_kind IS NOT NULL)"
    )
    if file_format == "acled":
        selects.append(
            "SELECT r.line, 'source_names', 'names no source; ACLED lists at least one per event' "
            "FROM import_resolved r WHERE r.source_names IS NULL"
        )
    cursor.execute(f"CREATE TEMP TABLE import_problems ON COMMIT DROP AS {' UNION ALL '.join(selects)}")
    cursor.execute("SELECT count(*) FROM import_problems")
    total = cursor.fetchone()[0]
    cursor.execute("SELECT line, col, reason FROM import_problems ORDER BY line, col LIMIT %s", [limit])
    label = _acled_label if file_format == "acled" else str
    return [(line, label(col), reason) for line, col, reason in cursor.fetchall()], total


def _acled_label(column: str) -> str:
    if column == "acled_fatalities":
        return "fatalities"
    reverse = {ours: theirs for theirs, ours in ACLED_COLUMNS.items() if ours}
    return vocabulary.ACLED_LABELS.get(column) or reverse.get(column, column)


def read_header(path: Path) -> list[str]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return [h.strip().lower() for h in next(csv.reader(handle), [])]
    except UnicodeDecodeError:
        with path.open("rb") as handle:
            raise not_utf8(handle) from None


def bulk_import(
    *, path: Path, file_format: str, user: AbstractBaseUser | None, dry_run: bool = False, reason: str = ""
) -> BulkImportResult:
    """Import the CSV at ``path``; raises BulkImportError (and writes nothing) if any row is bad."""
    context = {"import_file": path.name, "import_format": file_format, "command": "import_incidents"}
    with path.open("rb") as handle:
        return import_csv(
            handle=handle,
            header=read_header(path),
            file_format=file_format,
            user=user,
            dry_run=dry_run,
            context=context,
            reason=reason,
        )


def import_csv(
    *,
    handle: BinaryIO,
    header: list[str],
    file_format: str,
    user: AbstractBaseUser | None,
    context: dict[str, Any],
    dry_run: bool = False,
    check_only: bool = False,
    limit: int | None = MAX_REPORTED,
    preview_rows: int = 0,
    reason: str = "",
) -> BulkImportResult:
    """Import the CSV in ``handle`` (UTF-8, its first line the ``header``), all or nothing.

    Raises BulkImportError (and writes nothing) if any row is bad, with the first ``limit``
    problems (all of them for None). ``check_only`` stops after the checks; ``dry_run`` also
    writes, then rolls back. ``context`` is the history's context for what is written. The
    result has the country codes of the first ``preview_rows`` rows.
    """
    import time

    from incidents.models import Citation, Claim, IncidentActor, IncidentSource

    if file_format not in FORMATS:
        raise ValueError(f"Unknown format {file_format!r}; use one of {', '.join(FORMATS)}.")
    required = ACLED_REQUIRED if file_format == "acled" else ARCHIVE_REQUIRED
    missing = [column for column in required if column not in header]
    if missing:
        raise BulkImportError([(None, "", f"The file lacks the columns: {', '.join(missing)}.")], 1)
    if len(set(header)) != len(header) or not all(re.fullmatch(r"[a-z0-9_ ]+", h) for h in header if h):
        raise BulkImportError([(None, "", "Column names must be distinct words (letters, digits, _).")], 1)
    result = BulkImportResult()
    clock = time.perf_counter()
    user_id = getattr(user, "pk", None)
    context = dict(context)
    if user_id is not None:
        context["user"] = user_id
    with transaction.atomic(), pghistory.context(**context), connection.cursor() as cursor:
        raw = cursor.cursor
        # The checks sort and hash the whole file; in memory rather than on disk.
        raw.execute("SET LOCAL work_mem = '256MB'")
        staged = ", ".join(f"{quote_name(h or f'unnamed_{i}')} text" for i, h in enumerate(header))
        raw.execute(f"CREATE TEMP TABLE import_staging (line bigserial, {staged}) ON COMMIT DROP")
        names = ", ".join(quote_name(h or f"unnamed_{i}") for i, h in enumerate(header))
        try:
            with raw.copy(
                f"COPY import_staging ({names}) FROM STDIN (FORMAT csv, HEADER true, ENCODING 'UTF8')"
            ) as copy:
                while chunk := handle.read(COPY_CHUNK):
                    copy.write(chunk)
        except psycopg.errors.DataError as error:
            # A byte that is not UTF-8 is named as the admin's import names it.
            found = not_utf8(handle) if handle.seekable() else None
            raise found or UnreadableFileError(error) from None
        result.timings["copy"] = time.perf_counter() - clock
        raw.execute("SELECT count(*) FROM import_staging")
        result.rows = raw.fetchone()[0]
        _vocabularies(raw)
        raw.execute(_PARSERS)
        flat = _flat_columns(file_format, set(header))
        given = given_columns(file_format, flat, set(header))
        raw.execute(_resolve_sql(flat))
        raw.execute(_actor_sql())
        matching.match_actors(raw)
        matching.match_sources(raw, scales=file_format == "acled" and "source_scale" in header)
        raw.execute(_actions_sql(file_format, given))
        result.timings["resolve"] = time.perf_counter() - clock
        problems, total = _problems(raw, file_format, limit, user)
        result.timings["check"] = time.perf_counter() - clock
        if total:
            raise BulkImportError(problems, total)
        raw.execute("SELECT action, count(*) FROM import_actions GROUP BY action")
        result.actions = dict(raw.fetchall())
        if preview_rows:
            raw.execute(
                "SELECT r.country_v, a.action, a.existing_id FROM import_resolved r JOIN import_actions a USING (line) "
                "WHERE r.line <= %s ORDER BY r.line",
                [preview_rows],
            )
            rows = raw.fetchall()
            result.countries = [code for code, _, _ in rows]
            result.row_actions = [(action, existing) for _, action, existing in rows]
        if check_only:
            result.preview = matching.preview(raw, file_format)
            transaction.set_rollback(True)
            return result
        raw.execute("SELECT count(*) FROM import_known_actors")
        actors_known = raw.fetchone()[0]
        # Through Django's cursor, so that the new actors' and sources' history carries the context.
        cursor.execute(inserts.WRITE_SQL)
        raw.execute("SELECT count(*) FROM import_known_actors")
        result.actors_created = raw.fetchone()[0] - actors_known
        acled = acled_source(file_format)
        parameters = {"user": user_id, "acled": acled}
        # History: the per-row triggers are paused for these inserts, and each statement writes the
        # events of its rows itself, under the context that inserts.WRITE_SQL set for the transaction.
        statements: list[tuple[type, str]] = []
        if file_format == "acled":
            # ACLED's figure is a claim carried by ACLED, and the estimate the archive's proposal from it.
            # The claims go in before their incidents (the keys are checked at commit), so that adding
            # them does not mark the new incidents' estimates stale.
            estimates(raw, acled)
            statements += [(Claim, inserts.INSERT_ACLED_CLAIMS), (Citation, inserts.INSERT_ACLED_CITATIONS)]
            statements += [(IncidentSource, inserts.INSERT_ACLED_SOURCE_LINKS)]
            statements += [(Incident, inserts.insert_incident_rows(ESTIMATE_COLUMNS))]
        else:
            statements += [(Incident, inserts.INSERT_INCIDENT_ROWS)]
        statements += [(IncidentActor, inserts.INSERT_ACTOR_LINKS), (IncidentSource, inserts.INSERT_SOURCE_LINKS)]
        with insert_history_paused(raw):
            for model, insert in statements:
                raw.execute(inserts.with_history(model, insert), parameters)
        update_existing(cursor, raw, file_format, given, user, reason or default_reason(file_format), parameters)
        result.incidents = result.actions.get("new", 0)
        result.updated = result.actions.get("update", 0)
        result.corrections = result.actions.get("correction", 0)
        result.unchanged = result.actions.get("unchanged", 0)
        result.timings["write"] = time.perf_counter() - clock
        # ON COMMIT DROP waits for the outermost commit; a second import in the same transaction needs the names.
        raw.execute(f"DROP TABLE IF EXISTS {', '.join(TEMP_TABLES)}")
        if dry_run:
            transaction.set_rollback(True)
    return result
