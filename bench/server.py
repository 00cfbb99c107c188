"""gunicorn on loopback, one worker, and a sampler of that worker's memory."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from types import TracebackType

import psutil

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")

# One sync worker: it serves one request at a time, so requests/s is per worker and the
# worker's memory is the memory one request needs. The timeout only has to outlast the
# longest export of the run.
GUNICORN_ARGS = ["--workers", "1", "--worker-class", "sync", "--timeout", "1800", "--backlog", "64"]


def django_env(database_url: str, cache_prefix: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "bench-only-secret"),
        DJANGO_DEBUG="false",
        # Each dataset gets its own cache keys, so two servers never share cached pages.
        CACHE_KEY_PREFIX=cache_prefix,
    )
    return env


def collect_static(database_url: str) -> None:
    """Production serves hashed static files from STATIC_ROOT; collect them as a deployment would."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=django_env(database_url, "collectstatic"),
        check=True,
    )


class Server:
    """``with Server(url, port) as server:`` runs gunicorn until the block ends."""

    def __init__(self, database_url: str, port: int, log_path: Path, cache_prefix: str) -> None:
        self.database_url = database_url
        self.port = port
        self.log_path = log_path
        self.cache_prefix = cache_prefix
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        command = [
            str(GUNICORN),
            "archive.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            *GUNICORN_ARGS,
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=django_env(self.database_url, self.cache_prefix), stdout=log, stderr=log
        )
        self._wait_until_ready()
        return self

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer on {self.base_url}; see {self.log_path}")

    def worker(self) -> psutil.Process:
        children = psutil.Process(self.process.pid).children()
        if len(children) != 1:
            raise RuntimeError(f"expected one gunicorn worker, found {len(children)}")
        return children[0]


class PeakRss:
    """Samples a process's resident memory every few milliseconds; ``peak`` is the highest seen."""

    def __init__(self, process: psutil.Process, interval: float = 0.01) -> None:
        self.process = process
        self.interval = interval
        self.start = process.memory_info().rss
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self.process.memory_info().rss)
            except psutil.NoSuchProcess:
                return
            time.sleep(self.interval)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)
