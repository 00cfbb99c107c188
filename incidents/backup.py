"""Backups: ``pg_dump -Fc`` of the configured database, and ``pg_restore`` into an empty one.

The client tools must be at least as new as the server. They are looked for beside the
server first (Debian's /usr/lib/postgresql/<major>/bin), then on PATH, then in the
embedded server's package, so the same commands work with DATABASE_URL and with the
embedded PostgreSQL.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connections
from psycopg import sql


def _tool_major(tool: Path) -> int | None:
    try:
        output = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    match = re.search(r"\(PostgreSQL\) (\d+)", output)
    return int(match.group(1)) if match else None


def _candidate_dirs(server_major: int) -> list[Path]:
    dirs = [Path(f"/usr/lib/postgresql/{server_major}/bin")]
    on_path = shutil.which("pg_dump")
    if on_path:
        dirs.append(Path(on_path).resolve().parent)
    try:
        from pgserver import _commands

        dirs.append(Path(_commands.POSTGRES_BIN_PATH))
    except ImportError:
        pass
    dirs += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    return dirs


def client_tools(server_major: int) -> Path:
    """The directory holding a pg_dump/pg_restore pair that can handle this server."""
    for directory in _candidate_dirs(server_major):
        dump, restore = directory / "pg_dump", directory / "pg_restore"
        if dump.exists() and restore.exists() and (_tool_major(dump) or 0) >= server_major:
            return directory
    raise CommandError(
        f"No pg_dump/pg_restore of PostgreSQL {server_major} or newer found. "
        f"Install them (on Debian: apt-get install postgresql-client-{server_major})."
    )


def _server_major(alias: str) -> int:
    connection = connections[alias]
    connection.ensure_connection()
    return connection.pg_version // 10000


def _libpq_env(alias: str, database: str) -> dict[str, str]:
    """Connection settings for the client tools, passed in the environment (never on argv)."""
    settings = connections[alias].settings_dict
    env = dict(os.environ)
    env.update(
        PGHOST=settings.get("HOST") or "",
        PGPORT=str(settings.get("PORT") or ""),
        PGUSER=settings.get("USER") or "",
        PGDATABASE=database,
    )
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return {k: v for k, v in env.items() if v != ""}


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise CommandError(f"{Path(command[0]).name} failed:\n{result.stderr.strip()}")


def backup(*, out: Path, alias: str = "default") -> Path:
    """Write a custom-format dump of the database to ``out`` (atomically) and return it."""
    tools = client_tools(_server_major(alias))
    database = connections[alias].settings_dict["NAME"]
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    _run(
        [str(tools / "pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"],
        _libpq_env(alias, database),
    )
    partial.replace(out)
    return out


def _is_empty(alias: str, database: str) -> bool:
    env = _libpq_env(alias, database)
    import psycopg

    with psycopg.connect(**_conninfo(env)) as conn:
        count = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
            "AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
        ).fetchone()[0]
    return count == 0


def _conninfo(env: dict[str, str]) -> dict[str, str]:
    keys = {"PGHOST": "host", "PGPORT": "port", "PGUSER": "user", "PGPASSWORD": "password", "PGDATABASE": "dbname"}
    return {name: env[key] for key, name in keys.items() if key in env}


def create_database(*, name: str, alias: str = "default") -> None:
    """Create an empty database on the same server (used to restore beside the live one)."""
    connection = connections[alias]
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)).as_string(cursor.connection))


def restore(*, dump: Path, database: str | None = None, alias: str = "default") -> str:
    """Load ``dump`` into ``database`` (default: the configured one), which must be empty."""
    if not dump.is_file():
        raise CommandError(f"No backup file at {dump}.")
    database = database or connections[alias].settings_dict["NAME"]
    if not _is_empty(alias, database):
        raise CommandError(
            f"The database {database!r} is not empty. Restore loads into an empty database only, so "
            "nothing is overwritten: create a new one (createdb NAME) and point DATABASE_URL at it, "
            "or pass --database NAME to restore beside the current one."
        )
    tools = client_tools(_server_major(alias))
    _run(
        [
            str(tools / "pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={database}",
            str(dump),
        ],
        _libpq_env(alias, database),
    )
    return database
