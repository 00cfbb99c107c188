"""Where the ORM reads and writes: public reads on the alias the request chose, the rest on the primary.

``public_reads(alias)`` sets, for the code it wraps (one public request), the database every
read of the archive's own rows (the ``incidents`` app) goes to; outside it the router has no
opinion and Django reads from ``default``. Sessions, users, the database cache's throttle
counters and the other apps' rows are read where they are written: on the primary. Writes and
migrations always go to the primary.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models import Model

# The apps whose rows public requests read from the chosen database.
PUBLIC_APPS = frozenset({"incidents"})

_public_reads: ContextVar[str | None] = ContextVar("archive_public_reads", default=None)


@contextmanager
def public_reads(alias: str) -> Iterator[None]:
    token = _public_reads.set(alias)
    try:
        yield
    finally:
        _public_reads.reset(token)


class ReadModelRouter:
    def db_for_read(self, model: type[Model] | None, **hints: Any) -> str | None:
        if model is not None and model._meta.app_label not in PUBLIC_APPS:
            return None
        return _public_reads.get()

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # A replica holds the primary's rows: a row read there may refer to one read here.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == "default"
