"""The offline basemap's GeoJSON, served by the app (see ``incidents.basemap``).

Public and the same for everyone: cached a week by browsers and proxies, revalidated by ETag,
sent gzipped to the clients that accept it. Included from the root URLconf under ``basemap/``.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import path, re_path
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from incidents import basemap

MAX_AGE = 7 * 24 * 60 * 60
CONTENT_TYPE = "application/geo+json"


def _send(request: HttpRequest, payload: basemap.Payload | None) -> HttpResponse:
    if payload is None:
        raise Http404("No basemap data for this.")
    if payload.etag in {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}:
        response: HttpResponse = HttpResponseNotModified()
    elif "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(payload.gzipped, content_type=CONTENT_TYPE)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(payload.body, content_type=CONTENT_TYPE)
    response["ETag"] = payload.etag
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


@require_safe
def countries(request: HttpRequest) -> HttpResponse:
    return _send(request, basemap.countries())


@require_safe
def admin1(request: HttpRequest, code: str) -> HttpResponse:
    return _send(request, basemap.admin1(code))


urlpatterns = [
    path("countries.geojson", countries, name="basemap-countries"),
    re_path(r"^admin1/(?P<code>[A-Z]{2})\.geojson$", admin1, name="basemap-admin1"),
]
