"""Measurements that need Django itself, run in a subprocess per database.

``python -m bench.tasks <task> '<json arguments>'`` prints the task's result as JSON on
its last line. The orchestrator (``python -m bench``) never imports Django, so one run can
talk to several databases (one per scale) through separate processes.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

TASKS: dict[str, Callable[..., Any]] = {}


def task(function: Callable[..., Any]) -> Callable[..., Any]:
    TASKS[function.__name__] = function
    return function


def _explain_ms(sql: str, params: tuple | list) -> float:
    """Planning plus execution time of one statement, as EXPLAIN ANALYZE reports it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return plan[0]["Planning Time"] + plan[0]["Execution Time"]


def _plan_text(sql: str, params: tuple | list) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _median_explain_ms(queryset_or_sql: Any, repeat: int, params: tuple | list = ()) -> float:
    if isinstance(queryset_or_sql, str):
        sql = queryset_or_sql
    else:
        sql, params = queryset_or_sql.query.sql_with_params()
    _explain_ms(sql, params)  # warm the cache: every run after this one reads from memory alike
    return statistics.median(_explain_ms(sql, params) for _ in range(repeat))


# --- Session ---------------------------------------------------------------------------------


def _bench_admin() -> Any:
    from django.contrib.auth.models import User

    user, _ = User.objects.update_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True, "email": "bench@example.org"}
    )
    return user


def _admin_client() -> Any:
    """A test client logged in to the admin as a superuser who has passed two-factor
    verification, as after entering a one-time code."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = _bench_admin()
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@task
def session() -> dict:
    """A logged-in superuser's session cookie, for the admin changelist under load."""
    from django.conf import settings

    client = _admin_client()
    response = client.get("/admin/incidents/incident/")
    return {
        "cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}",
        "changelist_status": response.status_code,
    }


# --- What bounds the API's rate and the list's scale -----------------------------------------


@contextmanager
def _statement_seconds() -> Iterator[list[float]]:
    """The seconds each statement run inside the block took (executed and read), in order."""
    from django.db import connection

    seconds: list[float] = []

    def timed(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seconds.append(time.perf_counter() - started)

    with connection.execute_wrapper(timed):
        yield seconds


def _get_ok(client: Any, path: str) -> None:
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}")


@task
def api_floor(requests: int = 100, repeat: int = 5) -> dict:
    """Per-request times in-process (Django test client): the API's first page, the time
    that request spends in the database (executing its statement and reading the rows),
    and the hello-world view. Alternating blocks of ``requests``, median over ``repeat``."""
    from django.test import Client

    client = Client()

    def block(path: str) -> tuple[float, float]:
        started = time.perf_counter()
        with _statement_seconds() as statements:
            for _ in range(requests):
                _get_ok(client, path)
        return (time.perf_counter() - started) * 1000 / requests, sum(statements) * 1000 / requests

    for path in ("/api/v1/incidents/", "/bench/hello/"):
        block(path)  # warm: connections, plans kept by the server, Python's caches
    api, database, hello = [], [], []
    for _ in range(repeat):
        request_ms, database_ms = block("/api/v1/incidents/")
        api.append(request_ms)
        database.append(database_ms)
        hello.append(block("/bench/hello/")[0])
    return {
        "api_ms": statistics.median(api),
        "database_ms": statistics.median(database),
        "hello_ms": statistics.median(hello),
    }


@task
def page_times(path: str, requests: int = 9) -> dict:
    """A page's time in-process (Django test client) and the time of its slowest statement,
    medians over ``requests`` after two to warm up."""
    from django.test import Client

    client = Client()
    pages, slowest = [], []
    for run in range(requests + 2):
        started = time.perf_counter()
        with _statement_seconds() as statements:
            _get_ok(client, path)
        if run >= 2:
            pages.append((time.perf_counter() - started) * 1000)
            slowest.append(max(statements) * 1000)
    return {"page_ms": statistics.median(pages), "slowest_statement_ms": statistics.median(slowest)}


# --- The read model: what publishing costs it --------------------------------------------------


def _rolled_back_ms(work: Callable[[], Any]) -> float:
    """Milliseconds ``work`` takes inside a transaction that is then rolled back."""
    from django.db import transaction

    with transaction.atomic():
        started = time.perf_counter()
        work()
        elapsed = (time.perf_counter() - started) * 1000
        transaction.set_rollback(True)
    return elapsed


@task
def readmodel_refresh(repeat: int = 9) -> dict:
    """The read model's refresh of one published incident (``refresh_incidents([id])``), and a
    first publication through the publishing service (an incident in review, published by a
    reviewer who did not edit it last), each rolled back; medians after two runs to warm up."""
    from incidents import readmodel, services
    from incidents.models import Incident, Status

    published = list(Incident.objects.published().order_by("-id").values_list("id", flat=True)[: repeat + 2])
    refresh = [_rolled_back_ms(lambda pk=pk: readmodel.refresh_incidents([pk])) for pk in published][2:]
    result = {"refresh_ms": statistics.median(refresh), "refreshes": len(refresh)}
    user = _bench_admin()
    in_review = Incident.objects.filter(status=Status.IN_REVIEW).exclude(last_edited_by=user).order_by("id")
    publish = []
    errors = []
    for incident in in_review[: repeat + 2]:
        try:
            publish.append(_rolled_back_ms(lambda i=incident: services.incident_publish(incident=i, user=user)))
        except Exception as error:  # a generated incident the service refuses (a confidential mention)
            errors.append(f"{type(error).__name__}: {error}")
    if len(publish) > 2:
        result.update(publish_ms=statistics.median(publish[2:]), publications=len(publish) - 2)
    else:
        result["publish_error"] = (errors or ["no incident in review"])[0][:200]
    return result


@task
def readmodel_bulk_refresh(rows: int = 100_000) -> dict:
    """The read model's refresh after a bulk change of ``rows`` published incidents (each one's
    title edited, as approving a reviewed import's corrections would), then the refresh of the
    same incidents once more, their parts too, now unchanged; in one transaction, rolled back.

    The edit is made with the read model's update trigger off, so that the refresh is timed
    on its own; the refresh is then called as that trigger calls it after an UPDATE that
    changed no status (``parts=[]``). The editorial UPDATE is timed apart: it writes the
    incidents, their history events, and the events' public copies."""
    from django.db import connection, transaction

    from incidents import readmodel
    from incidents.models import Incident

    ids = list(Incident.objects.published().order_by("id").values_list("id", flat=True)[:rows])
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE incidents_incident DISABLE TRIGGER readmodel_update")
            started = time.perf_counter()
            cursor.execute("UPDATE incidents_incident SET title = title || ' (corrected)' WHERE id = ANY(%s)", [ids])
            edited = time.perf_counter() - started
            cursor.execute("ALTER TABLE incidents_incident ENABLE TRIGGER readmodel_update")
        started = time.perf_counter()
        readmodel.refresh_incidents(ids, parts=[])
        changed = time.perf_counter() - started
        started = time.perf_counter()
        readmodel.refresh_incidents(ids)
        unchanged = time.perf_counter() - started
        transaction.set_rollback(True)
    return {"rows": len(ids), "seconds": changed, "unchanged_seconds": unchanged, "edit_seconds": edited}


# --- Samples: the same kind of request at every scale ------------------------------------------


@task
def samples() -> dict:
    """Parameters chosen from the data: a filter selecting about a tenth of the published
    incidents, search terms of middling frequency, and an incident with a typical number of claims."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT country, count(*) FROM incidents_incident WHERE status = 'published' GROUP BY country")
        by_country = dict(cursor.fetchall())
        published = sum(by_country.values())
        country = min(by_country, key=lambda code: abs(by_country[code] / published - 0.1))

        # Words of the search documents, counted on a sample of about 20,000 incidents.
        percent = min(100.0, 2_000_000 / max(published, 1))
        cursor.execute(
            "SELECT word, ndoc FROM ts_stat($$SELECT search_document FROM incidents_incident "
            f"TABLESAMPLE SYSTEM ({percent:.3f}) REPEATABLE (7) WHERE status = 'published'$$) "
            "WHERE length(word) >= 4 AND word !~ '^[0-9]+$' ORDER BY ndoc DESC, word"
        )
        words = cursor.fetchall()
        sampled = max(ndoc for _, ndoc in words) if words else 1
        # One term for the list page: found in a few percent of incidents, like a region's name.
        term = min(words, key=lambda w: abs(w[1] / sampled - 0.03))[0]
        # Two terms for the ranked search that occur together: the two commonest words (below
        # a third of incidents, so ranking has work to do) of one incident's document.
        frequency = dict(words)
        cursor.execute(
            "SELECT word FROM ts_stat($$SELECT search_document FROM incidents_incident "
            "WHERE status = 'published' ORDER BY id LIMIT 1$$) WHERE length(word) >= 4 AND word !~ '^[0-9]+$'"
        )
        own = [w for (w,) in cursor.fetchall() if frequency.get(w, 0) / sampled < 0.3]
        pair = sorted(own, key=lambda w: -frequency.get(w, 0))[:2]

        cursor.execute(
            "SELECT c.incident_id FROM incidents_claim c JOIN incidents_incident i ON i.id = c.incident_id "
            "WHERE i.status = 'published' GROUP BY c.incident_id HAVING count(*) = 5 ORDER BY c.incident_id LIMIT 1"
        )
        row = cursor.fetchone()
        if row is None:
            cursor.execute("SELECT id FROM incidents_incident WHERE status = 'published' ORDER BY id LIMIT 1")
            row = cursor.fetchone()
    return {
        "published": published,
        "country": country,
        "tenth_filter": {"country": country},
        "tenth_share": by_country[country] / published,
        "search_term": term,
        "search_pair": " ".join(pair),
        "detail_id": row[0],
    }


# --- Export: the SQL the application's export runs --------------------------------------------


@task
def export_sql(kind: str, params: dict) -> dict:
    """The COPY statement ``/export/<kind>.csv?<params>`` runs, taken from the application's
    export code so the baseline reads exactly the same SELECT, and its row count."""
    from django.db import connection

    from incidents import export, readmodel
    from incidents.selection import Selection

    # The export reads the read model's tables by their names, as public requests do.
    with readmodel.public_reads():
        select = export.select_sql(kind, Selection(params).validated())
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({select}) AS exported")
            rows = cursor.fetchone()[0]
    options = connection.get_connection_params().get("options", "")
    options = f"{options} -c search_path={readmodel.SCHEMA},public".strip()
    return {"copy": export.copy_sql(select), "rows": rows, "session_options": options}


@task
def stock_export(sizes: tuple[int, ...] = (2_000, 10_000)) -> dict:
    """django-import-export's own export, as its documentation sets it up, on two sample sizes.

    Each size runs in a fresh process so that memory growth is the export's own; the
    larger run gives the rate, the difference between the two the memory per row.
    """
    import subprocess

    runs = []
    for rows in sizes:
        completed = subprocess.run(
            [sys.executable, "-m", "bench.tasks", "_stock_export_once", json.dumps({"rows": rows})],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(completed.stdout.strip().splitlines()[-1]))
    small, large = runs
    return {
        "rows": large["rows"],
        "rows_per_second": large["rows"] / large["seconds"],
        "bytes_per_row": (large["rss_growth"] - small["rss_growth"]) / (large["rows"] - small["rows"])
        if large["rows"] > small["rows"]
        else large["rss_growth"] / max(large["rows"], 1),
        "runs": runs,
    }


@task
def _stock_export_once(rows: int) -> dict:
    import psutil

    from bench.stock import IncidentResource
    from incidents.models import Incident

    process = psutil.Process()
    before = process.memory_info().rss
    started = time.perf_counter()
    # The related names come through select_related, as an admin changelist's queryset would
    # give them; without it the stock export runs two more queries per row.
    queryset = Incident.objects.published().select_related("event_type", "sub_event_type").order_by("id")[:rows]
    dataset = IncidentResource().export(queryset=queryset)
    csv_text = dataset.csv
    seconds = time.perf_counter() - started
    return {
        "rows": len(dataset),
        "seconds": seconds,
        "bytes": len(csv_text),
        "rss_growth": process.memory_info().rss - before,
    }


# --- Search ----------------------------------------------------------------------------------


def _index_in_plan(plan: str) -> str | None:
    for line in plan.splitlines():
        if " on " in line and "trgm" in line and "Index" in line:
            return line.strip()
    return None


def _trigram_check(label: str, queryset: Any) -> dict:
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    plan = _plan_text(sql, params)
    index = _index_in_plan(plan)
    if index:
        return {"lookup": label, "index": index, "plan": ""}
    # Not chosen: tell "the planner prefers a scan of a small table" from "no index can serve it".
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
    try:
        forced = _index_in_plan(_plan_text(sql, params))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_seqscan")
    import re

    used = sorted(set(re.findall(r"(?:Index|Bitmap Index) (?:Only )?Scan(?: Backward)? (?:using|on) (\w+)", plan)))
    scans = sorted(set(re.findall(r"Seq Scan on (\w+)", plan)))
    seen = f"plan uses indexes {', '.join(used) or 'none'}; sequential scans of {', '.join(scans) or 'nothing'}"
    why = f"a trigram index could serve it ({forced}); {seen}" if forced else f"no trigram index can serve it; {seen}"
    return {"lookup": label, "index": None, "plan": why}


@task
def search_sql(repeat: int = 5) -> dict:
    from incidents.filters import IncidentFilter
    from incidents.models import Incident

    query = samples()["search_pair"]
    published = Incident.objects.published()
    ranked = IncidentFilter({"q": query, "order": "relevance"}, queryset=published).qs[:50]
    # Ranking must look at every match; the same match unranked finds every matching incident.
    unranked = IncidentFilter({"q": query}, queryset=published).qs.order_by().values("pk")
    first_page = IncidentFilter({"q": query}, queryset=published).qs[:50]
    matches = IncidentFilter({"q": query}, queryset=published).qs.count()
    return {
        "query": query,
        "matches": matches,
        "ranked_ms": _median_explain_ms(ranked, repeat),
        "unranked_ms": _median_explain_ms(unranked, repeat),
        "first_page_ms": _median_explain_ms(first_page, repeat),
        "trigram": trigram_checks(),
    }


def trigram_checks() -> list[dict]:
    """EXPLAIN the application's own alias and location lookups."""
    from django.contrib import admin
    from django.test import RequestFactory

    from incidents.models import Actor, ActorAlias, Incident

    checks = []
    alias = ActorAlias.objects.order_by("id").values_list("name", flat=True).first() or "Azawad"
    fragment = alias[: max(4, len(alias) // 2)]
    request = RequestFactory().get("/admin/")
    for model, term in ((Actor, fragment), (Incident, "Aguelhok")):
        model_admin = admin.site._registry.get(model)
        if model_admin is None or not model_admin.search_fields:
            continue
        queryset, _ = model_admin.get_search_results(request, model.objects.all(), term)
        checks.append(_trigram_check(f"admin {model.__name__} search for {term!r}", queryset))
    return checks


# --- Facets ----------------------------------------------------------------------------------


@task
def facets(repeat: int = 5) -> dict:
    """The list page's facet counts for a filtered result against one GROUP BY over the same rows,
    both timed by EXPLAIN ANALYZE (the facet statement is the one the application runs, captured)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from incidents.facets import apply_statement_settings, compute_facets
    from incidents.filters import IncidentFilter
    from incidents.models import Incident
    from incidents.sql import planner_row_estimate, set_config

    params = samples()["tenth_filter"]
    queryset = IncidentFilter(params, queryset=Incident.objects.published()).qs
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = compute_facets(queryset)
        wall_ms = (time.perf_counter() - started) * 1000
    statements = [
        q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(("WITH", "SELECT"))
    ]
    counting = max(statements, key=len)  # the facet statement; the others read the taxonomy
    inner, inner_params = queryset.order_by().values("event_type_id").query.sql_with_params()
    one_sql = f"SELECT event_type_id, count(*) FROM ({inner}) AS filtered GROUP BY event_type_id"
    # Both statements under the settings the application gives the facet statement.
    with connection.cursor() as cursor:
        apply_statement_settings(cursor, planner_row_estimate(queryset.values("pk")), timeout_ms=0, local=False)
    names = [name for name, value in vars(result).items() if isinstance(value, list)] + ["contested", "total"]
    all_ms = _median_explain_ms(counting, repeat)
    one_ms = _median_explain_ms(one_sql, repeat, inner_params)
    # Parallel workers aggregate a plain GROUP BY but only read for GROUPING SETS: the GROUP BY
    # without them is reported too.
    with connection.cursor() as cursor:
        set_config(cursor, "max_parallel_workers_per_gather", "0", local=False)
    one_serial_ms = _median_explain_ms(one_sql, repeat, inner_params)
    return {
        "params": params,
        "all_ms": all_ms,
        "one_ms": one_ms,
        "one_serial_ms": one_serial_ms,
        "wall_ms": wall_ms,
        "queries": len(captured.captured_queries),
        "facets": len(names),
        "rows": result.total,
        "exact": result.exact,
    }


# --- Query counts ----------------------------------------------------------------------------


def _one_and_fifty_claims() -> tuple[int, int]:
    """Two published incidents, one left with 1 claim and one brought to 50 (inside the
    caller's transaction, which is rolled back)."""
    from incidents.models import Citation, Claim, Incident

    few, many = Incident.objects.published().filter(claims__isnull=False).distinct().order_by("id")[:2]
    Claim.objects.filter(incident=few).exclude(pk=few.claims.order_by("pk").first().pk).delete()
    template = many.claims.order_by("pk").first()
    citations = list(template.citations.all())
    extra = 50 - many.claims.count()
    copies = []
    for _ in range(extra):
        template.pk = None
        copies.append(Claim(**{f.attname: getattr(template, f.attname) for f in Claim._meta.concrete_fields}))
    Claim.objects.bulk_create(copies)
    # Each copy carried by the same reports, so the pages read citations for 50 claims too.
    fields = [f.attname for f in Citation._meta.concrete_fields if not f.primary_key and f.attname != "claim_id"]
    Citation.objects.bulk_create(
        Citation(claim_id=copy.pk, **{name: getattr(citation, name) for name in fields})
        for copy in copies
        for citation in citations
    )
    return few.pk, many.pk


def _queries(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return len(captured.captured_queries)


@task
def query_counts() -> dict:
    """Queries per request as page size and claims per incident grow (the Django test client
    against the benchmark's database, in a transaction rolled back at the end)."""
    from django.db import transaction

    with transaction.atomic():
        rows = _query_count_rows()
        transaction.set_rollback(True)
    return {"rows": rows}


def _query_count_rows() -> list[dict]:
    from urllib.parse import urlencode

    from django.test import Client

    from incidents.filters import IncidentFilter
    from incidents.models import Incident

    few_id, many_id = _one_and_fifty_claims()
    # A list page with few rows: the day of one incident.
    day = Incident.objects.get(pk=few_id).start_date.isoformat()
    one_day = urlencode({"date_from": day, "date_to": day})
    one_day_rows = IncidentFilter({"date_from": day, "date_to": day}, queryset=Incident.objects.published()).qs.count()
    anonymous = Client()
    editor = _admin_client()
    few_label, many_label = "1 claim", "50 claims"
    pairs = [
        ("/incidents/", anonymous, f"/incidents/?{one_day}", f"{one_day_rows} row(s)", "/incidents/", "page of 50"),
        ("/incidents/<id>/", anonymous, f"/incidents/{few_id}/", few_label, f"/incidents/{many_id}/", many_label),
        ("/api/v1/incidents/", anonymous, "/api/v1/incidents/?page_size=10", "page of 10",
         "/api/v1/incidents/?page_size=100", "page of 100"),
        ("/api/v1/incidents/<id>/", anonymous, f"/api/v1/incidents/{few_id}/", few_label,
         f"/api/v1/incidents/{many_id}/", many_label),
        ("/api/v1/claims/", anonymous, "/api/v1/claims/?page_size=10", "page of 10",
         "/api/v1/claims/?page_size=100", "page of 100"),
        ("admin changelist", editor, "/admin/incidents/incident/?p=1", "page 1",
         "/admin/incidents/incident/?p=2", "page 2"),
        ("admin change form", editor, f"/admin/incidents/incident/{few_id}/change/", few_label,
         f"/admin/incidents/incident/{many_id}/change/", many_label),
    ]  # fmt: skip
    rows = []
    for page, client, small_url, small, large_url, large in pairs:
        row = {"page": page, "small": small, "large": large}
        try:
            _queries(client, small_url)  # the first request fills per-process caches (content types)
            row.update(small_queries=_queries(client, small_url), large_queries=_queries(client, large_url))
        except Exception as error:  # a page that is missing or broken is reported, not fatal
            row["error"] = f"{type(error).__name__}: {error}"
        rows.append(row)
    return rows


# --- The editors' change form ------------------------------------------------------------------


def _draft_with_claims(claims: int) -> int:
    """A draft incident with ``claims`` claims, each carried by one citation (inside the caller's
    transaction, which is rolled back): the seed incident's shape, which editors can change, so the
    form renders every claim's inputs rather than read-only text."""
    from incidents.models import Citation, Claim, Status

    template = Claim.objects.filter(citations__isnull=False).select_related("incident").order_by("pk").first()
    if template is None:
        raise RuntimeError("no claim with a citation to copy")
    incident = template.incident
    incident.pk = None
    incident.status = Status.DRAFT
    for name in (
        "published_at",
        "published_by",
        "reviewed_by",
        "submitted_at",
        "retracted_at",
        "revision_of",
        "merged_into",
    ):
        if hasattr(incident, name):
            setattr(incident, name, None)
    incident.retraction_notice = ""
    incident.save()
    citation = template.citations.order_by("pk").first()
    copies = Claim.objects.bulk_create(
        Claim(
            **{
                f.attname: getattr(template, f.attname)
                for f in Claim._meta.concrete_fields
                if not f.primary_key and f.attname not in ("incident_id", "part_of_id", "revises_id")
            },
            incident_id=incident.pk,
        )
        for _ in range(claims)
    )
    fields = [f.attname for f in Citation._meta.concrete_fields if not f.primary_key and f.attname != "claim_id"]
    Citation.objects.bulk_create(
        Citation(claim_id=copy.pk, **{name: getattr(citation, name) for name in fields}) for copy in copies
    )
    return incident.pk


@task
def admin_change_form(claims: int = 50, requests: int = 9) -> dict:
    """GET of the change form of a draft incident with ``claims`` claims (each with a citation), and of
    the admin's index and the incidents' changelist as baselines, alternating, in-process (Django test
    client, logged in with two-factor verification), medians after two warm-up rounds."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic():
        incident_id = _draft_with_claims(claims)
        client = _admin_client()
        paths = {
            "form": f"/admin/incidents/incident/{incident_id}/change/",
            "index": "/admin/",
            "changelist": "/admin/incidents/incident/",
        }
        times: dict[str, list[float]] = {name: [] for name in paths}
        for run in range(requests + 2):
            for name, path in paths.items():
                started = time.perf_counter()
                _get_ok(client, path)
                if run >= 2:
                    times[name].append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(paths["form"])
        size = len(response.content)
        transaction.set_rollback(True)
    return {
        "claims": claims,
        "queries": len(captured.captured_queries),
        "bytes": size,
        **{f"{name}_ms": statistics.median(values) for name, values in times.items()},
    }


# --- Import ----------------------------------------------------------------------------------


def _export_file(rows: int, path: str) -> int:
    """Write the first ``rows`` published incidents as the archive's own CSV (the import format)."""
    from django.db import connection

    from incidents import export
    from incidents.columns import TABLES
    from incidents.models import Incident
    from incidents.sql import compile_literal

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT max(id) FROM (SELECT id FROM incidents_incident WHERE status = 'published' ORDER BY id LIMIT %s) t",
            [rows],
        )
        last_id = cursor.fetchone()[0]
    incidents = Incident.objects.published().filter(id__lte=last_id)
    select = TABLES["incidents"].select_sql(compile_literal(incidents.order_by().values("pk")))
    with open(path, "wb") as out:
        for chunk in export.stream_csv(select):
            out.write(chunk)
    return incidents.count()


def _choice(field: Any, wanted: str) -> str:
    for value, label in field.choices:
        if wanted.lower() in str(label).lower():
            return value
    raise RuntimeError(f"no choice like {wanted!r} in {field.choices}")


@task
def write_import_file(rows: int, path: str) -> dict:
    return {"rows": _export_file(rows, path), "bytes": Path(path).stat().st_size}


@task
def admin_import(rows: int = 20_000) -> dict:
    """An editor imports a ``rows``-row CSV through the admin: upload and preview, then confirm.

    Runs in one transaction that is rolled back at the end, so the benchmark's data set
    keeps its size; every write of the import, and the foreign-key checks that a commit would
    run, still happen (and are timed) before that.
    """
    import tempfile

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, transaction

    from incidents.models import Incident

    client = _admin_client()
    base = "/admin/incidents/incident/"
    with tempfile.NamedTemporaryFile(suffix=".csv") as handle:
        exported = _export_file(rows, handle.name)
        content = Path(handle.name).read_bytes()
    form = client.get(base + "import/").context_data["form"]
    fields = {
        "format": _choice(form.fields["format"], "csv"),
        "resource": _choice(form.fields["resource"], "incident") if "resource" in form.fields else "",
    }
    with transaction.atomic():
        before = Incident.objects.count()
        started = time.perf_counter()
        upload = SimpleUploadedFile("incidents.csv", content, content_type="text/csv")
        preview = client.post(base + "import/", {**fields, "import_file": upload})
        if preview.status_code != 200 or preview.context_data.get("confirm_form") is None:
            raise RuntimeError(f"the preview failed ({preview.status_code}): {preview.content[:2000]!r}")
        previewed = time.perf_counter() - started
        confirm = preview.context_data["confirm_form"].initial
        done = client.post(base + "process_import/", confirm)
        if done.status_code != 302:
            raise RuntimeError(f"the import failed ({done.status_code}): {done.content[:2000]!r}")
        # The foreign keys are checked at commit; run those checks now, inside the timing.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        seconds = time.perf_counter() - started
        imported = Incident.objects.count() - before
        transaction.set_rollback(True)
    if imported != exported:
        raise RuntimeError(f"{exported} rows in the file, but {imported} incidents imported")
    return {
        "rows": exported,
        "bytes": len(content),
        "seconds": seconds,
        "preview_seconds": previewed,
        "imported": imported,
    }


# --- Deep pages -------------------------------------------------------------------------------


@task
def deep_pages(depth: int = 900_000) -> dict:
    """URLs of page 1 and of the page ``depth`` rows deep, for the API and /incidents/, made
    the way a client that had followed every "next" link would hold them."""
    from incidents.filters import IncidentFilter
    from incidents.models import Incident

    published = Incident.objects.published()
    depth = min(depth, int(published.count() * 0.9))
    pairs = {}
    # The default order (newest first), then most fatalities first, whose unknown figures come last.
    for query in ({}, {"order": "-fatalities"}):
        for surface, param in (("/api/v1/incidents/", "cursor"), ("/incidents/", "after")):
            first = f"{surface}?{urlencode(query)}" if query else surface
            try:
                cursor = _cursor_at(IncidentFilter(query, queryset=published), depth)
                pairs[first] = [first, f"{surface}?{urlencode({**query, param: cursor})}"]
            except Exception as error:  # a surface that is missing or changed is reported, not fatal
                pairs[first] = f"{type(error).__name__}: {error}"
    # ACLED's read API pages by number: the page holding the row ``depth`` rows deep, at ACLED's
    # default of 5,000 rows a page (and the client's default of 50), as a script would ask for it.
    # Half a stride past a position whose keys a jump remembers (acled.MARK_EVERY), so a repeated
    # jump reads the keys between them, as a jump to a page never asked for before would.
    from incidents.acled import MARK_EVERY

    acled = {}
    for limit in (5000, 50):
        first = f"/api/acled/acled/read?limit={limit}"
        acled[first] = [first, f"{first}&page={(depth + MARK_EVERY // 2) // limit + 1}"]
    return {"depth": depth, "pairs": pairs, "acled": acled}


def _cursor_at(filterset: Any, depth: int) -> str:
    """The cursor of the row ``depth`` rows into the filter's results (the API and the list
    page read the same cursors)."""
    from incidents.keyset import encode_cursor, sort_keys

    keys = sort_keys(filterset.qs)
    fields = [key.field for key in keys]
    ordered = filterset.qs.order_by(*(key.order_expression() for key in keys))
    row = ordered.values(*fields)[depth - 1 : depth].get()
    return encode_cursor(keys, [row[field] for field in fields])


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    name, arguments = sys.argv[1], json.loads(sys.argv[2] if len(sys.argv) > 2 else "{}")
    result = TASKS[name](**arguments)
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
