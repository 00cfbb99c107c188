"""Request-level protections: one rule for the client's address, CSP nonces, size caps.

The client address rule is shared by the API throttles and the login lockout, so a
client cannot dodge one by looking different to the other.
"""

from __future__ import annotations

from collections.abc import Callable

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from rest_framework.throttling import BaseThrottle

from archive.errors import bad_request


def client_ip(request: HttpRequest) -> str:
    """The client's address as the throttles see it.

    With ``ARCHIVE_PROXY_COUNT`` = 0 this is REMOTE_ADDR and X-Forwarded-For is ignored
    (anyone can send that header). Behind N reverse proxies that each append the address
    they received from, it is the N-th address from the right of X-Forwarded-For: the
    one our outermost proxy saw, which the client cannot forge.
    """
    return BaseThrottle().get_ident(request) or ""


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with a fresh nonce in the policy of every HTML response.

    django-csp adds the nonce only when a template asked for it; declaring it always keeps
    'unsafe-inline' out of reach (a browser ignores 'unsafe-inline' once a nonce is present)
    and lets any template add an inline script with ``nonce="{{ request.csp_nonce }}"``.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        if response.get("Content-Type", "").startswith("text/html"):
            str(request.csp_nonce)
        return super().get_policy_parts(request, response, report_only)


class RequestSizeLimitMiddleware:
    """Refuse request bodies above ``ARCHIVE_MAX_REQUEST_BYTES`` with 413 and a plain reason.

    Django's own caps (DATA_UPLOAD_MAX_MEMORY_SIZE) answer a bare 400 and do not apply to
    file uploads at all; this one covers every body, uploads included, before it is read.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        limit = settings.ARCHIVE_MAX_REQUEST_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit and length > limit:
            megabytes = limit / (1024 * 1024)
            return HttpResponse(
                f"Request too large: {length} bytes sent, the limit is {limit} bytes ({megabytes:g} MB). "
                "Split the file into smaller parts and upload them one at a time.",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


class RefuseNulBytesMiddleware:
    """Refuse a URL whose path or query string holds a NUL character, with a 400 that says so.

    PostgreSQL cannot store or compare text holding NUL, so such a value would fail in the
    database as a server error; no name, slug or search in the archive can contain one.
    Forms refuse NUL in posted fields themselves (Django's ProhibitNullCharactersValidator).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if "\x00" in request.path_info:
            return bad_request(request, BadRequest("The URL contains a NUL character (%00), which no address has."))
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                shown = name.replace("\x00", "%00")
                return bad_request(request, BadRequest(f"The parameter {shown!r} contains a NUL character (%00)."))
        return self.get_response(request)
