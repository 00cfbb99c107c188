"""ACLED's read API: ``/api/acled/acled/read`` and ``/api/acled/deleted/read``.

What the rows are and what the parameters mean is ``incidents.acled``; these views add what
every public API request gets (the API's throttles, published data only) and ACLED's shape:
``{"success": true, "count": N, "data": [...]}``, or ``{"success": false, "error":
[{"message": ...}]}`` with a 4xx. Whatever credentials a client sends (the legacy ``key`` and
``email``, a bearer token, a session cookie) are ignored: the public needs no login.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from incidents import acled
from incidents.renderers import JSONRenderer
from incidents.spreadsheet import neutralise_formula


def _json(body: dict, status: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(body), status=status, content_type="application/json")


def error_response(message: str, status: int) -> HttpResponse:
    return _json({"status": status, "success": False, "error": [{"message": message}]}, status=status)


def _csv(rows: list[dict[str, Any]], fields: list[str], filename: str) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow(["" if row[name] is None else neutralise_formula(row[name]) for name in fields])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


# ACLED's own documentation describes these; the archive's OpenAPI schema is of its own API.
@extend_schema(exclude=True)
class AcledReadView(APIView):
    """One of ACLED's read endpoints: parse, select a page, write the rows."""

    # No authentication: a client's credentials are accepted and ignored, and a bearer token
    # or a session cookie must not turn into a 401 or a CSRF check. The throttles are the API's.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    filters: Mapping[str, acled.Column]
    columns: tuple[str, ...]
    filename: str
    memo = ""  # the name under which page_of remembers where pages end ("" for none)
    page: Callable[[acled.AcledQuery], list]
    rows: Callable[[list, list[str]], list[dict[str, Any]]]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[BaseRenderer, str]:
        # The format is ACLED's _format or export_type, never the Accept header or ?format=.
        return JSONRenderer(), "application/json"

    def handle_exception(self, exc: Exception) -> HttpResponse:
        if isinstance(exc, exceptions.Throttled):
            response = error_response(f"Too many requests; retry in {exc.wait or 1:.0f} seconds.", 429)
            if exc.wait is not None:
                response["Retry-After"] = f"{max(1, round(exc.wait))}"
            return response
        if isinstance(exc, exceptions.APIException):
            return error_response(str(exc.detail), exc.status_code)
        raise exc

    def get(self, request: Request) -> HttpResponse:
        try:
            query = acled.AcledQuery.parse(request.query_params, self.filters, self.columns, memo=self.memo)
        except acled.AcledQueryError as invalid:
            return error_response(str(invalid), 400)
        rows = type(self).rows(type(self).page(query), query.fields)
        if query.format == "csv":
            return _csv(rows, query.fields, self.filename)
        return _json({"status": 200, "success": True, "count": len(rows), "messages": [], "data": rows})


class AcledDataView(AcledReadView):
    filters = acled.FILTERS
    columns = acled.COLUMNS
    filename = "acled"
    memo = "incidents"
    page = staticmethod(acled.incident_page)
    rows = staticmethod(acled.acled_rows)


class AcledDeletedView(AcledReadView):
    filters = acled.DELETED_FILTERS
    columns = acled.DELETED_COLUMNS
    filename = "deleted"
    page = staticmethod(acled.deleted_page)
    rows = staticmethod(acled.deleted_rows)
