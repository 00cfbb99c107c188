"""Logging: each record is written once, in development and in production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

EMIT = (
    "import logging; "
    "logging.getLogger('django.request').warning('probe from django'); "
    "logging.getLogger('incidents.facets').warning('probe from the archive'); "
    "logging.getLogger('django.server').warning('probe from runserver')"
)


@pytest.mark.parametrize("debug", ["1", "0"])
def test_every_log_record_is_written_once(debug):
    env = {**os.environ, "DJANGO_DEBUG": debug, "DJANGO_SECRET_KEY": "logging-test-only"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", EMIT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for probe in ("probe from django", "probe from the archive", "probe from runserver"):
        assert result.stderr.count(probe) == 1, result.stderr
