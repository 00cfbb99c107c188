"""The public read model: the published archive in a schema of its own, shaped for reading.

Schema ``readmodel`` holds, under the editorial tables' own names, the rows the public may
see and nothing else: published incidents (and retracted ones, for their notices), their
claims, citations, links, relations, approved corrections and change history, the actors,
sources and people they show, each row with what the public must not read already removed
(internal notes, who did what, a confidential source's or person's identity). Beside them,
one table per exported file (``incident_export``, ``claim_export``...) holds each row's CSV
cells written once, and ``incident_items`` each incident's API list item.

Public requests read with ``SET ROLE archive_reader`` and ``search_path = readmodel, public``
(``reads.public_reads``): the ORM's queries, unchanged, find the read model's tables first, and the
role may read nothing else, so a draft cannot reach a public page by any query, written or
forgotten. Which rows are public is still decided in one place, the QuerySets of
``incidents.models``: their SQL, compiled by ``definition.mirrors``, is what fills the read
model.

The database keeps the read model current in the same transaction as every write: statement
triggers on the editorial tables hand the incidents, actors, sources and people a statement
touched to ``readmodel.refresh()``, a PL/pgSQL function written by ``functions``, which
brings their rows in line set-wise (one call for a whole import), writing only the rows that
are new or differ, then writes again the exported rows and items those changes reach.
``ensure`` installs it after every migration (and rebuilds the tables when the editorial
tables' shape changed); ``rebuild`` fills it from scratch; ``differences`` compares it with a
fresh build (``check_read_model``); ``suspended`` drops it for a bulk load and builds it once
at the end.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from incidents.readmodel.definition import (
    PUBLIC_OPTIONS,
    PUBLIC_SETTINGS,
    RESET_SETTINGS,
    ROLE,
    SCHEMA,
    SHARED,
    SHARED_TABLES,
    mirrors,
    ready_table,
    ready_tables,
)
from incidents.readmodel.functions import refresh_function, trigger_sql
from incidents.readmodel.reads import PublicReadsMiddleware, public_reads
from incidents.sql import sql_literal

__all__ = [
    "PUBLIC_OPTIONS",
    "PUBLIC_SETTINGS",
    "RESET_SETTINGS",
    "ROLE",
    "SCHEMA",
    "PublicReadsMiddleware",
    "differences",
    "ensure",
    "public_reads",
    "ready_table",
    "rebuild",
    "refresh_incidents",
    "suspended",
]


def _columns(cursor: CursorWrapper, table: str) -> list[str]:
    """The columns of editorial ``table``, in order. A generated column (the search document) is
    copied as it is stored rather than computed again."""
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
        "ORDER BY attnum",
        [f"public.{table}"],
    )
    return [row[0] for row in cursor.fetchall()]


def _all_tables(schema: str) -> list[str]:
    return [f"{schema}.{mirror.table}" for mirror in mirrors()] + [f"{schema}.{t.name}" for t in ready_tables()]


# Columns only the editors look rows up by: the copies keep no index on them.
EDITORS_COLUMNS = (
    "revision_of_id", "revises_id", "import_key", "pgh_context_id", "created_by_id", "last_edited_by_id",
    "reviewed_by_id", "published_by_id", "disclosure_requested_by_id",
)  # fmt: skip
# The public change log finds history by these alone.
HISTORY_KEYS = ("pgh_obj_id", "incident_id", "claim_id")


def _unread_indexes_dropped(schema: str) -> str:
    """Drop the copied indexes the public never reads by, which would only slow every refresh."""
    editors = ", ".join(sql_literal(c) for c in EDITORS_COLUMNS)
    history = ", ".join(sql_literal(c) for c in HISTORY_KEYS)
    return f"""
DO $drop$ DECLARE index regclass; BEGIN
  FOR index IN
    SELECT i.indexrelid::regclass FROM pg_index i
    JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE n.nspname = {sql_literal(schema)} AND NOT i.indisprimary AND (
      EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
              AND a.attname IN ({editors}))
      OR t.relname LIKE '%event' AND NOT EXISTS (
        SELECT FROM pg_attribute a
        WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[0] AND a.attname IN ({history})))
  LOOP
    EXECUTE format('DROP INDEX %s', index);
  END LOOP;
END $drop$;"""


def schema_sql(schema: str, columns: dict[str, list[str]]) -> str:
    """The read model's tables and views in ``schema`` (dropped and made anew), its functions."""
    statements = [f"DROP SCHEMA IF EXISTS {schema} CASCADE;", f"CREATE SCHEMA {schema};"]
    for mirror in mirrors():
        statements.append(f"CREATE TABLE {schema}.{mirror.table} (LIKE public.{mirror.table} INCLUDING INDEXES);")
    statements.append(_unread_indexes_dropped(schema))
    for table in ready_tables():
        statements.append(
            f"CREATE TABLE {schema}.{table.name} AS {table.select('SELECT NULL::bigint WHERE false')} WITH NO DATA;"
        )
        statements.append(f"ALTER TABLE {schema}.{table.name} ADD PRIMARY KEY (id);")
    for model in SHARED:
        statements.append(
            f"CREATE VIEW {schema}.{model._meta.db_table} AS SELECT * FROM public.{model._meta.db_table};"
        )
    for name in SHARED_TABLES:
        statements.append(f"CREATE VIEW {schema}.{name} AS SELECT * FROM public.{name};")
    statements.append(refresh_function(schema, columns))
    statements.append(
        f"CREATE FUNCTION {schema}.emptied() RETURNS trigger LANGUAGE plpgsql AS $e$ BEGIN "
        f"TRUNCATE {', '.join(_all_tables(schema))}; RETURN NULL; END $e$;"
    )
    return "\n".join(statements)


def grants_sql(schema: str) -> str:
    return f"""
GRANT USAGE ON SCHEMA {schema} TO {ROLE};
GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {ROLE};
-- The throttles' counters, when no Redis keeps them, are written by public requests.
DO $grant$ BEGIN
  IF to_regclass({sql_literal("public." + CACHE_TABLE)}) IS NOT NULL THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON public.{CACHE_TABLE} TO {ROLE};
  END IF;
END $grant$;"""


# The database cache's table (archive.settings, without Redis).
CACHE_TABLE = "archive_cache"


@dataclass
class Definition:
    """The columns of the read model's tables: the editorial tables' own, and those of the
    rows written ready (named by their SELECTs)."""

    columns: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls) -> Definition:
        with connection.cursor() as cursor:
            columns = {mirror.table: _columns(cursor, mirror.table) for mirror in mirrors()}
            for table in ready_tables():
                cursor.execute(f"SELECT * FROM ({table.select('SELECT NULL::bigint WHERE false')}) AS t LIMIT 0")
                columns[table.name] = [column.name for column in cursor.description]
        return cls(columns)

    def fingerprint(self) -> str:
        text = schema_sql(SCHEMA, self.columns) + trigger_sql(SCHEMA)
        return hashlib.sha256(text.encode()).hexdigest()


def _fill(cursor: CursorWrapper, schema: str) -> None:
    cursor.execute(
        f"SELECT {schema}.refresh("
        "ARRAY(SELECT id FROM public.incidents_incident), ARRAY(SELECT id FROM public.incidents_actor), "
        "ARRAY(SELECT id FROM public.incidents_source), ARRAY(SELECT id FROM public.incidents_person), "
        "ARRAY(SELECT id FROM public.incidents_incident))"
    )


def rebuild() -> None:
    """Make the read model anew from the editorial tables, in one transaction."""
    definition = Definition.read()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(schema_sql(SCHEMA, definition.columns))
        cursor.execute(f"CREATE TABLE {SCHEMA}.definition (fingerprint text NOT NULL)")
        cursor.execute(f"INSERT INTO {SCHEMA}.definition VALUES (%s)", [definition.fingerprint()])
        cursor.execute(trigger_sql(SCHEMA))
        cursor.execute(grants_sql(SCHEMA))
        _fill(cursor, SCHEMA)
        cursor.execute(f"ANALYZE {', '.join(_all_tables(SCHEMA))}")


def ensure(**_: object) -> None:
    """After migrations: rebuild the read model if the editorial tables or its definition changed."""
    definition = Definition.read()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"{SCHEMA}.definition"])
        current = None
        if cursor.fetchone()[0] is not None:
            cursor.execute(f"SELECT fingerprint FROM {SCHEMA}.definition")
            current = cursor.fetchone()[0]
    if current != definition.fingerprint():
        rebuild()


def differences() -> list[str]:
    """Where the read model differs from one built now from the editorial tables (empty: none)."""
    check = f"{SCHEMA}_check"
    definition = Definition.read()
    found = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(schema_sql(check, definition.columns))
        _fill(cursor, check)
        for table in [mirror.table for mirror in mirrors()] + [t.name for t in ready_tables()]:
            for a, b, what in ((SCHEMA, check, "not expected"), (check, SCHEMA, "missing")):
                cursor.execute(f"SELECT count(*) FROM (TABLE {a}.{table} EXCEPT ALL TABLE {b}.{table}) AS d")
                count = cursor.fetchone()[0]
                if count:
                    found.append(f"{table}: {count} row(s) {what}")
        cursor.execute(f"DROP SCHEMA {check} CASCADE")
    return found


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """For a bulk load: the read model is dropped with its triggers and built anew once the block
    succeeds. In between, and after a failure, public reads fail rather than show stale rows;
    ``migrate`` (``ensure``) or ``rebuild_read_model`` builds it again."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    yield
    rebuild()


def refresh_incidents(ids: list[int], parts: list[int] | None = None) -> None:
    """Bring the read model up to date for ``ids`` now (the triggers do this on every write),
    and for the parts of ``parts`` (by default of all of them): what a trigger on the incidents
    passes after an edit that changed no status is ``parts=[]``."""
    parts = list(ids) if parts is None else list(parts)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {SCHEMA}.refresh(%s::bigint[], '{{}}', '{{}}', '{{}}', %s::bigint[])", [list(ids), parts]
        )
