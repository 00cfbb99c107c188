"""The run's results: one row per measurement, printed as a table and saved as JSON."""

from __future__ import annotations

import json
import operator
from dataclasses import asdict, dataclass, field
from pathlib import Path

# A target is a comparison of the ratio (figure / baseline) with a bound.
COMPARISONS = {">=": operator.ge, "<=": operator.le, "<": operator.lt, "==": operator.eq}


@dataclass
class Measurement:
    key: str
    name: str
    figure: float | None
    unit: str
    baseline: float | None
    baseline_name: str
    target: str  # e.g. ">= 0.8" (on the ratio), "<= 100 MB" (on the figure), or "" (reported only)
    note: str = ""
    ratio: float | None = field(init=False)
    passed: bool | None = field(init=False)

    def __post_init__(self) -> None:
        self.ratio = self.figure / self.baseline if self.figure is not None and self.baseline not in (None, 0) else None
        self.passed = self._check()

    def _check(self) -> bool | None:
        if not self.target or self.figure is None:
            return None
        op, bound, *unit = self.target.split()
        compare = COMPARISONS[op]
        value = self.figure if unit else self.ratio
        return None if value is None else compare(round(value, 3), float(bound))


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    if abs(value) >= 1000:
        text = f"{value:,.0f}"
    elif abs(value) >= 100:
        text = f"{value:.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip()


def _target(measurement: Measurement) -> str:
    if not measurement.target:
        return "(reported)"
    op, bound, *unit = measurement.target.split()
    symbol = {">=": "≥", "<=": "≤", "<": "<", "==": "="}[op]
    return f"{symbol} {bound} {' '.join(unit)}".strip() if unit else f"ratio {symbol} {bound}"


def _verdict(measurement: Measurement) -> str:
    return {True: "pass", False: "FAIL", None: "–"}[measurement.passed]


def markdown_table(measurements: list[Measurement]) -> str:
    lines = [
        "| # | measurement | figure | baseline (same run) | ratio | target | result |",
        "|---|---|---:|---|---:|---|---|",
    ]
    for m in measurements:
        baseline = f"{_number(m.baseline, m.unit)} ({m.baseline_name})" if m.baseline_name else "–"
        ratio = f"{m.ratio:.2f}×" if m.ratio is not None else "–"
        name = f"{m.name} ({m.note})" if m.note else m.name
        lines.append(
            f"| {m.key} | {name} | {_number(m.figure, m.unit)} | {baseline} | {ratio} | {_target(m)} | {_verdict(m)} |"
        )
    return "\n".join(lines)


def write_json(path: Path, run: dict, measurements: list[Measurement]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**run, "measurements": [asdict(m) for m in measurements]}, indent=2) + "\n")
