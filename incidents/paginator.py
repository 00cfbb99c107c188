"""Pagination that stays fast on tables of millions of rows.

An exact ``COUNT(*)`` over a million incidents reads the whole table on every page
view. Counting stops at a cap instead; past the cap, the planner's row estimate (the
same statistics ``pg_class.reltuples`` holds for a whole table, but for the filtered
query) stands in for the total, and the page says the number is approximate.
"""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 10_000


def planner_row_estimate(queryset: QuerySet) -> int:
    """How many rows PostgreSQL's planner expects ``queryset`` to return (no rows are read)."""
    sql, params = queryset.order_by().query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """Counts exactly up to ``COUNT_CAP`` rows, and estimates beyond it."""

    count_cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        # SELECT COUNT(*) FROM (SELECT ... LIMIT cap + 1): reads at most cap + 1 rows.
        capped = queryset.order_by()[: self.count_cap + 1].count()
        if capped <= self.count_cap:
            return capped
        return max(self.count_cap + 1, planner_row_estimate(queryset))

    @cached_property
    def is_estimate(self) -> bool:
        return self.count > self.count_cap
