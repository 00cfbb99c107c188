"""Which database a public request reads from: a streaming replica, or the primary.

``choose(request)`` picks the alias; ``incidents.readmodel.reads.PublicReadsMiddleware`` then reads
under ``public_reads(alias)``.
An anonymous reader gets the replicas in turn, skipping one that cannot be reached (it is
tried again after ``RETRY_SECONDS``), and the primary when none answers or none is configured
(settings.DATABASE_REPLICAS). A signed-in editor reads the primary: what they just wrote.

A replica replays the primary's changes a little later, so a page or API item looked up on a
replica may not exist there yet: a view's 404 read from a replica is answered again from the
primary (``PrimaryOnMissMiddleware``), for every detail view at once, with no hook in the views.
``new_connection`` opens a connection of its own (streamed exports) to the chosen database.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from archive.routers import reading_alias

logger = logging.getLogger(__name__)

# How long a replica that could not be reached is left out before it is tried again.
RETRY_SECONDS = 10.0

_turns = itertools.count()
_down_until: dict[str, float] = {}
_down_lock = threading.Lock()


def is_editor(request: HttpRequest) -> bool:
    """A signed-in member of staff. Without a session cookie no session or user is read."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_staff)


def reachable(alias: str) -> bool:
    """Whether ``alias`` answers now: its connection opened, or kept and still usable."""
    with _down_lock:
        if _down_until.get(alias, 0.0) > time.monotonic():
            return False
    connection = connections[alias]
    try:
        # The kept connection is checked once per request (CONN_HEALTH_CHECKS), as the first
        # query would; a closed one is opened again.
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as error:
        logger.warning("read replica %s cannot be reached, reading from the primary: %s", alias, error)
        connection.close()
        with _down_lock:
            _down_until[alias] = time.monotonic() + RETRY_SECONDS
        return False
    return True


def choose(request: HttpRequest) -> str:
    """The alias a public request reads from, also kept as ``request.read_alias``."""
    request.read_alias = _choose(request)
    return request.read_alias


def _choose(request: HttpRequest) -> str:
    replicas = list(settings.DATABASE_REPLICAS)
    if not replicas or getattr(request, "read_from_primary", False) or is_editor(request):
        return DEFAULT_DB_ALIAS
    first = next(_turns)
    for step in range(len(replicas)):
        alias = replicas[(first + step) % len(replicas)]
        if reachable(alias):
            return alias
    return DEFAULT_DB_ALIAS


def missing_on_replica(request: HttpRequest, response: HttpResponseBase, alias: str) -> bool:
    """Whether a response read from ``alias`` should be answered again from the primary.

    A view's 404 from a replica (a GET or HEAD) may be a row published a moment ago that the
    replica has not replayed yet. A path that no view matched is not asked twice.
    """
    return (
        response.status_code == 404
        and alias != DEFAULT_DB_ALIAS
        and request.method in {"GET", "HEAD"}
        and getattr(request, "resolver_match", None) is not None
    )


def new_connection(alias: str | None = None) -> psycopg.Connection:
    """A new connection, outside Django's, to ``alias`` (by default the one reads go to now).

    A streamed response is read after the middleware has returned, outside ``reading_from``:
    the view takes ``reading_alias()`` and hands it to the code that opens the connection
    while streaming (a generator's body runs only then).
    """
    wrapper = connections[alias or reading_alias()]
    return wrapper.get_new_connection(wrapper.get_connection_params())


class PrimaryOnMissMiddleware:
    """A view's 404 read from a replica is answered again, from the primary.

    Placed before ``incidents.readmodel.reads.PublicReadsMiddleware``: the second time, ``choose``
    finds the request marked and answers the primary, and the requests after it run again.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if missing_on_replica(request, response, getattr(request, "read_alias", DEFAULT_DB_ALIAS)):
            request.read_from_primary = True
            response = self.get_response(request)
        return response
