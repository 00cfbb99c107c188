"""Debian's chromium, driven by Playwright, for the browser tests.

Never a browser download: the tests use /usr/bin/chromium from Debian's package. Outside CI
a machine without it skips the browser tests; in CI (``CI`` set) a missing chromium fails
them, so a broken install step cannot pass as green.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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


def launch(playwright: object) -> object:
    """A headless chromium from Debian's package."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
