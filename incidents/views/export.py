"""Bulk downloads for researchers: streamed CSV exports and the /data/ page."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView
from rest_framework.throttling import SimpleRateThrottle

from archive.routers import reading_alias
from incidents import export
from incidents.columns import TABLES
from incidents.selection import InvalidQueryError, Selection


class ExportRateThrottle(SimpleRateThrottle):
    """Bulk exports are heavy: each client address gets the "export" rate from the settings."""

    scope = "export"

    def get_cache_key(self, request: HttpRequest, view: object) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


@require_safe
def export_csv(request: HttpRequest, table: str) -> HttpResponse:
    """``/export/<table>.csv``: the published rows selected by the IncidentFilter query string."""
    if table not in TABLES:
        raise Http404("No such export.")
    throttle = ExportRateThrottle()
    if not throttle.allow_request(request, None):
        response = JsonResponse({"detail": "Too many exports from this address; retry later."}, status=429)
        response["Retry-After"] = str(math.ceil(throttle.wait() or 1))
        return response
    selection = Selection(request.GET, accepted=())
    try:
        select = export.select_sql(table, selection)
    except InvalidQueryError as invalid:
        return JsonResponse({"errors": invalid.errors}, status=400)
    stream = export.stream_csv(select, work_mem=export.work_mem_for(selection), alias=reading_alias())
    response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table}.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


class DataView(TemplateView):
    template_name = "incidents/data.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["tables"] = TABLES.values()
        context["archive_name"] = settings.ARCHIVE_NAME
        context["base_url"] = settings.ARCHIVE_BASE_URL.rstrip("/")
        return context
