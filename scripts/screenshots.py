"""The README's screenshots, taken from the demo data in a real browser.

Run it with ``make screenshots`` (or ``.venv/bin/python scripts/screenshots.py``). It loads the
demo into the database of ``DATABASE_URL``, or the embedded PostgreSQL without it (the same data
``make demo`` serves, so never point it at a production database), serves the app on a free
local port, and drives Debian's chromium (``/usr/bin/chromium``, never a browser download) at
1280×800 through Playwright:

- ``docs/screenshots/home.png``: the overview page;
- ``docs/screenshots/incident.png``: the seed incident's page, its first two screens;
- ``docs/screenshots/admin-incident.png``: the claims on the seed incident's change form (the
  first one opened), logged in as the demo editor.

Everything it starts (the server, the browser, the embedded PostgreSQL if it was not running)
is stopped again when it ends, on an error or Ctrl-C too.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT = 1280, 800
# The demo editor of ``manage.py create_demo_users``.
EDITOR = ("editor", "demo-editor-password")


def child_env() -> dict[str, str]:
    """The demo's settings: debug on, so no HTTPS redirect and no one-time code at the admin's login."""
    env = dict(os.environ)
    env.update(DJANGO_DEBUG="1", ARCHIVE_REQUIRE_2FA="0", DJANGO_ALLOWED_HOSTS="127.0.0.1")
    return env


def manage(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=child_env(), check=True, capture_output=True, text=True
    )
    return result.stdout


def embedded_db_running() -> bool:
    # Through ``archive.db``'s command line, which needs no Django settings (as the Makefile does).
    return subprocess.run([sys.executable, "-m", "archive.db", "running"], cwd=ROOT).returncode == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"The server stopped with status {server.returncode} before answering.")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    raise RuntimeError(f"The server did not answer at {url} within {timeout:.0f} s.")


@contextmanager
def serving() -> Iterator[str]:
    """The app under ``runserver`` on a free port, for the length of the block."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def seed_incident_id() -> int:
    code = "from incidents.demo.seed import SEED_TITLE; from incidents.models import Incident; " + (
        "print(Incident.objects.get(title=SEED_TITLE).pk)"
    )
    return int(manage("shell", "--no-imports", "-c", code).strip())


def settle(page: Page) -> None:
    """Wait for the page's scripts (the map, the charts) to finish drawing."""
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)


def take(page: Page, name: str, screens: float, start: str = "") -> Path:
    """A PNG of the page from its top (or from the group of inlines holding ``start``), at most
    ``screens`` viewport heights tall."""
    height = page.evaluate("document.documentElement.scrollHeight")
    top = 0
    if start:
        top = page.evaluate(
            "(selector) => document.querySelector(selector).closest('.inline-group')"
            ".getBoundingClientRect().top + window.scrollY - 16",
            start,
        )
    path = OUT / name
    page.screenshot(
        path=str(path),
        full_page=True,
        clip={"x": 0, "y": top, "width": WIDTH, "height": min(height - top, HEIGHT * screens)},
    )
    return path


def shoot(url: str, incident_id: int) -> list[Path]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="en-GB")
            page = context.new_page()
            shots = []

            page.goto(f"{url}/")
            settle(page)
            shots.append(take(page, "home.png", screens=1.65))

            page.goto(f"{url}/incidents/{incident_id}/")
            settle(page)
            shots.append(take(page, "incident.png", screens=2))

            page.goto(f"{url}/admin/login/")
            page.fill("#id_username", EDITOR[0])
            page.fill("#id_password", EDITOR[1])
            page.click("input[type=submit]")
            page.wait_for_url(f"{url}/admin/")
            page.goto(f"{url}/admin/incidents/incident/{incident_id}/change/")
            settle(page)
            # The claims: one row each, the first opened to its full editor.
            page.locator(".archive-claim-summary").first.click()
            shots.append(take(page, "admin-incident.png", screens=1.5, start=".archive-claim-row"))
            return shots
        finally:
            browser.close()


def main() -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: install Debian's chromium package (make browser).", file=sys.stderr)
        return 1
    # Without DATABASE_URL the first command below starts the embedded server; stop it at the end
    # unless something else (a `make demo`) had it running already.
    stop_db = not os.environ.get("DATABASE_URL") and not embedded_db_running()
    try:
        print("Loading the demo data…", flush=True)
        manage("migrate", "--no-input")
        manage("load_demo")
        manage("create_demo_users")
        incident_id = seed_incident_id()
        OUT.mkdir(parents=True, exist_ok=True)
        with serving() as url:
            for path in shoot(url, incident_id):
                print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")
    finally:
        if stop_db:
            subprocess.run([sys.executable, "-m", "archive.db", "stop"], cwd=ROOT, check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
