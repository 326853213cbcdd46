"""Trend charts drawn on the server as SVG: no chart library, no outside resource, printable.

:func:`trend_chart` draws one indicator's series: the value as a line with points, its
interval as a shaded band, optionally an objective's trajectory (dashed) and target (a
marker at the deadline). Periods without a value (insufficient data, suppressed groups)
break the line and the band instead of being joined across. The SVG carries a ``<title>``
and ``<desc>`` (screen readers read the summary); numbers are rounded to 0.1 px; every text
is escaped. Styles are presentation attributes (the CSP forbids inline ``style``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

WIDTH, HEIGHT = 640, 240
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 48, 16, 16, 36
LINE, BAND, TRAJECTORY = "#1f6fb2", "#cfe3f5", "#b45309"


@dataclass(frozen=True)
class Point:
    """One period: its end (x), the value and interval (None = no value)."""

    at: datetime
    value: float | None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Trajectory:
    """An objective's line from (start, baseline) to (deadline, target)."""

    start: datetime
    baseline: float
    deadline: datetime
    target: float


def trend_chart(
    points: Sequence[Point],
    title: str,
    *,
    trajectory: Trajectory | None = None,
    percent: bool = False,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> str:
    """The SVG document of ``points`` (see the module); ``percent`` labels the y axis in %."""
    scale = _Scale.fit(points, trajectory, width, height)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="trend-chart">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(_summary(points, percent))}</desc>",
        *_axes(scale, percent),
        *_bands(points, scale),
        *_trajectory(trajectory, scale),
        *_lines(points, scale),
        "</svg>",
    ]
    return "\n".join(part for part in parts if part)


@dataclass(frozen=True)
class _Scale:
    x0: float
    x1: float
    y0: float
    y1: float
    width: int
    height: int

    @classmethod
    def fit(
        cls, points: Sequence[Point], line: Trajectory | None, width: int, height: int
    ) -> _Scale:
        times = [p.at.timestamp() for p in points]
        values = [float(v) for p in points for v in (p.value, p.low, p.high) if v is not None
                  and math.isfinite(v)]  # fmt: skip
        if line is not None:
            times += [line.start.timestamp(), line.deadline.timestamp()]
            values += [line.baseline, line.target]
        x0, x1 = (min(times), max(times)) if times else (0.0, 1.0)
        y0, y1 = (min(values), max(values)) if values else (0.0, 1.0)
        pad = (y1 - y0) * 0.08 or max(abs(y1), 1.0) * 0.1
        return cls(x0, x1 if x1 > x0 else x0 + 1, y0 - pad, y1 + pad, width, height)

    def x(self, moment: datetime) -> float:
        span = self.width - MARGIN_LEFT - MARGIN_RIGHT
        return MARGIN_LEFT + span * (moment.timestamp() - self.x0) / (self.x1 - self.x0)

    def y(self, value: float) -> float:
        span = self.height - MARGIN_TOP - MARGIN_BOTTOM
        return self.height - MARGIN_BOTTOM - span * (value - self.y0) / (self.y1 - self.y0)


def _axes(scale: _Scale, percent: bool) -> list[str]:
    bottom, right = scale.height - MARGIN_BOTTOM, scale.width - MARGIN_RIGHT
    lines = [
        f'<line x1="{MARGIN_LEFT}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#9aa5b1"/>'
    ]
    for value in _ticks(scale.y0, scale.y1):
        y = _n(scale.y(value))
        lines.append(f'<line x1="{MARGIN_LEFT}" y1="{y}" x2="{right}" y2="{y}" stroke="#e4e7eb"/>')
        lines.append(f'<text x="{MARGIN_LEFT - 6}" y="{y}" text-anchor="end" '
                     f'dominant-baseline="middle" font-size="11" fill="#52606d">'
                     f"{escape(_label(value, percent))}</text>")  # fmt: skip
    for moment in _month_ticks(scale):
        x = _n(scale.x(moment))
        lines.append(f'<text x="{x}" y="{bottom + 16}" text-anchor="middle" font-size="11" '
                     f'fill="#52606d">{moment:%Y-%m}</text>')  # fmt: skip
    return lines


def _bands(points: Sequence[Point], scale: _Scale) -> list[str]:
    """One polygon per run of consecutive points with an interval."""
    shapes = []
    for run in _runs(points, lambda p: _finite(p.low) and _finite(p.high)):
        upper = [f"{_n(scale.x(p.at))},{_n(scale.y(p.high))}" for p in run]  # type: ignore[arg-type]
        lower = [f"{_n(scale.x(p.at))},{_n(scale.y(p.low))}" for p in reversed(run)]  # type: ignore[arg-type]
        shapes.append(f'<polygon class="band" points="{" ".join(upper + lower)}" '
                      f'fill="{BAND}" stroke="none"/>')  # fmt: skip
    return shapes


def _lines(points: Sequence[Point], scale: _Scale) -> list[str]:
    shapes = []
    for run in _runs(points, lambda p: _finite(p.value)):
        coords = [(_n(scale.x(p.at)), _n(scale.y(p.value))) for p in run]  # type: ignore[arg-type]
        path = " ".join(f"{x},{y}" for x, y in coords)
        shapes.append(f'<polyline class="series" points="{path}" fill="none" stroke="{LINE}" '
                      f'stroke-width="2"/>')  # fmt: skip
        shapes += [f'<circle cx="{x}" cy="{y}" r="3" fill="{LINE}"/>' for x, y in coords]
    return shapes


def _trajectory(line: Trajectory | None, scale: _Scale) -> list[str]:
    if line is None:
        return []
    x0, y0 = _n(scale.x(line.start)), _n(scale.y(line.baseline))
    x1, y1 = _n(scale.x(line.deadline)), _n(scale.y(line.target))
    return [
        f'<line class="trajectory" x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}" stroke="{TRAJECTORY}" '
        f'stroke-width="1.5" stroke-dasharray="5 4"/>',
        f'<circle class="target" cx="{x1}" cy="{y1}" r="5" fill="none" stroke="{TRAJECTORY}" '
        f'stroke-width="2"/>',
    ]


def _runs(points: Sequence[Point], keep: Callable[[Point], bool]) -> list[list[Point]]:
    """Maximal runs of consecutive points satisfying ``keep``."""
    runs: list[list[Point]] = [[]]
    for point in points:
        if keep(point):
            runs[-1].append(point)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About ``count`` round values between ``low`` and ``high``."""
    step = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(step)) if step > 0 else 1.0
    nice = min((m * magnitude for m in (1, 2, 2.5, 5, 10)), key=lambda s: abs(s - step))
    first = math.ceil(low / nice) * nice
    return [first + i * nice for i in range(count + 2) if first + i * nice <= high]


def _month_ticks(scale: _Scale, most: int = 8) -> list[datetime]:
    start = datetime.fromtimestamp(scale.x0, tz=UTC)
    months = []
    year, month = start.year, start.month
    while True:
        moment = datetime(year, month, 1, tzinfo=UTC)
        if moment.timestamp() > scale.x1:
            break
        if moment.timestamp() >= scale.x0:
            months.append(moment)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    step = max(1, math.ceil(len(months) / most))
    return months[::step]


def _summary(points: Sequence[Point], percent: bool) -> str:
    shown = [p for p in points if _finite(p.value)]
    if not shown:
        return "No period has enough data to show."
    first, last = shown[0], shown[-1]
    return (f"{len(shown)} of {len(points)} periods with data; from "
            f"{_label(first.value, percent)} ({first.at:%Y-%m}) to "  # type: ignore[arg-type]
            f"{_label(last.value, percent)} ({last.at:%Y-%m}).")  # type: ignore[arg-type]  # fmt: skip


def _label(value: float, percent: bool) -> str:
    return f"{100 * value:.0f}%" if percent else f"{value:.3g}"


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _n(value: float) -> str:
    return f"{value:.1f}"
