"""Load generators: wrk for request rates and latencies, and timed streaming downloads
(an HTTP export, or psql's COPY) read by the same consumer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")
CHUNK = 1 << 20


@dataclass
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    non_2xx: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk(url: str, *, seconds: float, connections: int = 1, headers: dict[str, str] | None = None) -> WrkResult:
    """Hammer one URL for ``seconds`` with ``connections`` open connections (one wrk thread)."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (Debian package 'wrk')")
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "60s", "-s", WRK_SCRIPT]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*map(str, command), url], capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    return WrkResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1e3,
        p95_ms=data["p95_us"] / 1e3,
        p99_ms=data["p99_us"] / 1e3,
        errors=data["errors"],
        non_2xx=data["non_2xx"],
    )


@dataclass
class Download:
    seconds: float
    bytes: int
    lines: int


def timed_stream(command: list[str], env: dict[str, str] | None = None) -> Download:
    """Run ``command`` and consume its stdout as fast as it comes; time it end to end."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    size = lines = 0
    while chunk := process.stdout.read(CHUNK):
        size += len(chunk)
        lines += chunk.count(b"\n")
    stderr = process.stderr.read().decode(errors="replace")
    if process.wait() != 0:
        raise RuntimeError(f"{command[0]} failed ({process.returncode}): {stderr.strip()[:500]}")
    return Download(seconds=time.perf_counter() - started, bytes=size, lines=lines)


def http_download(url: str, headers: dict[str, str] | None = None) -> Download:
    command = ["curl", "--silent", "--show-error", "--fail", "--no-buffer"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    return timed_stream([*command, url])


def psql_copy(dbname: str, copy_statement: str, session_options: str = "") -> Download:
    """The baseline: PostgreSQL's own COPY ... TO STDOUT, through psql over loopback TCP, with
    the same session settings as the application's connections."""
    return timed_stream(
        ["psql", "-X", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", dbname, "-v", "ON_ERROR_STOP=1",
         "-c", copy_statement],
        env={**os.environ, "PGOPTIONS": session_options},
    )  # fmt: skip
