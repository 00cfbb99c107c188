"""Template context every page needs."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def archive(request: HttpRequest) -> dict[str, str]:
    return {"ARCHIVE_NAME": settings.ARCHIVE_NAME}
