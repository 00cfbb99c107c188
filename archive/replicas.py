"""Which database a public request reads (see incidents.readmodel.public_reads)."""

from __future__ import annotations

from django.http import HttpRequest


def choose(request: HttpRequest) -> str:
    """The primary: no read replica is configured."""
    return "default"
