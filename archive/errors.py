"""Error responses: API and export clients get JSON, as the OpenAPI schema documents, readers
get a page that says what went wrong. Used for the errors Django answers itself (unknown
URLs, refused requests, server errors), which never reach DRF's own exception handler."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.views import defaults

# Paths whose clients read JSON, whatever the error.
_MACHINE_PATHS = ("/api/", "/export/")


def _for_machines(request: HttpRequest) -> bool:
    return request.path.startswith(_MACHINE_PATHS)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    # Only BadRequest carries a message written for the client; other refusals (a
    # SuspiciousOperation) are kept vague on purpose.
    detail = str(exception) if type(exception) is BadRequest and str(exception) else "Bad request."
    if _for_machines(request):
        return JsonResponse({"detail": detail}, status=400)
    return TemplateResponse(request, "400.html", {"detail": detail}, status=400).render()


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _for_machines(request):
        return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)
    return defaults.permission_denied(request, exception)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _for_machines(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _for_machines(request):
        return JsonResponse({"detail": "Server error; it has been logged."}, status=500)
    return defaults.server_error(request)
