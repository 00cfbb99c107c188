"""How a public request reads: as the reader role, from the read model only, on the primary or
a replica (``PublicReadsMiddleware``, ``public_reads``), having settled first who is asking."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.request import Request
from rest_framework.settings import api_settings

from archive.replicas import choose
from archive.routers import reading_from
from incidents.readmodel.definition import PUBLIC_SETTINGS, RESET_SETTINGS


@contextlib.contextmanager
def public_reads(alias: str = "default") -> Iterator[None]:
    """Queries inside read the read model as the reader role, on ``alias`` (the primary, or a
    replica whose connection always does)."""
    conn = connections[alias]
    # The primary's connection switches for the request and back. Sent on the driver's own
    # connection: settings of the connection, not the page's queries (which tests count).
    switch = alias == "default"
    if switch:
        conn.ensure_connection()
        conn.connection.execute(PUBLIC_SETTINGS)
    try:
        with reading_from(alias):
            yield
    finally:
        if switch and not conn.needs_rollback and conn.connection is not None:
            conn.connection.execute(RESET_SETTINGS)


class PublicReadsMiddleware:
    """Every request outside the admin reads the read model (see ``public_reads``)."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path.startswith((*EDITORIAL_PATHS, *NO_DATABASE_PATHS)):
            return self.get_response(request)
        refused = identify_first(request)
        if refused is not None:
            return refused
        alias = choose(request)
        with public_reads(alias):
            return self.get_response(request)


def identify_first(request: HttpRequest) -> HttpResponseBase | None:
    """Who is asking, settled before the request reads as the reader role, which may not read
    sessions or accounts: a signed-in user's session, and credentials sent to the API (checked
    by its authenticators, failures counted towards the lockout, the result handed to the view).
    Returns the API's refusal of credentials it does not accept."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        _ = request.user.is_authenticated
    if "HTTP_AUTHORIZATION" not in request.META:
        return None
    authenticators = [cls() for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    api_request = Request(request, authenticators=authenticators)
    try:
        request._force_auth_user, request._force_auth_token = api_request.user, api_request.auth
    except (AuthenticationFailed, NotAuthenticated) as refused:
        # As the API answers it: 401 with the first authenticator's challenge, else 403.
        header = authenticators[0].authenticate_header(api_request) if authenticators else None
        response = JsonResponse({"detail": str(refused.detail)}, status=401 if header else 403)
        if header:
            response["WWW-Authenticate"] = header
        return response
    return None


EDITORIAL_PATHS = ("/admin/",)
# Served from installed files, with no query: no connection is opened for them.
NO_DATABASE_PATHS = ("/basemap/",)
