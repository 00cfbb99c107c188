"""The admin changelist's paginator, which stays fast on tables of millions of rows.

An exact ``COUNT(*)`` over a million incidents reads the whole table on every page
view. Counting stops at a cap instead; past the cap, the planner's row estimate (the
same statistics ``pg_class.reltuples`` holds for a whole table, but for the filtered
query) stands in for the total, and the page says the number is approximate.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from incidents.sql import planner_row_estimate

COUNT_CAP = 10_000


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
