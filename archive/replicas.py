"""Which database a public request reads from: a streaming replica, or the primary.

``choose(request)`` picks the alias; the caller reads under ``routers.public_reads(alias)``.
An anonymous reader gets the replicas in turn, skipping one that cannot be reached (it is
tried again after ``RETRY_SECONDS``), and the primary when none answers or none is configured
(settings.DATABASE_REPLICAS). A signed-in editor reads the primary: what they just wrote.

A replica replays the primary's changes a little later, so a page or API item looked up on a
replica may not exist there yet: ``PublicReadsMiddleware`` answers a view's 404 from a replica
again from the primary, and ``on_primary_if_missing`` does the same for one lookup.
``new_connection`` opens a connection of its own (streamed exports) to the chosen database.
"""

from __future__ import annotations

import functools
import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import psycopg
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from rest_framework.exceptions import NotFound

from archive.routers import ReadModelRouter, public_reads

logger = logging.getLogger(__name__)

# How long a replica that could not be reached is left out before it is tried again.
RETRY_SECONDS = 10.0

_turns = itertools.count()
_down_until: dict[str, float] = {}
_down_lock = threading.Lock()

P = ParamSpec("P")
R = TypeVar("R")


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
    """The alias a public request reads from."""
    replicas = list(settings.DATABASE_REPLICAS)
    if not replicas or is_editor(request):
        return DEFAULT_DB_ALIAS
    first = next(_turns)
    for step in range(len(replicas)):
        alias = replicas[(first + step) % len(replicas)]
        if reachable(alias):
            return alias
    return DEFAULT_DB_ALIAS


def reads_alias() -> str:
    """The database reads go to here and now: the alias of ``public_reads``, else the primary."""
    return ReadModelRouter().db_for_read(None) or DEFAULT_DB_ALIAS


def on_primary_if_missing(lookup: Callable[P, R]) -> Callable[P, R]:
    """``lookup`` that, when it finds nothing on a replica (404, DoesNotExist), runs again on the primary.

    An incident published a moment ago is on the primary before it reaches the replicas; its
    page must not answer 404 meanwhile. Wrap the detail view (or its ``retrieve``), so that its
    related rows are read from the same database as the item; an id unknown to the primary too
    still ends in 404, after one more query on the primary.
    """

    @functools.wraps(lookup)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return lookup(*args, **kwargs)
        except (Http404, NotFound, ObjectDoesNotExist):
            if reads_alias() == DEFAULT_DB_ALIAS:
                raise
        with public_reads(DEFAULT_DB_ALIAS):
            return lookup(*args, **kwargs)

    return wrapper


def new_connection(alias: str | None = None) -> psycopg.Connection:
    """A new connection, outside Django's, to ``alias`` (by default the one reads go to now).

    A streamed response is read after the view returns, outside ``public_reads``: the view
    takes ``reads_alias()`` and hands it to the code that opens the connection while streaming.
    """
    wrapper = connections[alias or reads_alias()]
    return wrapper.get_new_connection(wrapper.get_connection_params())


class PublicReadsMiddleware:
    """Every request outside the admin reads under ``public_reads(choose(request))``.

    A GET or HEAD that a view answered 404 from a replica is answered again from the primary:
    what was published a moment ago may not have reached the replica yet. A path no view
    matches is not asked twice. Placed after AuthenticationMiddleware, which gives ``choose``
    the user.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info.startswith("/admin/"):
            return self.get_response(request)
        alias = choose(request)
        with public_reads(alias):
            response = self.get_response(request)
        if (
            response.status_code == 404
            and alias != DEFAULT_DB_ALIAS
            and request.method in {"GET", "HEAD"}
            and getattr(request, "resolver_match", None) is not None
        ):
            with public_reads(DEFAULT_DB_ALIAS):
                response = self.get_response(request)
        return response
