"""``python -m bench --scale N``: build or reuse the data sets, serve them with gunicorn,
measure, and print the table (also written to ``bench/out/latest.json``)."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import sys
import time
import traceback
from pathlib import Path

from bench import measure
from bench.datasets import ensure_dataset
from bench.report import markdown_table, write_json
from bench.server import GUNICORN_ARGS, ROOT, Server, collect_static

OUT = Path(__file__).resolve().parent / "out"
SECTIONS = {
    "generate": measure.generation,
    "queries": measure.query_counts,
    "search": measure.search,
    "facets": measure.facets,
    "export": measure.exports,
    "api": measure.api_rates,
    "deep": measure.deep_pages,
    "scale": measure.scale_invariance,
    "import": measure.imports,
    "admin": measure.admin_change_form,
}


def log(message: str) -> None:
    print(f"[{datetime.datetime.now(datetime.UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", type=int, default=1_000_000, help="incidents in the main data set")
    parser.add_argument(
        "--reference-scale",
        type=int,
        default=None,
        help="the smaller data set that scale invariance and memory growth compare with (default: scale / 10)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the table shows medians")
    parser.add_argument(
        "--export-repeat", type=int, default=1, help="runs of each export (at a million rows, each lasts minutes)"
    )
    parser.add_argument("--seconds", type=float, default=5, help="duration of each wrk run")
    parser.add_argument("--only", nargs="*", choices=[*SECTIONS, "datasets"], help="run only these sections")
    parser.add_argument(
        "--import-rows",
        type=int,
        default=100_000,
        help="rows of the command-line import, at most the published incidents (1,000,000 takes about 10 minutes)",
    )
    parser.add_argument("--port", type=int, default=8107, help="first of two loopback ports for gunicorn")
    return parser.parse_args()


def ensure_wrk() -> None:
    # `make bench` installs Debian's wrk first (the Makefile's wrk target).
    if not shutil.which("wrk"):
        sys.exit("The benchmark needs wrk: run it through `make bench`, or install Debian's wrk package.")


def main() -> None:
    args = parse_args()
    ensure_wrk()
    reference_scale = args.reference_scale or max(1000, args.scale // 10)
    sections = args.only or list(SECTIONS)

    big = ensure_dataset(args.scale, log)
    small = ensure_dataset(reference_scale, log)
    log(
        f"data sets: {big.dbname} ({big.incidents:,} incidents, {big.claims:,} claims, "
        f"{big.citations:,} citations), {small.dbname}"
    )
    if sections == ["datasets"]:
        return

    run = {
        "started": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "scale": args.scale,
        "reference_scale": reference_scale,
        "repeat": args.repeat,
        "export_repeat": args.export_repeat,
        "import_rows": args.import_rows,
        "wrk_seconds": args.seconds,
        "gunicorn": " ".join(GUNICORN_ARGS),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "load_average_at_start": os.getloadavg(),
        "datasets": {d.dbname: vars(d) for d in (big, small)},
    }
    measurements = []
    logs = OUT / "logs"
    collect_static(big.url)
    with (
        Server(big.url, args.port, logs / f"gunicorn-{big.dbname}.log", big.dbname) as big_server,
        Server(small.url, args.port + 1, logs / f"gunicorn-{small.dbname}.log", small.dbname) as small_server,
    ):
        context = measure.Context(
            big=big,
            small=small,
            big_server=big_server,
            small_server=small_server,
            repeat=args.repeat,
            seconds=args.seconds,
            log=log,
            import_rows=args.import_rows,
            export_repeat=args.export_repeat,
        )
        for name in sections:
            if name == "datasets":
                continue
            log(f"section: {name}")
            started = time.perf_counter()
            try:
                measurements.extend(SECTIONS[name](context))
            except Exception as error:  # one broken section must not hide the others' figures
                traceback.print_exc()
                measurements.append(measure.failed(name, error))
            log(f"section {name} took {time.perf_counter() - started:.0f} s")
    run["finished"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    run["load_average_at_end"] = os.getloadavg()

    table = markdown_table(measurements)
    print(table)
    write_json(OUT / "latest.json", run, measurements)
    (OUT / "latest.md").write_text(table + "\n")
    log(f"wrote {(OUT / 'latest.json').relative_to(ROOT)}")
    print(json.dumps({"failed": [m.key for m in measurements if m.passed is False]}), file=sys.stderr)


if __name__ == "__main__":
    main()
