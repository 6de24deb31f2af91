"""Inline SVG for the board pack: a trend line chart whose every point carries its mart cell (data-table,
data-key, data-column, data-value), so a reader of the page and the test can tie each point to the
published figure. No script, no font files: the page's own font stack, text escaped with html_text."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from markupsafe import Markup

from orchestration.safe_text import html_text

WIDTH, HEIGHT = 780, 220
LEFT, RIGHT, TOP, BOTTOM = 58, 250, 14, 34
MAX_X_LABELS = 8  # month labels drawn at most: they never overlap at this width


@dataclass
class Point:
    x: int  # index into the chart's x labels
    value: float | None  # None: not drawn (suppressed or not available), the line breaks there
    attrs: dict[str, str]  # the figure's data-* attributes (its mart cell)
    hollow: bool = False  # provisional or low coverage: drawn as an open circle


@dataclass
class Series:
    label: str
    colour: str
    points: list[Point] = field(default_factory=list)
    dashed: bool = False


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0]
    if high <= low:
        high = low + (abs(low) or 1.0)
    step = 10 ** math.floor(math.log10((high - low) / count))
    for multiple in (1, 2, 2.5, 5, 10):
        if (high - low) / (step * multiple) <= count:
            step *= multiple
            break
    start = math.floor(low / step) * step
    ticks = []
    tick = start
    while tick <= high + step * 1e-9:
        ticks.append(round(tick, 10))
        tick += step
    if ticks[-1] < high:
        ticks.append(round(tick, 10))
    return ticks


def attributes(attrs: dict[str, str]) -> str:
    return " ".join(f'{html_text(name)}="{html_text(value)}"' for name, value in attrs.items())


def line_chart(title: str, x_labels: list[str], series: list[Series], tick_label, zero_based: bool = True) -> Markup:
    """One chart: series as lines broken where a value is missing, hollow circles for marked points, a y axis
    labelled with tick_label(value) (percentages as 25%, never 0.25) and at most MAX_X_LABELS month labels."""
    values = [p.value for s in series for p in s.points if p.value is not None]
    if not values or not x_labels:
        return Markup(f'<p class="nodata">{html_text(title)}: no published values to draw.</p>')
    low = 0.0 if zero_based and min(values) >= 0 else min(values)
    ticks = nice_ticks(low, max(values))
    y_min, y_max = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def sx(index: int) -> float:
        return LEFT + (plot_w * index / max(1, len(x_labels) - 1))

    def sy(value: float) -> float:
        return TOP + plot_h * (1 - (value - y_min) / ((y_max - y_min) or 1))

    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{html_text(title)}</title>'
    ]
    for tick in ticks:
        y = sy(tick)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{html_text(tick_label(tick))}</text>'
        )
    every = max(1, math.ceil(len(x_labels) / MAX_X_LABELS))
    for index, label in enumerate(x_labels):
        if index % every == 0:
            parts.append(
                f'<text class="tick" x="{sx(index):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                f"{html_text(label)}</text>"
            )
    for row, line in enumerate(series):
        dash = ' stroke-dasharray="5 3"' if line.dashed else ""
        run: list[str] = []
        for point in [*line.points, Point(-1, None, {})]:
            if point.value is None:
                if len(run) > 1:
                    joined = " ".join(run)
                    parts.append(
                        f'<polyline fill="none" stroke="{line.colour}" stroke-width="2"{dash} points="{joined}"/>'
                    )
                run = []
                continue
            run.append(f"{sx(point.x):.1f},{sy(point.value):.1f}")
        for point in line.points:
            if point.value is None:
                continue
            fill = "#fff" if point.hollow else line.colour
            parts.append(
                f'<circle class="point{" marked" if point.hollow else ""}" cx="{sx(point.x):.1f}" '
                f'cy="{sy(point.value):.1f}" r="3.2" fill="{fill}" stroke="{line.colour}" stroke-width="1.5" '
                f"{attributes(point.attrs)}><title>{html_text(line.label)} {html_text(x_labels[point.x])}: "
                f"{html_text(tick_label(point.value))}</title></circle>"
            )
        y = TOP + 6 + row * 16
        parts.append(
            f'<line x1="{WIDTH - RIGHT + 10}" x2="{WIDTH - RIGHT + 26}" y1="{y}" y2="{y}" stroke="{line.colour}" '
            f'stroke-width="2"{dash}/><text class="legend" x="{WIDTH - RIGHT + 30}" y="{y + 4}">'
            f"{html_text(line.label)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
