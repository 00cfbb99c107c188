"""The measurements, one function per section of the table.

Each figure and its baseline are measured in the same run, alternating between the two so
that the shared machine's noise falls on both alike, and reduced to the median of
``repeat`` runs.
"""

from __future__ import annotations

import http.client
import json
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.datasets import Dataset, database_url, psql
from bench.load import WrkResult, http_download, psql_copy, wrk
from bench.report import Measurement
from bench.server import ROOT, PeakRss, Server, django_env

OUT = ROOT / "bench" / "out"

MB = 1024 * 1024


@dataclass
class Context:
    big: Dataset
    small: Dataset
    big_server: Server
    small_server: Server
    repeat: int
    seconds: float
    log: Callable[[str], None]
    import_rows: int = 100_000
    export_repeat: int = 1
    _cache: dict = field(default_factory=dict)

    def task(self, dataset: Dataset, name: str, **arguments: object) -> dict:
        """Run ``bench.tasks.<name>`` in a Django process bound to ``dataset``'s database."""
        key = (dataset.dbname, name, json.dumps(arguments, sort_keys=True))
        if key not in self._cache:
            self._cache[key] = run_task(dataset.url, dataset.dbname, name, **arguments)
        return self._cache[key]

    def samples(self, dataset: Dataset) -> dict:
        return self.task(dataset, "samples")

    def admin_cookie(self, dataset: Dataset) -> dict[str, str]:
        return {"Cookie": self.task(dataset, "session")["cookie"]}


def run_task(database_url: str, cache_prefix: str, name: str, **arguments: object) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.tasks", name, json.dumps(arguments)],
        cwd=ROOT,
        env=django_env(database_url, cache_prefix),
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"task {name} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def failed(section: str, error: BaseException) -> Measurement:
    return Measurement(
        key=section,
        name=f"{section}: not measured",
        figure=None,
        unit="",
        baseline=None,
        baseline_name="",
        target="",
        note=f"{type(error).__name__}: {str(error).strip().splitlines()[-1][:200] if str(error).strip() else ''}",
    )


def median(values: list[float]) -> float:
    return statistics.median(values)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def check_ok(url: str, headers: dict[str, str] | None = None) -> bytes:
    """Fetch once before measuring: a benchmark of an error page measures nothing."""
    status, body = get(url, headers)
    if status != 200:
        raise RuntimeError(f"GET {url} answered {status}: {body[:300]!r}")
    return body


def timed_wrk(url: str, seconds: float, connections: int, headers: dict[str, str] | None = None) -> WrkResult:
    """wrk on a page checked first; a slow page gets a run long enough for about 10 requests."""
    started = time.perf_counter()
    check_ok(url, headers)
    single = time.perf_counter() - started
    result = wrk(url, seconds=min(60.0, max(seconds, 10 * single)), connections=connections, headers=headers)
    if result.errors or result.non_2xx or result.requests < 3:
        raise RuntimeError(f"{url}: {result.requests} requests, {result.errors} errors, {result.non_2xx} non-2xx")
    return result


def with_query(path: str, params: dict[str, str]) -> str:
    return f"{path}?{urllib.parse.urlencode(params)}" if params else path


# --- 1 and 2: bulk CSV export ----------------------------------------------------------------------


# Raw COPYs of whole tables that the full incidents.csv export is also compared with (rows 1h
# and 1i): the read model's export table, which the export reads, and the editorial table.
RAW_INCIDENT_COPIES = {
    "readmodel": "readmodel.incident_export",
    "editorial": "public.incidents_incident",
}


def _export_runs(
    ctx: Context,
    server: Server,
    dataset: Dataset,
    kind: str,
    params: dict[str, str],
    repeat: int,
    raw_tables: dict[str, str] | None = None,
) -> dict:
    """Alternate the HTTP export and psql's COPY of the same SELECT (and of each of
    ``raw_tables``, whole); medians and peak memory. A raw table that cannot be copied (it
    does not exist) is left out, with its error under ``raw_errors``."""
    spec = ctx.task(dataset, "export_sql", kind=kind, params=params)
    url = server.base_url + with_query(f"/export/{kind}.csv", params)
    http_seconds, copy_seconds, peaks = [], [], []
    http_bytes = copy_bytes = 0
    raw = {name: {"table": table, "seconds": [], "bytes": 0} for name, table in (raw_tables or {}).items()}
    raw_errors = {}
    for name, copied in raw.items():
        try:
            copied["rows"] = int(psql(dataset.dbname, f"SELECT count(*) FROM {copied['table']}"))
        except subprocess.CalledProcessError as error:
            lines = (error.stderr or str(error)).strip().splitlines() or [""]
            raw_errors[name] = next((line for line in lines if "ERROR" in line), lines[0])
    raw = {name: copied for name, copied in raw.items() if name not in raw_errors}
    worker = server.worker()
    idle = worker.memory_info().rss
    for _ in range(repeat):
        with PeakRss(worker) as rss:
            download = http_download(url)
        peaks.append(rss.peak)
        http_seconds.append(download.seconds)
        http_bytes = download.bytes
        copy = psql_copy(dataset.dbname, spec["copy"], spec["session_options"])
        copy_seconds.append(copy.seconds)
        copy_bytes = copy.bytes
        for copied in raw.values():
            table = psql_copy(dataset.dbname, f"COPY {copied['table']} TO STDOUT (FORMAT csv)", spec["session_options"])
            copied["seconds"].append(table.seconds)
            copied["bytes"] = table.bytes
    return {
        "rows": spec["rows"],
        "http_seconds": median(http_seconds),
        "copy_seconds": median(copy_seconds),
        "http_bytes": http_bytes,
        "copy_bytes": copy_bytes,
        "idle_rss": idle,
        "peak_rss": max(peaks),
        "raw": {
            name: {"rows": c["rows"], "seconds": median(c["seconds"]), "bytes": c["bytes"], "table": c["table"]}
            for name, c in raw.items()
        },
        "raw_errors": raw_errors,
    }


def _raw_copy_rows(big: dict) -> list[Measurement]:
    """Rows 1h and 1i: the full incidents.csv export against raw COPYs of whole tables."""
    rows = big["rows"]
    results = []
    for key, name, target in (("1h", "readmodel", ">= 0.8"), ("1i", "editorial", ">= 0.5")):
        table = RAW_INCIDENT_COPIES[name]
        if name in big["raw_errors"]:
            results.append(failed(f"{key} raw COPY of {table}", RuntimeError(big["raw_errors"][name])))
            continue
        copied = big["raw"][name]
        results.append(
            Measurement(
                key=key,
                name=f"/export/incidents.csv, all rows, vs a raw COPY of {table}: throughput",
                figure=rows / big["http_seconds"],
                unit="rows/s",
                baseline=copied["rows"] / copied["seconds"],
                baseline_name=f"COPY {table} TO STDOUT (FORMAT csv), through psql",
                target=target,
                note=f"{rows:,} rows, {big['http_bytes'] / MB:.0f} MB in {big['http_seconds']:.1f} s over HTTP vs "
                f"{copied['rows']:,} rows, {copied['bytes'] / MB:.0f} MB in {copied['seconds']:.1f} s",
            )
        )
    return results


def exports(ctx: Context) -> list[Measurement]:
    results, raw_rows = [], []
    for number, kind in enumerate(["incidents", "claims"]):
        key = "1" + "abcdefgh"[number * 4 :]
        ctx.log(f"export {kind}.csv, all rows, at {ctx.big.scale:,} and {ctx.small.scale:,}")
        raw_tables = RAW_INCIDENT_COPIES if kind == "incidents" else None
        big = _export_runs(ctx, ctx.big_server, ctx.big, kind, {}, ctx.export_repeat, raw_tables)
        small = _export_runs(ctx, ctx.small_server, ctx.small, kind, {}, ctx.export_repeat)
        rows = big["rows"]
        size_note = (
            f"{rows:,} rows, {big['http_bytes'] / MB:.0f} MB over HTTP vs {big['copy_bytes'] / MB:.0f} MB from psql"
        )
        results += [
            Measurement(
                key=f"{key[0]}{key[1]}",
                name=f"/export/{kind}.csv, all rows: throughput",
                figure=rows / big["http_seconds"],
                unit="rows/s",
                baseline=rows / big["copy_seconds"],
                baseline_name="psql COPY of the same SELECT",
                target=">= 0.8",
                note=size_note,
            ),
            Measurement(
                key=f"{key[0]}{key[2]}",
                name=f"/export/{kind}.csv: worker peak RSS",
                figure=big["peak_rss"] / MB,
                unit="MB",
                baseline=big["idle_rss"] / MB,
                baseline_name="same worker before the export",
                target="<= 100 MB",
            ),
            Measurement(
                key=f"{key[0]}{key[3]}",
                name=f"/export/{kind}.csv: peak RSS at {ctx.big.scale:,} vs {ctx.small.scale:,}",
                figure=big["peak_rss"] / MB,
                unit="MB",
                baseline=small["peak_rss"] / MB,
                baseline_name=f"peak RSS at {ctx.small.scale:,}",
                target="<= 1.2",
            ),
        ]
        if kind == "incidents":
            ctx.log("stock django-import-export export, on samples")
            stock = ctx.task(ctx.big, "stock_export")
            results.append(
                Measurement(
                    key=f"{key[0]}{key[4]}",
                    name="/export/incidents.csv vs stock django-import-export export",
                    figure=rows / big["http_seconds"],
                    unit="rows/s",
                    baseline=stock["rows_per_second"],
                    baseline_name=f"ModelResource.export() on {stock['rows']:,} rows",
                    target="",
                    note=f"stock export grows {stock['bytes_per_row']:,.0f} bytes of RSS per row, "
                    f"{stock['bytes_per_row'] * rows / MB:,.0f} MB extrapolated to {rows:,} rows",
                ),
            )
            raw_rows = _raw_copy_rows(big)
    results += raw_rows
    results += filtered_exports(ctx)
    return results


def filtered_exports(ctx: Context) -> list[Measurement]:
    samples = ctx.samples(ctx.big)
    params = samples["tenth_filter"]
    results = []
    for letter, kind in zip("ab", ["incidents", "claims"], strict=True):
        ctx.log(f"filtered export {kind}.csv ?{urllib.parse.urlencode(params)}")
        runs = _export_runs(ctx, ctx.big_server, ctx.big, kind, params, ctx.export_repeat)
        results.append(
            Measurement(
                key=f"2{letter}",
                name=f"/export/{kind}.csv?{urllib.parse.urlencode(params)}: time",
                figure=runs["http_seconds"],
                unit="s",
                baseline=runs["copy_seconds"],
                baseline_name="psql COPY of the same SELECT",
                target="<= 1.5",
                note=f"{runs['rows']:,} rows, {samples['tenth_share']:.0%} of published incidents",
            )
        )
    return results


# --- 3: API requests per second -----------------------------------------------------------------------


def _rates(ctx: Context, server: Server, paths: dict[str, str]) -> dict[str, float]:
    runs: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(ctx.repeat):
        for name, path in paths.items():
            runs[name].append(timed_wrk(server.base_url + path, ctx.seconds, 2).rps)
    return {name: median(values) for name, values in runs.items()}


def api_rates(ctx: Context) -> list[Measurement]:
    paths = {"api": "/api/v1/incidents/", "hello": "/bench/hello/", "naive": "/bench/naive/incidents/"}
    sizes = {}
    for name, path in paths.items():
        body = json.loads(check_ok(ctx.big_server.base_url + path))
        sizes[name] = len(body.get("results", [])) if isinstance(body, dict) else len(body)
    if sizes["api"] != 50 or sizes["naive"] != 50:
        raise RuntimeError(f"expected pages of 50, got {sizes}")
    rates = _rates(ctx, ctx.big_server, paths)
    return [
        Measurement(
            key="3a",
            name="/api/v1/incidents/ (page of 50, nested actors) vs hello-world JSON view",
            figure=rates["api"],
            unit="req/s",
            baseline=rates["hello"],
            baseline_name="hello-world JsonResponse, same middleware",
            target=">= 0.3",
        ),
        Measurement(
            key="3b",
            name="/api/v1/incidents/ vs plain DRF ModelSerializer of the same payload",
            figure=rates["api"],
            unit="req/s",
            baseline=rates["naive"],
            baseline_name="bench/naive.py: ModelSerializer, page-number pagination",
            target=">= 2",
        ),
        api_bound(ctx, rates["hello"]),
        *readmodel_refresh(ctx),
    ]


def readmodel_refresh(ctx: Context) -> list[Measurement]:
    """What keeping the read model current costs a write: one incident published (its refresh,
    and a first publication through the service), and a bulk import's worth refreshed at once."""
    results = []
    try:
        one = ctx.task(ctx.big, "readmodel_refresh")
        note = (
            f"a first publication through the publishing service, with its refresh: {one['publish_ms']:.1f} ms"
            if "publish_ms" in one
            else f"a first publication was not timed: {one['publish_error']}"
        )
        results.append(
            Measurement(
                key="3d",
                name=f"publish one incident: read-model refresh at {ctx.big.scale:,} "
                "(refresh_incidents([id]) in a transaction, rolled back; median)",
                figure=one["refresh_ms"],
                unit="ms",
                baseline=None,
                baseline_name="",
                target="< 50 ms",
                note=note,
            )
        )
    except Exception as error:
        results.append(failed("3d read-model refresh of one incident", error))
    try:
        bulk = ctx.task(ctx.big, "readmodel_bulk_refresh", rows=ctx.import_rows)
        results.append(
            Measurement(
                key="3e",
                name=f"bulk change of {bulk['rows']:,} published incidents (as a reviewed import's): "
                "read-model refresh (titles edited, then refresh_incidents(ids); rolled back)",
                figure=bulk["seconds"],
                unit="s",
                baseline=None,
                baseline_name="",
                target="< 30 s",
                note=(
                    f"the editorial UPDATE before it (incidents, their history and its public copy): "
                    f"{bulk['edit_seconds']:.1f} s; the same incidents refreshed once more with their "
                    f"claims, citations and links, nothing changed: {bulk['unchanged_seconds']:.1f} s"
                ),
            )
        )
    except Exception as error:
        results.append(failed("3e read-model refresh of a bulk import", error))
    return results


def api_bound(ctx: Context, hello_rate: float) -> Measurement:
    """The best 3a could be if every step of the API request beyond the hello-world view's
    cost nothing: a request that takes hello-world's time over HTTP (``hello_rate``) plus the
    time the API page spends in the database (measured in-process)."""
    floor = ctx.task(ctx.big, "api_floor")
    return Measurement(
        key="3c",
        name="bound on 3a: hello-world's time plus the API page's time in the database "
        f"(in-process: the API request {floor['api_ms']:.2f} ms, of which {floor['database_ms']:.2f} ms "
        f"in the database, hello-world {floor['hello_ms']:.2f} ms)",
        figure=1000 / (1000 / hello_rate + floor["database_ms"]),
        unit="req/s",
        baseline=hello_rate,
        baseline_name="hello-world JsonResponse, as in 3a",
        target="",
    )


# --- 4: deep pages -----------------------------------------------------------------------------------


def _latency(ctx: Context, server: Server, paths: dict[str, str], headers: dict[str, str] | None = None) -> dict:
    """Median over repeats of each path's p50 and p95 latency, in milliseconds."""
    runs: dict[str, dict[str, list[float]]] = {name: {"p50": [], "p95": []} for name in paths}
    for _ in range(ctx.repeat):
        for name, path in paths.items():
            result = timed_wrk(server.base_url + path, ctx.seconds, 1, headers)
            runs[name]["p50"].append(result.p50_ms)
            runs[name]["p95"].append(result.p95_ms)
    return {name: {p: median(v) for p, v in values.items()} for name, values in runs.items()}


def deep_pages(ctx: Context) -> list[Measurement]:
    deep = ctx.task(ctx.big, "deep_pages")
    results = []
    for letter, (surface, pair) in zip("abcd", deep["pairs"].items(), strict=True):
        key = f"4{letter}"
        try:
            if isinstance(pair, str):
                raise RuntimeError(pair)
            first, far = pair
            for path in (first, far):
                check_ok(ctx.big_server.base_url + path)
            latency = _latency(ctx, ctx.big_server, {"first": first, "deep": far})
        except Exception as error:
            results.append(failed(f"{key} {surface}", error))
            continue
        results.append(
            Measurement(
                key=key,
                name=f"{surface}: page {deep['depth']:,} rows deep vs page 1 (p50)",
                figure=latency["deep"]["p50"],
                unit="ms",
                baseline=latency["first"]["p50"],
                baseline_name="page 1",
                target="<= 2",
            )
        )
    results.extend(_acled_deep_pages(ctx, deep))
    return results


def _acled_deep_pages(ctx: Context, deep: dict) -> list[Measurement]:
    """Rows 4e and 4f: ACLED's read API, whose pages are numbered (``page=N``) rather than cursors."""
    results = []
    for letter, (surface, pair) in zip("ef", deep.get("acled", {}).items(), strict=False):
        key = f"4{letter}"
        try:
            first, far = pair
            for path in (first, far):
                check_ok(ctx.big_server.base_url + path)
            latency = _latency(ctx, ctx.big_server, {"first": first, "deep": far})
        except Exception as error:
            results.append(failed(f"{key} {surface}", error))
            continue
        results.append(
            Measurement(
                key=key,
                name=f"{surface}: page {deep['depth']:,} rows deep vs page 1 (p50)",
                figure=latency["deep"]["p50"],
                unit="ms",
                baseline=latency["first"]["p50"],
                baseline_name="page 1",
                target="<= 2",
            )
        )
    return results


# --- 5: scale invariance ----------------------------------------------------------------------------


def scale_invariance(ctx: Context) -> list[Measurement]:
    big_samples, small_samples = ctx.samples(ctx.big), ctx.samples(ctx.small)
    country = big_samples["country"]
    term = big_samples["search_term"]
    pages = [
        ("/incidents/ with a filter", lambda s: with_query("/incidents/", {"country": country}), False),
        ("/incidents/ with a search", lambda s: with_query("/incidents/", {"q": term}), False),
        ("incident detail page", lambda s: f"/incidents/{s['detail_id']}/", False),
        ("/api/v1/incidents/", lambda s: "/api/v1/incidents/", False),
        ("admin incident changelist", lambda s: "/admin/incidents/incident/", True),
    ]
    results = []
    for letter, (name, path_for, admin) in zip("abcde", pages, strict=True):
        try:
            if letter in "ab":
                # The list page: the time to its first byte, its rows (its counts come after).
                results.append(_first_byte_pair(ctx, f"5{letter}", name, path_for, big_samples, small_samples))
            else:
                results.append(_scale_pair(ctx, f"5{letter}", name, path_for, admin, big_samples, small_samples))
        except Exception as error:  # one page's failure must not hide the others
            results.append(failed(f"5{letter} {name}", error))
    # Bounds on 5a and 5b, the filtered and the searched list.
    for key, bounded, (name, path_for, _) in (("5f", "5a", pages[0]), ("5g", "5b", pages[1])):
        try:
            results.append(_counting_bound(ctx, key, bounded, name, path_for(big_samples), path_for(small_samples)))
        except Exception as error:
            results.append(failed(f"{key} bound on {bounded}", error))
    # The counts of 5a's and 5b's result sets, which their pages fetch after their rows: reported.
    fragments = [
        ("the filtered list's counts", lambda s: with_query("/incidents/facets/", {"country": country})),
        ("the searched list's counts", lambda s: with_query("/incidents/facets/", {"q": term})),
    ]
    for letter, (name, path_for) in zip("hi", fragments, strict=True):
        try:
            results.append(_first_byte_pair(ctx, f"5{letter}", name, path_for, big_samples, small_samples, target=""))
        except Exception as error:
            results.append(failed(f"5{letter} {name}", error))
    return results


def _counting_bound(ctx: Context, key: str, bounded: str, name: str, big_path: str, small_path: str) -> Measurement:
    """The best ``bounded`` could be if the page at the main scale cost nothing beyond its
    slowest statement (since the counts left the page, the page's rows or its search): that
    statement alone against the whole page at the smaller scale, both timed in-process."""
    big = ctx.task(ctx.big, "page_times", path=big_path)
    small = ctx.task(ctx.small, "page_times", path=small_path)
    return Measurement(
        key=key,
        name=f"bound on {bounded}: the slowest statement of {name} at {ctx.big.scale:,} alone vs the whole page "
        f"at {ctx.small.scale:,} (in-process: the page took {big['page_ms']:.0f} ms at {ctx.big.scale:,}, "
        f"its slowest statement at {ctx.small.scale:,} {small['slowest_statement_ms']:.0f} ms)",
        figure=big["slowest_statement_ms"],
        unit="ms",
        baseline=small["page_ms"],
        baseline_name=f"the whole page at {ctx.small.scale:,}, in-process",
        target="",
    )


def first_byte_ms(url: str) -> float:
    """Milliseconds from sending a GET to reading the response's status line, on a new
    connection (gunicorn's sync worker closes each); the body is read and dropped after."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        connection.connect()
        started = time.perf_counter()
        connection.request("GET", f"{parts.path}?{parts.query}" if parts.query else parts.path)
        response = connection.getresponse()
        elapsed = (time.perf_counter() - started) * 1000
        response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"GET {url} answered {response.status}")
    return elapsed


def first_byte_p95(url: str, seconds: float) -> float:
    """The 95th percentile of the time to first byte over ``seconds`` (at least ten requests)."""
    times: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(times) < 10:
        times.append(first_byte_ms(url))
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def _first_byte_pair(
    ctx: Context,
    key: str,
    name: str,
    path_for: Callable,
    big_samples: dict,
    small_samples: dict,
    target: str = "<= 1.3",
) -> Measurement:
    """The p95 time to first byte at both scales, runs alternating, the median of ``repeat``."""
    big_path, small_path = path_for(big_samples), path_for(small_samples)
    check_ok(ctx.big_server.base_url + big_path)
    check_ok(ctx.small_server.base_url + small_path)
    big_p95, small_p95 = [], []
    for _ in range(ctx.repeat):
        for server, path, sink in (
            (ctx.small_server, small_path, small_p95),
            (ctx.big_server, big_path, big_p95),
        ):
            sink.append(first_byte_p95(server.base_url + path, ctx.seconds))
    return Measurement(
        key=key,
        name=f"{name} (p95 time to first byte, {big_path})",
        figure=median(big_p95),
        unit="ms",
        baseline=median(small_p95),
        baseline_name=f"p95 at {ctx.small.scale:,}",
        target=target,
    )


def _scale_pair(
    ctx: Context, key: str, name: str, path_for: Callable, admin: bool, big_samples: dict, small_samples: dict
) -> Measurement:
    big_path, small_path = path_for(big_samples), path_for(small_samples)
    big_headers = ctx.admin_cookie(ctx.big) if admin else None
    small_headers = ctx.admin_cookie(ctx.small) if admin else None
    check_ok(ctx.big_server.base_url + big_path, big_headers)
    check_ok(ctx.small_server.base_url + small_path, small_headers)
    big_p95, small_p95 = [], []
    for _ in range(ctx.repeat):
        for server, path, headers, sink in (
            (ctx.small_server, small_path, small_headers, small_p95),
            (ctx.big_server, big_path, big_headers, big_p95),
        ):
            sink.append(timed_wrk(server.base_url + path, ctx.seconds, 1, headers).p95_ms)
    return Measurement(
        key=key,
        name=f"{name} (p95, {big_path if not admin else 'logged in'})",
        figure=median(big_p95),
        unit="ms",
        baseline=median(small_p95),
        baseline_name=f"p95 at {ctx.small.scale:,}",
        target="<= 1.3",
    )


# --- 6 and 7: search and facets at the SQL level ----------------------------------------------------


def search(ctx: Context) -> list[Measurement]:
    result = ctx.task(ctx.big, "search_sql", repeat=max(5, ctx.repeat))
    measurements = [
        Measurement(
            key="6a",
            name=f"ranked two-term search {result['query']!r} vs the same unranked match (EXPLAIN ANALYZE)",
            figure=result["ranked_ms"],
            unit="ms",
            baseline=result["unranked_ms"],
            baseline_name="the same match unranked (every matching id)",
            target="<= 1.5",
            note=f"{result['matches']:,} matches; the first unranked page by date, which stops early, "
            f"took {result['first_page_ms']:.1f} ms",
        )
    ]
    for letter, check in zip("bcdefg", result["trigram"], strict=False):
        measurements.append(
            Measurement(
                key=f"6{letter}",
                name=f"{check['lookup']} uses a trigram index",
                figure=1.0 if check["index"] else 0.0,
                unit="(1 = yes)",
                baseline=None,
                baseline_name="",
                target="== 1 yes",
                note=check["index"] or check["plan"],
            )
        )
    return measurements


def facets(ctx: Context) -> list[Measurement]:
    result = ctx.task(ctx.big, "facets", repeat=max(5, ctx.repeat))
    return [
        Measurement(
            key="7",
            name=f"all facet counts of ?{urllib.parse.urlencode(result['params'])} vs one GROUP BY (EXPLAIN ANALYZE)",
            figure=result["all_ms"],
            unit="ms",
            baseline=result["one_ms"],
            baseline_name="one single-facet GROUP BY over the same rows",
            target="<= 1.5",
            note=f"{result['facets']} facets over {result['rows']:,} rows; compute_facets() took "
            f"{result['wall_ms']:.0f} ms in {result['queries']} queries; the GROUP BY without parallel "
            f"workers: {result['one_serial_ms']:.0f} ms"
            + ("" if result["exact"] else ", hit its time budget and fell back to an estimate"),
        )
    ]


# --- 8: import ----------------------------------------------------------------------------------------


def imports(ctx: Context) -> list[Measurement]:
    results = []
    try:
        admin = ctx.task(ctx.big, "admin_import", rows=20_000)
        results.append(
            Measurement(
                key="8a",
                name=f"admin import of a {admin['rows']:,}-row CSV (upload and preview, then confirm)",
                figure=admin["rows"] / admin["seconds"],
                unit="rows/s",
                baseline=None,
                baseline_name="",
                target=">= 5000 rows/s",
                note=f"{admin['seconds']:.1f} s, of which preview {admin['preview_seconds']:.1f} s",
            )
        )
    except Exception as error:
        results.append(failed("8a admin import", error))
    try:
        results.extend(_cli_import(ctx, rows=min(ctx.big.published, ctx.import_rows)))
    except Exception as error:
        results.append(failed("8b import_incidents", error))
    return results


def _cli_import(ctx: Context, rows: int) -> list[Measurement]:
    """``import_incidents`` into an empty database, against COPY FROM of the same file there."""
    path = OUT / f"import-{rows}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    written = ctx.task(ctx.big, "write_import_file", rows=rows, path=str(path))
    scratch = "archive_bench_import"
    psql("postgres", f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")
    psql("postgres", f"CREATE DATABASE {scratch}")
    try:
        env = django_env(database_url(scratch), scratch)
        subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
        ctx.log(f"import_incidents of {written['rows']:,} rows ({written['bytes'] / MB:.0f} MB)")
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "import_incidents", str(path)], cwd=ROOT, env=env, check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        import_seconds = time.perf_counter() - started
        imported = int(psql(scratch, "SELECT count(*) FROM incidents_incident"))
        header = path.open(encoding="utf-8").readline().strip().split(",")
        columns = ", ".join(f'"{name.strip(chr(34))}" text' for name in header)
        psql(scratch, f"CREATE TABLE bench_copy_target ({columns})")
        started = time.perf_counter()
        psql(scratch, f"\\copy bench_copy_target FROM '{path}' WITH (FORMAT csv, HEADER true)")
        copy_seconds = time.perf_counter() - started
        table_seconds = _copy_into_incident_table(scratch, OUT / f"import-{rows}-incidents.csv")
    finally:
        psql("postgres", f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")
        path.unlink(missing_ok=True)
    if imported != written["rows"]:
        raise RuntimeError(f"{written['rows']:,} rows in the file but {imported:,} incidents imported")
    return [
        Measurement(
            key="8b",
            name=f"import_incidents of {written['rows']:,} rows vs COPY FROM the same file",
            figure=written["rows"] / import_seconds,
            unit="rows/s",
            baseline=written["rows"] / copy_seconds,
            baseline_name="psql \\copy FROM into a table of the file's columns",
            target=">= 0.3",
            note=f"{import_seconds:.0f} s vs {copy_seconds:.1f} s, {written['bytes'] / MB:.0f} MB",
        ),
        Measurement(
            key="8c",
            name=f"bound on 8b: COPY FROM of the {imported:,} imported incidents into a copy of the incident table "
            f"(its indexes and search column; no checks, actors, sources, foreign keys or history), "
            f"{table_seconds:.1f} s",
            figure=written["rows"] / table_seconds,
            unit="rows/s",
            baseline=written["rows"] / copy_seconds,
            baseline_name="psql \\copy FROM into a table of the file's columns",
            target="",
        ),
    ]


def _copy_into_incident_table(dbname: str, path: Path) -> float:
    """Seconds to COPY the incidents of ``dbname`` back into an empty table made LIKE the
    incident table (including its indexes and generated search column)."""
    columns = psql(
        dbname,
        "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
        "WHERE attrelid = 'incidents_incident'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''",
    )
    try:
        psql(dbname, f"\\copy (SELECT {columns} FROM incidents_incident) TO '{path}' WITH (FORMAT csv)")
        psql(dbname, "CREATE TABLE bench_incident_copy (LIKE incidents_incident INCLUDING ALL)")
        started = time.perf_counter()
        psql(dbname, f"\\copy bench_incident_copy ({columns}) FROM '{path}' WITH (FORMAT csv)")
        return time.perf_counter() - started
    finally:
        path.unlink(missing_ok=True)


# --- 9: query counts ----------------------------------------------------------------------------------


def query_counts(ctx: Context) -> list[Measurement]:
    counts = ctx.task(ctx.small, "query_counts")
    results = []
    for index, row in enumerate(counts["rows"]):
        key = f"9{chr(ord('a') + index)}"
        name = f"queries for {row['page']}: {row['large']} vs {row['small']}"
        if "error" in row:
            results.append(failed(f"{key} {row['page']}", RuntimeError(row["error"])))
            continue
        results.append(
            Measurement(
                key=key,
                name=name,
                figure=row["large_queries"],
                unit="queries",
                baseline=row["small_queries"],
                baseline_name=row["small"],
                target="== 1",
            )
        )
    return results


# --- 10: generation ------------------------------------------------------------------------------------


def generation(ctx: Context) -> list[Measurement]:
    dataset = ctx.big
    if dataset.generated_seconds is None:
        raise RuntimeError("the data set's generation time was not recorded")
    per_million = dataset.generated_seconds * 1_000_000 / dataset.scale
    note = "" if dataset.scale == 1_000_000 else f"{dataset.generated_seconds:.0f} s for {dataset.scale:,}, scaled"
    return [
        Measurement(
            key="10",
            name=(
                f"generate_incidents --count 1,000,000 ({dataset.claims:,} claims, {dataset.citations:,} citations "
                "at this scale)"
            ),
            figure=per_million,
            unit="s",
            baseline=None,
            baseline_name="",
            target="<= 600 s",
            note="; ".join(part for part in (note, f"then VACUUM ANALYZE {dataset.vacuum_seconds:.0f} s") if part),
        )
    ]


# --- 11: the editors' change form --------------------------------------------------------------------------


def admin_change_form(ctx: Context) -> list[Measurement]:
    """The incident change form with 50 claims (the seed incident has 24), against the admin's own pages."""
    result = ctx.task(ctx.big, "admin_change_form", claims=50, requests=max(5, ctx.repeat * 3))
    note = (
        f"{result['queries']} queries, {result['bytes'] / 1024:.0f} KB of HTML; "
        f"changelist {result['changelist_ms']:.0f} ms"
    )
    return [
        Measurement(
            key="11a",
            name=f"admin change form of an incident with {result['claims']} claims, each with a citation",
            figure=result["form_ms"],
            unit="ms",
            baseline=result["index_ms"],
            baseline_name="admin index page",
            target="<= 1000 ms",
            note=note,
        )
    ]
