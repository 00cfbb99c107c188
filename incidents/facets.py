"""Facet counts, the month histogram and the map's density grid for a result set, in one query.

The filtered incidents are read once. Each contributes one row, and ``GROUPING SETS`` counts
them by country, region, type, sub-type, grading, contested, month, map cell and set of tags
in the same pass; Python adds up the tags of each set of tags. For result sets small enough,
the same statement also counts the actors involved and their kinds, from the incidents it
read. The planner's estimate of the result set, read first, decides whether the actors are
affordable.

Results are cached under the filter's query string plus a stamp of the newest change to
any incident the public has seen, so a publication or retraction is never hidden behind a
stale count, and work on drafts changes nothing a visitor could time. On a
very large result set the statement has a time budget; past it, or at once for a result set
estimated beyond ``ARCHIVE_FACET_COUNT_LIMIT`` rows, the page shows the latest snapshot of
the same result set (``count_facets`` takes them, dated if the archive has changed since),
and without one falls back to the planner's estimate of the total and the filters without
counts.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connections, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from incidents.countries import country_name
from incidents.models import (
    Actor,
    ActorKind,
    Claim,
    EventType,
    FacetSnapshot,
    Grading,
    Incident,
    Source,
    SubEventType,
)
from incidents.sql import planner_row_estimate

logger = logging.getLogger(__name__)

# Half-degree cells (about 55 km): fine enough for a regional map, coarse enough to stay small.
CELLS_PER_DEGREE = 2
MAX_CELLS = 2000
TOP = 20
# Enough for every grouping set to be hashed in memory, none sorted on disk.
WORK_MEM = "32MB"
# PostgreSQL gives GROUPING SETS no partial aggregation in parallel workers, but workers can still
# read the result and hand its rows to the aggregating process. At the default cost of passing a
# row (0.1) the planner never chooses that; the facet statement's rows are a few narrow columns,
# and at 0.01 it does when its estimates favour it. Against one process's bitmap scan the two
# estimates are close near a tenth of a million incidents, which is why bitmap scans are turned
# off when they would visit most of the table (below).
PARALLEL_TUPLE_COST = "0.01"
# A bitmap scan reads the pages that hold the result's rows, one process alone under GROUPING
# SETS. When it would visit most of the table's pages anyway (a tenth of the incidents, at a
# dozen to a page, is on about seven pages in ten), reading the whole table in order, which
# parallel workers share, costs less (measured in docs/performance.md).
# The share of pages is estimated from the planner's row estimate and the table's statistics,
# as 1 - (1 - share of rows) ^ (rows per page).
SEQUENTIAL_FROM_PAGE_SHARE = 0.5
_SETTINGS_SQL = """
SELECT set_config('statement_timeout', %(timeout)s, %(local)s), set_config('work_mem', %(work_mem)s, %(local)s),
       set_config('parallel_tuple_cost', %(tuple_cost)s, %(local)s),
       set_config('enable_bitmapscan', CASE
           WHEN reltuples > 0 AND relpages > 0
                AND 1 - power(1 - least(%(rows)s / reltuples, 1), reltuples / relpages) >= %(page_share)s
           THEN 'off' ELSE 'on' END, %(local)s)
FROM pg_class WHERE oid = %(table)s::regclass
"""


def apply_statement_settings(cursor: Any, estimate: int, timeout_ms: int, *, local: bool = True) -> None:
    """The facet statement's settings, for its transaction (``local``) or the session: its time
    budget (0 for none), memory, the cost of passing rows from workers, and bitmap scans off
    when a result of ``estimate`` rows would be on most pages of the table."""
    cursor.execute(
        _SETTINGS_SQL,
        {
            "timeout": str(timeout_ms),
            "local": local,
            "work_mem": WORK_MEM,
            "tuple_cost": PARALLEL_TUPLE_COST,
            "rows": estimate,
            "page_share": SEQUENTIAL_FROM_PAGE_SHARE,
            "table": Incident._meta.db_table,
        },
    )


# Few grouping sets, each of few groups, whose rows Python sums into the facets: a sub-event
# type names its event type, (country, region, month) and (sub-event type, grading, contested)
# give each of their columns, and each distinct set of tags gives its tags. Hashing each row
# into fewer sets is most of the cost beyond reading the rows. Each incident is one row.
FACETS_SQL = """
SELECT
    CASE
        WHEN GROUPING(country) = 0 THEN 'place'
        WHEN GROUPING(sub_event_type_id) = 0 THEN 'kind'
        WHEN GROUPING(lat) = 0 THEN 'cell'
        WHEN GROUPING(tags) = 0 THEN 'tags'
        ELSE 'total'
    END,
    COALESCE(country, sub_event_type_id::text, lat::text),
    COALESCE(admin1, grading, lon::text),
    COALESCE(month::text, contested::text),
    count(*),
    CASE WHEN GROUPING(tags) = 0 THEN tags END
FROM (
    SELECT filtered.country, filtered.admin1, filtered.sub_event_type_id, filtered.grading, filtered.contested,
           date_trunc('month', filtered.start_date::timestamp)::date AS month,
           round(filtered.latitude * {cells}) / {cells} AS lat,
           round(filtered.longitude * {cells}) / {cells} AS lon,
           filtered.tags
    FROM {filtered}
) AS f
GROUP BY GROUPING SETS ((), (country, admin1, month), (sub_event_type_id, grading, contested), (lat, lon), (tags))
"""

# For result sets small enough, the actors involved and their kinds, each counted once per
# incident, in rows of the same shape, from the result kept by the statement's first part.
# A lateral subquery per incident, grouping its own actors, took a quarter longer.
ACTORS_SQL = """
UNION ALL
SELECT item.kind, item.value, item.label, NULL, count(DISTINCT link.incident_id), NULL
FROM filtered
JOIN incidents_incidentactor AS link ON link.incident_id = filtered.id
JOIN incidents_actor AS actor ON actor.id = link.actor_id
CROSS JOIN LATERAL (VALUES ('actor', actor.slug, actor.name), ('actor_kind', actor.kind, NULL))
    AS item (kind, value, label)
GROUP BY item.kind, item.value, item.label
"""


def facet_statement(inner: str, *, with_actors: bool) -> str:
    """The facet statement over the result set that the SQL ``inner`` selects."""
    if not with_actors:
        return FACETS_SQL.format(filtered=f"({inner}) AS filtered", cells=CELLS_PER_DEGREE)
    counts = FACETS_SQL.format(filtered="filtered", cells=CELLS_PER_DEGREE)
    return f"WITH filtered AS MATERIALIZED ({inner})\n{counts}{ACTORS_SQL}"


@dataclass(frozen=True)
class Count:
    value: str
    label: str
    count: int | None


@dataclass
class Facets:
    total: int
    exact: bool = True
    countries: list[Count] = field(default_factory=list)
    regions: list[Count] = field(default_factory=list)
    event_types: list[Count] = field(default_factory=list)
    sub_event_types: list[Count] = field(default_factory=list)
    gradings: list[Count] = field(default_factory=list)
    contested: int = 0
    tags: list[Count] = field(default_factory=list)
    actors: list[Count] = field(default_factory=list)
    actor_kinds: list[Count] = field(default_factory=list)
    months: list[tuple[date, int]] = field(default_factory=list)
    cells: list[tuple[float, float, int]] = field(default_factory=list)
    # From a snapshot (count_facets), and its date if the archive has changed since.
    from_snapshot: bool = False
    as_of: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["months"] = [(month.isoformat(), count) for month, count in self.months]
        del data["as_of"], data["from_snapshot"]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], as_of: datetime | None = None) -> Facets:
        lists = {"countries", "regions", "event_types", "sub_event_types", "gradings", "tags", "actors", "actor_kinds"}
        values = {name: [Count(**item) for item in data[name]] if name in lists else data[name] for name in data}
        values["months"] = [(date.fromisoformat(month), count) for month, count in data["months"]]
        values["cells"] = [tuple(cell) for cell in data["cells"]]
        # Stored labels are in the language of whoever was counted first: name the choices
        # again now, in the reader's language.
        for name, choices in (("gradings", Grading.choices), ("actor_kinds", ActorKind.choices)):
            labels = dict(choices)
            values[name] = [Count(c.value, labels.get(c.value, c.label), c.count) for c in values.get(name, [])]
        values["countries"] = [Count(c.value, country_name(c.value), c.count) for c in values.get("countries", [])]
        return cls(**values, from_snapshot=True, as_of=as_of)


def data_stamp() -> str:
    """Changes whenever an incident the public has seen changes: a publication, a retraction or
    a correction, never an edit of a draft (an index-only lookup).

    Cached counts are keyed on it. Keyed on every change, a page answered from the cache or
    counted afresh would time editors' work on unpublished incidents for any visitor.
    """
    newest = Incident.objects.once_published().aggregate(newest=Max("updated_at"))["newest"]
    return newest.isoformat() if newest else "empty"


def _canonical(params: dict[str, list[str]]) -> str:
    return json.dumps(sorted((k, sorted(v)) for k, v in params.items() if v), ensure_ascii=False)


def cache_key(params: dict[str, list[str]], stamp: str) -> str:
    digest = hashlib.sha256(f"{_canonical(params)}|{stamp}".encode()).hexdigest()
    return f"facets:v1:{digest}"


def snapshot_key(params: dict[str, list[str]]) -> str:
    return hashlib.sha256(_canonical(params).encode()).hexdigest()


def _by_count(counts: list[Count], limit: int | None = None) -> list[Count]:
    ordered = sorted(counts, key=lambda c: (-c.count, c.label.lower()))
    return ordered[:limit] if limit else ordered


def _assemble(rows: list[tuple[str, str | None, str | None, str | None, int, list[str] | None]]) -> Facets:
    taxonomy = {
        sub.pk: sub for sub in SubEventType.objects.select_related("event_type").order_by("event_type__name", "name")
    }
    facets = Facets(total=0)
    grading_labels = dict(Grading.choices)
    kind_labels = dict(ActorKind.choices)
    grading_order = [value for value, _ in Grading.choices]
    countries: dict[str, int] = defaultdict(int)
    regions: dict[str, int] = defaultdict(int)
    months: dict[date, int] = defaultdict(int)
    sub_event_types: dict[SubEventType, int] = defaultdict(int)
    event_types: dict[EventType, int] = defaultdict(int)
    gradings: dict[str, int] = defaultdict(int)
    tags: dict[str, int] = defaultdict(int)
    for facet, value, second, third, count, tag_set in rows:
        if facet == "total":
            facets.total = count
        elif facet == "tags":
            for tag in set(tag_set or ()):
                tags[tag] += count
        elif value is None:
            continue  # incidents without that attribute (no coordinates)
        elif facet == "place":
            countries[value] += count
            if second:
                regions[second] += count  # a region's name, summed across countries
            months[date.fromisoformat(third)] += count
        elif facet == "kind" and int(value) in taxonomy:
            sub = taxonomy[int(value)]
            sub_event_types[sub] += count
            event_types[sub.event_type] += count
            gradings[second] += count
            if third == "true":
                facets.contested += count
        elif facet == "cell" and second is not None:
            facets.cells.append((float(value), float(second), count))
        elif facet == "actor":
            facets.actors.append(Count(value, second or value, count))
        elif facet == "actor_kind":
            facets.actor_kinds.append(Count(value, kind_labels.get(value, value), count))
    facets.tags = [Count(tag, tag, n) for tag, n in tags.items()]
    facets.months = list(months.items())
    facets.sub_event_types = [Count(sub.slug, sub.name, n) for sub, n in sub_event_types.items()]
    facets.countries = [Count(code, country_name(code), n) for code, n in countries.items()]
    facets.regions = [Count(name, name, n) for name, n in regions.items()]
    facets.event_types = [Count(event_type.slug, event_type.name, n) for event_type, n in event_types.items()]
    facets.gradings = [Count(value, grading_labels.get(value, value), n) for value, n in gradings.items()]
    facets.countries = _by_count(facets.countries)
    facets.regions = _by_count(facets.regions, TOP)
    facets.event_types = _by_count(facets.event_types)
    facets.sub_event_types = _by_count(facets.sub_event_types)
    facets.gradings.sort(key=lambda c: grading_order.index(c.value) if c.value in grading_order else 99)
    facets.tags = _by_count(facets.tags, TOP)
    facets.actors = _by_count(facets.actors, TOP)
    facets.actor_kinds = _by_count(facets.actor_kinds)
    facets.months.sort()
    facets.cells = sorted(facets.cells, key=lambda c: -c[2])[:MAX_CELLS]
    return facets


def compute_facets(queryset: QuerySet, *, budget: bool = True) -> Facets:
    """Count ``queryset`` (already filtered, published incidents) along every facet.

    Within the time budget unless ``budget`` is false (for ``count_facets``, which counts
    everything, actors included, however long it takes).
    """
    inner_qs = queryset.order_by().values_list(
        "id",
        "country",
        "admin1",
        "sub_event_type_id",
        "grading",
        "contested",
        "tags",
        "start_date",
        "latitude",
        "longitude",
    )
    try:
        inner, params = inner_qs.query.sql_with_params()
    except EmptyResultSet:  # Django proved that no row matches, and wrote no SQL to count
        return Facets(total=0)
    # The estimate decides whether the actors are affordable, and stands in for the total if
    # the counting runs out of time.
    estimate = planner_row_estimate(queryset.values("pk"))
    if budget and estimate > settings.ARCHIVE_FACET_COUNT_LIMIT:
        # Certain to overrun the time budget: say so at once rather than after it.
        return Facets(total=estimate, exact=False)
    with_actors = not budget or estimate <= settings.ARCHIVE_FACET_ACTOR_LIMIT
    sql = facet_statement(inner, with_actors=with_actors)
    try:
        with transaction.atomic(using=queryset.db), connections[queryset.db].cursor() as cursor:
            apply_statement_settings(cursor, estimate, settings.ARCHIVE_FACET_TIMEOUT_MS if budget else 0)
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    except DatabaseError:
        logger.warning("Facet counts exceeded %s ms; showing an estimate.", settings.ARCHIVE_FACET_TIMEOUT_MS)
        return Facets(total=estimate, exact=False)
    return _assemble(rows)


def snapshot_facets(params: dict[str, list[str]], stamp: str) -> Facets | None:
    """The snapshot of the result set named by ``params``, dated if the archive changed since."""
    snapshot = FacetSnapshot.objects.filter(key=snapshot_key(params)).first()
    if snapshot is None:
        return None
    return Facets.from_json(snapshot.counts, as_of=None if snapshot.stamp == stamp else snapshot.counted_at)


def take_snapshot(queryset: QuerySet, params: dict[str, list[str]]) -> FacetSnapshot:
    """Count the result set ``queryset`` named by ``params`` with no time budget, and keep it."""
    stamp = data_stamp()
    facets = compute_facets(queryset, budget=False)
    return _keep(snapshot_key(params), params, stamp, facets.to_json())


def _keep(key: str, params: dict, stamp: str, counts: dict) -> FacetSnapshot:
    snapshot, _ = FacetSnapshot.objects.update_or_create(
        key=key, defaults={"params": params, "stamp": stamp, "counted_at": timezone.now(), "counts": counts}
    )
    return snapshot


# --- What the archive holds (the home page's figures) ----------------------------------------

SITE_COUNTS_KEY = "site-counts"


def count_holdings() -> dict[str, int]:
    """Published actors, sources and claims (seconds at a million incidents)."""
    return {
        "actors": Actor.objects.published().count(),
        "sources": Source.objects.published().count(),
        "claims": Claim.objects.published().count(),
    }


def take_holdings_snapshot() -> FacetSnapshot:
    return _keep(SITE_COUNTS_KEY, {}, data_stamp(), count_holdings())


def holdings(stamp: str, *, from_snapshot: bool) -> dict[str, int]:
    """What the archive holds, cached under the data ``stamp``; from the snapshot when the
    archive is too large to count on each visit (``from_snapshot``) and there is one."""
    key = f"site-counts:v1:{stamp}"
    counts = cache.get(key)
    if counts is None:
        snapshot = FacetSnapshot.objects.filter(key=SITE_COUNTS_KEY).first() if from_snapshot else None
        counts = snapshot.counts if snapshot else count_holdings()
        cache.set(key, counts, settings.ARCHIVE_FACET_CACHE_SECONDS)
    return counts


def facets_for(queryset: QuerySet, params: dict[str, list[str]], stamp: str | None = None) -> Facets:
    """Cached facets for the result set selected by the filter parameters ``params``: counted
    now if that fits the time budget, else the latest snapshot, else an estimated total.
    ``stamp`` is data_stamp(), for a caller that has read it already."""
    stamp = stamp or data_stamp()
    key = cache_key(params, stamp)
    facets = cache.get(key)
    if facets is None:
        facets = compute_facets(queryset)
        if not facets.exact:
            facets = snapshot_facets(params, stamp) or facets
        # An estimate is kept as long: the key changes with the data, and a set too large to
        # count now stays too large until it does.
        cache.set(key, facets, settings.ARCHIVE_FACET_CACHE_SECONDS)
    return facets
