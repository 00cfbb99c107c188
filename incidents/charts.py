"""A month-by-month histogram drawn as SVG on the server: no JavaScript, no chart library."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, ngettext

WIDTH = 960
HEIGHT = 160
AXIS = 2  # the baseline; year labels sit in their own row so they keep their size
MAX_MONTHS = 600
MIN_MONTHS = 12
# Fewer incidents than this, or fewer months with any, make a chart of lonely bars: the page
# says them in a sentence instead.
FEW_INCIDENTS = 5
FEW_MONTHS = 3


def _month(month: date) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


def _count(n: int) -> str:
    return number_format(n, force_grouping=True)


@dataclass(frozen=True)
class Bar:
    month: date
    count: int
    x: float
    y: float
    width: float
    height: float
    date_from: str
    date_to: str

    @property
    def label(self) -> str:
        return ngettext("%(month)s: %(count)s incident", "%(month)s: %(count)s incidents", self.count) % {
            "month": _month(self.month),
            "count": _count(self.count),
        }

    @property
    def month_label(self) -> str:
        return _month(self.month)


@dataclass(frozen=True)
class Tick:
    x: float
    label: str

    @property
    def percent(self) -> float:
        """Position across the chart, for labels drawn at a fixed size whatever the width."""
        return round(100 * self.x / WIDTH, 2)


@dataclass(frozen=True)
class Histogram:
    bars: list[Bar]
    ticks: list[Tick]
    peak: int
    width: int = WIDTH
    height: int = HEIGHT
    axis_y: int = HEIGHT - AXIS

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)

    @property
    def periods(self) -> list[Bar]:
        """The months with at least one incident."""
        return [bar for bar in self.bars if bar.count]

    @property
    def sparse(self) -> bool:
        """Too few incidents or months for a chart to say more than a sentence."""
        return bool(self.bars) and (self.total < FEW_INCIDENTS or len(self.periods) < FEW_MONTHS)

    @property
    def summary(self) -> str:
        if not self.bars:
            return gettext("No incidents to chart.")
        values = {
            "count": _count(self.total),
            "first": _month(self.bars[0].month),
            "last": _month(self.bars[-1].month),
            "peak": _count(self.peak),
        }
        return (
            ngettext(
                "%(count)s incident from %(first)s to %(last)s, counted by month; the busiest month had %(peak)s.",
                "%(count)s incidents from %(first)s to %(last)s, counted by month; the busiest month had %(peak)s.",
                self.total,
            )
            % values
        )


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_histogram(months: list[tuple[date, int]]) -> Histogram:
    """Bars for each month between the first and the last one counted, empty months included."""
    counts = {month.replace(day=1): count for month, count in months}
    if not counts:
        return Histogram(bars=[], ticks=[], peak=0)
    first, last = min(counts), max(counts)
    months_back = (last.year - first.year) * 12 + last.month - first.month
    # A very long span keeps its most recent months; a short one is shown as a whole year,
    # so a lone month is a bar among empty months rather than one block across the chart.
    span = min(max(months_back + 1, MIN_MONTHS), MAX_MONTHS)
    index = last.year * 12 + last.month - 1 - (span - 1)
    first = date(index // 12, index % 12 + 1, 1)
    series: list[date] = []
    month = first
    while month <= last:
        series.append(month)
        month = _next_month(month)
    peak = max(counts.get(m, 0) for m in series) or 1
    step = WIDTH / len(series)
    plot = HEIGHT - AXIS - 4
    bars, ticks = [], []
    for index, month in enumerate(series):
        count = counts.get(month, 0)
        height = plot * count / peak if count else 0
        last_day = calendar.monthrange(month.year, month.month)[1]
        bars.append(
            Bar(
                month=month,
                count=count,
                x=round(index * step + step * 0.1, 2),
                y=round(HEIGHT - AXIS - height, 2),
                width=round(max(step * 0.8, 0.5), 2),
                height=round(height, 2),
                date_from=month.isoformat(),
                date_to=month.replace(day=last_day).isoformat(),
            )
        )
        if month.month == 1 or index == 0:
            ticks.append(Tick(x=round(index * step, 2), label=str(month.year)))
    # Drop year labels that would overlap their neighbour.
    spaced: list[Tick] = []
    for tick in ticks:
        if not spaced or tick.x - spaced[-1].x >= 80:
            spaced.append(tick)
    return Histogram(bars=bars, ticks=spaced, peak=peak)
