"""Where a query reads: the primary, unless the request reads the public read model.

``reading_from(alias)`` (entered by ``incidents.readmodel.reads.public_reads`` for every public
request) sends the request's reads to ``alias``: the primary, or a read replica. Writes always
go to the primary, and only the primary is migrated.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

# The apps whose tables the read model holds (incidents.readmodel).
READ_MODEL_APPS = frozenset({"incidents"})
_reading: ContextVar[str | None] = ContextVar("reading", default=None)


@contextlib.contextmanager
def reading_from(alias: str) -> Iterator[None]:
    token = _reading.set(alias)
    try:
        yield
    finally:
        _reading.reset(token)


def reading_alias() -> str:
    """The database the current request reads: "default" outside a public request."""
    return _reading.get() or "default"


def reading_connection() -> BaseDatabaseWrapper:
    """The connection the current request reads through (for the archive's own SQL)."""
    return connections[reading_alias()]


class ReadModelRouter:
    def db_for_read(self, model: type[Model], **hints: object) -> str | None:
        # The archive's records only: sessions, accounts and the database cache's counters stay
        # on the primary (a replica's copy of the counters would be late).
        return _reading.get() if model._meta.app_label in READ_MODEL_APPS else None

    def db_for_write(self, model: type[Model], **hints: object) -> str:
        return "default"

    def allow_relation(self, obj1: Model, obj2: Model, **hints: object) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: object) -> bool:
        return db == "default"
