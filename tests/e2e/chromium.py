"""Debian's chromium, driven by Playwright, for the browser tests.

Never a browser download: the tests use /usr/bin/chromium from Debian's package. Outside CI
a machine without it skips the browser tests; in CI (``CI`` set) a missing chromium fails
them, so a broken install step cannot pass as green.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import Browser, sync_playwright

# Playwright's sync API runs an event loop in the test's thread; Django's ORM is used from
# the same thread and never concurrently with it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

requires_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (apt-get install chromium)",
)


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless chromium from Debian's package, for the length of the block.

    While Playwright's event loop runs on this thread, Django's connection handler takes the
    thread for an async one and keeps a separate connection for the queries made in the
    block. Closing the database connections at the end of the block closes that one: left
    open, it would stop the test database from being dropped at the end of the run ("being
    accessed by other users").
    """
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()


# The viewports the page tests take: a laptop, and a phone as a reader in Bamako holds it.
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
