"""The embedded PostgreSQL (archive/db.py): the Makefile's check and stop, outside Django."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from archive.db import embedded_server_pid, stop_embedded

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def embedded_server(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        pgdata = tmp_path / "pgdata"
        server = pgserver.get_server(pgdata, cleanup_mode=None)
    try:
        yield pgdata, server.get_pid()
    finally:
        stop_embedded(pgdata)


def test_the_stop_command_stops_a_running_embedded_server(embedded_server):
    pgdata, pid = embedded_server
    assert embedded_server_pid(pgdata) == pid

    assert stop_embedded(pgdata) is True

    assert embedded_server_pid(pgdata) is None
    assert not (pgdata / "postmaster.pid").exists()
    assert stop_embedded(pgdata) is False  # nothing left to stop


def test_a_data_directory_without_a_live_server_is_not_running(tmp_path):
    assert embedded_server_pid(tmp_path) is None
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / "postmaster.pid").write_text(f"{dead.stdout.strip()}\n{tmp_path}\n")
    assert embedded_server_pid(tmp_path) is None


def test_the_makefile_commands_need_no_django_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    running = subprocess.run(
        [sys.executable, "-m", "archive.db", "running"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    usage = subprocess.run(
        [sys.executable, "-m", "archive.db", "start"], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert running.returncode in (0, 1), running.stderr
    assert usage.returncode == 2 and "usage" in usage.stderr


def test_a_start_gets_past_a_list_of_processes_left_empty_by_an_interrupted_write(embedded_server):
    # pgserver rewrites .handle_pids.json in place: a process stopped mid-write leaves it
    # empty, and pgserver alone then fails to start with a JSONDecodeError.
    pgdata, _ = embedded_server
    stop_embedded(pgdata)
    (pgdata / ".handle_pids.json").write_text("")
    start = (
        "import sys, warnings, pgserver; from pathlib import Path; from archive.db import _get_server; "
        "warnings.simplefilter('ignore'); print(_get_server(pgserver, Path(sys.argv[1])).get_pid())"
    )

    started = subprocess.run([sys.executable, "-c", start, str(pgdata)], cwd=ROOT, capture_output=True, text=True)

    assert started.returncode == 0, started.stderr
    assert embedded_server_pid(pgdata) == int(started.stdout.strip().splitlines()[-1])
    assert isinstance(json.loads((pgdata / ".handle_pids.json").read_text()), list)
