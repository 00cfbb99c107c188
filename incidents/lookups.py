"""``__ilike``: a case-insensitive substring match that trigram indexes can serve.

Django's ``icontains`` compiles to ``UPPER(column) LIKE UPPER(pattern)`` on PostgreSQL, which
no index on the column itself can answer. ``ILIKE`` is the same match, and pg_trgm's
``gin_trgm_ops`` indexes on names, aliases, outlets and places serve it directly.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import IContains
from django.db.models.sql.compiler import SQLCompiler


class ILike(IContains):
    lookup_name = "ilike"

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", (*lhs_params, *rhs_params)


def register() -> None:
    models.CharField.register_lookup(ILike)
    models.TextField.register_lookup(ILike)
