"""Bulk CSV at PostgreSQL speed: ``COPY (SELECT ...) TO STDOUT`` streamed through psycopg.

Every exported row is written once, when it changes, into the read model's table for its
file (``incidents.readmodel``: ``incident_export``, ``claim_export``...), its cells already
formatted and made safe. An export picks its rows with the ORM (the IncidentFilter over the
read model) and copies them out in id order; PostgreSQL formats nothing more and Python only
moves bytes, in chunks, so memory stays flat whatever the size of the export.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import psycopg
from django.db import DEFAULT_DB_ALIAS
from django.db.models import QuerySet

from archive.replicas import new_connection
from archive.routers import reading_alias
from incidents.columns import TABLES, Table
from incidents.readmodel.definition import PUBLIC_SETTINGS, ready_table
from incidents.selection import Selection
from incidents.sql import compile_literal, sql_literal

CHUNK_SIZE = 256 * 1024
# Memory for an export of whole tables (it reads a ready table of the read model in id order;
# whether this still helps there was not measured again). A filtered export keeps the server's
# own setting: with more memory the planner trades its parallel hash join for one process's,
# which is slower (figures in docs/performance.md).
EXPORT_WORK_MEM = "64MB"


def rows_for(table: Table, selection: Selection) -> QuerySet:
    """The published rows of ``table`` that ``selection`` chooses."""
    if table.name == "incidents":
        return selection.incidents
    rows = {
        "claims": selection.claims,
        "citations": selection.citations,
        "actors": selection.actors,
        "sources": selection.sources,
    }
    return rows[table.name]()


def select_sql(table_name: str, selection: Selection) -> str:
    """The SELECT behind ``/export/<table_name>.csv``; raises InvalidQueryError."""
    ready = ready_table(TABLES[table_name])
    rows = rows_for(TABLES[table_name], selection)  # validates the query string
    if not selection.selects_rows:
        return f"SELECT * FROM {ready} ORDER BY id"
    return f"SELECT * FROM {ready} WHERE id IN ({compile_literal(rows.order_by().values('pk'))}) ORDER BY id"


def work_mem_for(selection: Selection) -> str | None:
    """``EXPORT_WORK_MEM`` for an export of whole tables, None (the server's setting) for one
    that ``selection`` filters."""
    return None if selection.selects_rows else EXPORT_WORK_MEM


def copy_sql(select: str) -> str:
    return f"COPY ({select}) TO STDOUT WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')"


def dedicated_connection(
    *, snapshot: bool = False, work_mem: str | None = EXPORT_WORK_MEM, alias: str | None = None
) -> psycopg.Connection:
    """A read-only connection of its own, so a long stream neither holds nor disturbs Django's.

    With ``snapshot`` every statement of its transaction sees the same committed data
    (REPEATABLE READ), so several files can describe one moment. ``work_mem`` None keeps the
    server's setting.
    """

    alias = alias or reading_alias()
    conn = new_connection(alias)
    conn.autocommit = True
    with conn.cursor() as cursor:
        if alias == DEFAULT_DB_ALIAS:  # a replica's connection reads the read model by its options
            cursor.execute(PUBLIC_SETTINGS)
        # JIT compiling the export's large expressions costs more than it saves.
        cursor.execute("SET jit = off")
        if work_mem is not None:
            cursor.execute(f"SET work_mem = {sql_literal(work_mem)}")
    conn.autocommit = False
    conn.read_only = True
    if snapshot:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    return conn


def copy_chunks(conn: psycopg.Connection, select: str, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """The CSV of ``select`` through ``conn``, in chunks of about ``chunk_size`` bytes."""
    with conn.cursor() as cursor, cursor.copy(copy_sql(select)) as copy:
        buffer = bytearray()
        for data in copy:  # one row per item; batch them so the server writes big chunks
            buffer += data
            if len(buffer) >= chunk_size:
                yield bytes(buffer)
                buffer.clear()
        if buffer:
            yield bytes(buffer)


def stream_csv(
    select: str, chunk_size: int = CHUNK_SIZE, *, work_mem: str | None = EXPORT_WORK_MEM, alias: str | None = None
) -> Iterator[bytes]:
    """Yield the CSV of ``select`` on a dedicated connection, closed when the stream ends or is dropped."""
    conn = dedicated_connection(work_mem=work_mem, alias=alias)
    try:
        yield from copy_chunks(conn, select, chunk_size)
    finally:
        conn.close()


def write_csv(conn: psycopg.Connection, select: str, out: BinaryIO) -> int:
    """Write the CSV of ``select`` to ``out`` through ``conn``; return the number of bytes written."""
    written = 0
    for chunk in copy_chunks(conn, select):
        out.write(chunk)
        written += len(chunk)
    return written
