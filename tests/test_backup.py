"""`make backup` / `make restore`: a pg_dump archive restores the same archive, row for row.

The round trip runs the real commands in their own processes against scratch databases
on the test server, as `make backup` and `make restore` would, so it needs no committed
data in the test database.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

# The published incidents as the public sees them, one line each, in a fixed order.
PUBLISHED_DIGEST_SQL = """
    SELECT md5(coalesce(string_agg(concat_ws('|', i.id, i.title, i.summary, i.start_date, i.country,
                                             i.fatalities_low, i.fatalities_best, i.fatalities_high, i.grading),
                                   E'\\n' ORDER BY i.id), ''))
    FROM incidents_incident i WHERE i.status = 'published'
"""
TABLES_SQL = """
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name
"""
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"


def connect(database: str) -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname=database,
        autocommit=True,
    )


def database_url(database: str) -> str:
    settings = connection.settings_dict
    user = quote(settings["USER"] or "postgres")
    password = f":{quote(settings['PASSWORD'])}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or ""
    if host.startswith("/"):
        return f"postgresql://{user}{password}@/{database}?host={quote(host)}"
    return f"postgresql://{user}{password}@{host}:{settings['PORT'] or 5432}/{database}"


def manage(*args: str, database: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url(database), "DJANGO_DEBUG": "1"}
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    return result


def snapshot(database: str) -> tuple[dict[str, int], str]:
    """Row counts of every table (history included) and the digest of the published incidents."""
    with connect(database) as conn:
        tables = [row[0] for row in conn.execute(TABLES_SQL)]
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        digest = conn.execute(PUBLISHED_DIGEST_SQL).fetchone()[0]
    return counts, digest


def drop(database: str) -> None:
    with connect("postgres") as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(scope="module")
def source_archive(django_db_setup, django_db_blocker) -> Iterator[str]:
    """A scratch database holding the demo data and a draft citing a confidential source."""
    with django_db_blocker.unblock():
        name = f"{connection.settings_dict['NAME']}_backup_source"
        drop(name)
        with connect("postgres") as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        for command in (["migrate", "--no-input", "-v", "0"], ["load_demo", "-v", "0"]):
            result = manage(*command, database=name)
            assert result.returncode == 0, result.stderr
        draft = manage(
            "shell",
            "-v",
            "0",
            "-c",
            "from tests.factories import ClaimFactory, SourceFactory; "
            "ClaimFactory(incident__title='A draft still being written', source=SourceFactory(confidential=True))",
            database=name,
        )
        assert draft.returncode == 0, draft.stderr
        yield name
        drop(name)


@pytest.fixture
def scratch_database(django_db_setup, django_db_blocker) -> Iterator[str]:
    with django_db_blocker.unblock():
        name = f"{connection.settings_dict['NAME']}_restored"
        drop(name)
        yield name
        drop(name)


def test_a_backup_restores_into_an_empty_database_with_the_same_rows_and_published_data(
    source_archive, scratch_database, tmp_path: Path, django_db_blocker
):
    dump = tmp_path / "archive.dump"
    backup = manage("backup", "--out", str(dump), database=source_archive)
    assert backup.returncode == 0, backup.stderr
    assert dump.read_bytes()[:5] == b"PGDMP", "pg_dump's custom format"

    restore = manage("restore", "--file", str(dump), "--database", scratch_database, database=source_archive)
    assert restore.returncode == 0, restore.stderr

    with django_db_blocker.unblock():
        original_counts, original_digest = snapshot(source_archive)
        restored_counts, restored_digest = snapshot(scratch_database)
    assert restored_counts == original_counts
    assert original_counts["incidents_incident"] >= 2
    assert original_counts["incidents_claimevent"] > 0, "history is part of the backup"
    assert restored_digest == original_digest != EMPTY_MD5


def test_the_restored_database_keeps_recording_history(source_archive, scratch_database, tmp_path, django_db_blocker):
    dump = tmp_path / "archive.dump"
    assert manage("backup", "--out", str(dump), database=source_archive).returncode == 0
    # `make restore` loads into the configured database, created empty beforehand (createdb).
    with django_db_blocker.unblock(), connect("postgres") as conn:
        conn.execute(f'CREATE DATABASE "{scratch_database}"')
    restore = manage("restore", "--file", str(dump), database=scratch_database)
    assert restore.returncode == 0, restore.stderr
    with django_db_blocker.unblock(), connect(scratch_database) as conn:
        before = conn.execute("SELECT count(*) FROM incidents_incidentevent").fetchone()[0]
        conn.execute("UPDATE incidents_incident SET title = title || ' (restored)'")
        after = conn.execute("SELECT count(*) FROM incidents_incidentevent").fetchone()[0]
        incidents = conn.execute("SELECT count(*) FROM incidents_incident").fetchone()[0]
    assert after - before == incidents > 0


def test_restore_refuses_a_database_that_is_not_empty(source_archive, tmp_path, django_db_blocker):
    dump = tmp_path / "archive.dump"
    assert manage("backup", "--out", str(dump), database=source_archive).returncode == 0
    with django_db_blocker.unblock():
        before = snapshot(source_archive)
    result = manage("restore", "--file", str(dump), database=source_archive)
    assert result.returncode == 1
    assert "is not empty" in result.stderr
    with django_db_blocker.unblock():
        assert snapshot(source_archive) == before


def test_restore_names_a_missing_backup_file(source_archive, tmp_path):
    result = manage("restore", "--file", str(tmp_path / "missing.dump"), database=source_archive)
    assert result.returncode == 1
    assert "No backup file" in result.stderr
