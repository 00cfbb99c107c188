"""One database per scale, filled by ``generate_incidents`` and reused while it has the right size."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.server import ROOT, django_env

PG = ["psql", "-X", "-q", "-At", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1"]


def psql(dbname: str, sql: str) -> str:
    return subprocess.run([*PG, "-d", dbname, "-c", sql], capture_output=True, text=True, check=True).stdout.strip()


def database_url(dbname: str) -> str:
    return f"postgresql://postgres@127.0.0.1:5432/{dbname}"


@dataclass
class Dataset:
    scale: int
    dbname: str
    incidents: int
    published: int
    claims: int
    generated_seconds: float | None
    vacuum_seconds: float | None
    reused: bool

    @property
    def url(self) -> str:
        return database_url(self.dbname)


def _exists(dbname: str) -> bool:
    return psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{dbname}'") == "1"


def _manage(dbname: str, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=django_env(database_url(dbname), dbname), check=True
    )


def _incident_count(dbname: str) -> int:
    return int(psql(dbname, "SELECT count(*) FROM incidents_incident"))


def _metadata(dbname: str) -> dict:
    comment = psql(
        "postgres", f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{dbname}'"
    )
    try:
        return json.loads(comment) if comment else {}
    except ValueError:
        return {}


def ensure_dataset(scale: int, log: Callable[[str], None]) -> Dataset:
    """The database ``archive_bench_<scale>`` holding exactly ``scale`` generated incidents."""
    dbname = f"archive_bench_{scale}"
    if not _exists(dbname):
        psql("postgres", f"CREATE DATABASE {dbname}")
    _manage(dbname, "migrate", "--no-input", "-v", "0")
    reused = _incident_count(dbname) == scale and "generated_seconds" in _metadata(dbname)
    if not reused:
        log(f"generating {scale:,} incidents into {dbname} (generate_incidents)")
        if _incident_count(dbname):
            psql("postgres", f"DROP DATABASE {dbname} WITH (FORCE)")
            psql("postgres", f"CREATE DATABASE {dbname}")
            _manage(dbname, "migrate", "--no-input", "-v", "0")
        started = time.perf_counter()
        _manage(dbname, "generate_incidents", "--count", str(scale))
        generated = time.perf_counter() - started
        # A freshly loaded table has no visibility map or statistics until autovacuum gets to
        # it; a production database would have both, so the benchmark starts from there.
        started = time.perf_counter()
        psql(dbname, "VACUUM (ANALYZE)")
        vacuumed = time.perf_counter() - started
        meta = {"generated_seconds": round(generated, 1), "vacuum_seconds": round(vacuumed, 1), "scale": scale}
        psql("postgres", f"COMMENT ON DATABASE {dbname} IS '{json.dumps(meta)}'")
        log(f"generated in {generated:.0f} s, VACUUM ANALYZE in {vacuumed:.0f} s")
    else:
        # As an operator's hourly run would: the whole archive's counts, for the pages that
        # cannot count a million incidents in time (generate_incidents takes them itself).
        _manage(dbname, "count_facets", "-v", "0")
    meta = _metadata(dbname)
    return Dataset(
        scale=scale,
        dbname=dbname,
        incidents=_incident_count(dbname),
        published=int(psql(dbname, "SELECT count(*) FROM incidents_incident WHERE status = 'published'")),
        claims=int(psql(dbname, "SELECT count(*) FROM incidents_claim")),
        generated_seconds=meta.get("generated_seconds"),
        vacuum_seconds=meta.get("vacuum_seconds"),
        reused=reused,
    )
