"""Charts for the monthly briefing as inline SVG: small pure functions that take labels and numbers and
return one <svg> element as a string, with title, axes, tick labels and legend.

The SVG is meant to sit inside an HTML5 page: no xmlns, no script, no reference to anything outside
the element, and every piece of text escaped. Fonts come from the page's CSS.
"""

from __future__ import annotations

import html
import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

FONT_SIZE = 12
TITLE_SIZE = 14
TITLE_HEIGHT = 24
LEGEND_ROW = 18
INK = "#333333"
MUTED = "#777777"
GRID = "#e3e3e3"

Marker = Literal["dot", "ring", "diamond", "none"]


def escape(text: object) -> str:
    """Text for HTML or SVG: markup characters escaped, and "//" written as character references so
    that no text from the data can look like a URL ("http://…") in the page source."""
    return html.escape(str(text), quote=True).replace("//", "&#47;&#47;")


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Approximate width of a text in pixels: CJK characters are square, Latin ones about 0.6 wide."""
    return sum(size if unicodedata.east_asian_width(char) in "WF" else 0.6 * size for char in text)


def format_number(value: float, decimals: int = 2) -> str:
    """1234.5 -> '1,234.50'."""
    return f"{value:,.{decimals}f}"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) covering low..high."""
    if high < low:
        low, high = high, low
    if math.isclose(high, low):
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    start = math.floor(low / step + 1e-9) * step
    stop = math.ceil(high / step - 1e-9) * step
    return [round(start + index * step, 10) for index in range(round((stop - start) / step) + 1)]


def tick_decimals(ticks: Sequence[float]) -> int:
    """Decimals needed to tell the ticks apart: 0 for 0, 500, 1000; 1 for 0.5, 1.0; 2 for 0.25."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    for decimals in range(6):
        if math.isclose(round(step, decimals), step, rel_tol=1e-9):
            return decimals
    return 6


@dataclass(frozen=True)
class LineSeries:
    """One line of a line chart: points (x, y), y None where there is no value (the line breaks)."""

    label: str
    points: tuple[tuple[float, float | None], ...]
    color: str
    dash: str = ""  # SVG stroke-dasharray, e.g. "6 4"; "" for a solid line
    marker: Marker = "dot"
    connect: bool = True  # False: markers only
    mark_first: bool = True  # False: no marker on the first point (a line continuing another series)
    annotate_last: bool = False  # write the value beside the last point


@dataclass(frozen=True)
class Band:
    """A shaded range between a low and a high line, e.g. a forecast interval: points (x, low, high)."""

    label: str
    points: tuple[tuple[float, float, float], ...]
    color: str
    opacity: float = 0.25


@dataclass(frozen=True)
class Bar:
    """One row of a horizontal bar chart. A bar without a value shows `note` instead (e.g. 保密)."""

    label: str
    value: float | None
    color: str = "#4e79a7"
    note: str = ""
    counts: tuple[int | None, ...] = ()  # small numbers in columns at the right, e.g. errors and warnings


def line_chart(
    title: str,
    x_values: Sequence[int],
    series: Sequence[LineSeries],
    *,
    unit: str = "",
    decimals: int = 2,
    width: int = 460,
    height: int = 290,
    bands: Sequence[Band] = (),
    x_label: Callable[[int], str] = str,
) -> str:
    """A line chart over evenly spaced x categories (years, months), labelled by `x_label`, y from 0 (or
    below) to the largest value; bands (shaded ranges, widest first) are drawn under the lines."""
    values = [y for line in series for _, y in line.points if y is not None]
    values += [y for band in bands for _, low, high in band.points for y in (low, high)]
    ticks = nice_ticks(min([0.0, *values]), max(values) if values else 1.0)
    tick_labels = [format_number(tick, tick_decimals(ticks)) for tick in ticks]
    legend, legend_height = _legend(
        [(band.label, _box_swatch(band.color, band.opacity)) for band in bands]
        + [(line.label, _line_swatch(line)) for line in series],
        left=12,
        top=TITLE_HEIGHT + 4,
        width=width - 24,
    )
    top = TITLE_HEIGHT + legend_height + 26
    left = 12 + max(text_width(label) for label in tick_labels) + 8
    right, bottom = width - 16, height - 28
    step = (right - left) / max(len(x_values), 1)

    def x_of(x: float) -> float:
        return left + step * (list(x_values).index(x) + 0.5) if x in x_values else left

    def y_of(y: float) -> float:
        return bottom - (y - ticks[0]) / (ticks[-1] - ticks[0]) * (bottom - top)

    parts = [_title(title, width), *legend]
    if unit:
        parts.append(_text(unit, 12, top - 12, fill=MUTED))
    for tick, label in zip(ticks, tick_labels, strict=True):
        y = y_of(tick)
        parts.append(_line(left, y, right, y, GRID))
        parts.append(_text(label, left - 6, y + 4, anchor="end", fill=MUTED))
    parts.append(_line(left, bottom, right, bottom, INK))
    parts.append(_line(left, top, left, bottom, INK))
    for x in x_values:
        parts.append(_line(x_of(x), bottom, x_of(x), bottom + 4, INK))
        parts.append(_text(x_label(x), x_of(x), bottom + 17, anchor="middle"))
    for band in bands:
        parts.append(_band(band, x_of, y_of, x_values))
    for line in series:
        parts += _line_parts(line, x_values, x_of, y_of, decimals, right)
    if not values:
        parts.append(_text("无数据", (left + right) / 2, (top + bottom) / 2, anchor="middle", fill=MUTED))
    return _svg(title, width, height, parts)


def _line_parts(
    line: LineSeries,
    x_values: Sequence[int],
    x_of: Callable[[float], float],
    y_of: Callable[[float], float],
    decimals: int,
    right: float,
) -> list[str]:
    """One series: its polylines (broken where a value is missing), markers and last-value note."""
    parts = []
    points = [
        (x_of(x), y_of(y), y, index > 0 or line.mark_first)
        for index, (x, y) in enumerate(line.points)
        if y is not None and x in x_values
    ]
    if line.connect:
        parts += _polylines(
            line, [(x_of(x), None if y is None else y_of(y)) for x, y in line.points if x in x_values]
        )
    parts += [_marker(line.marker, px, py, line.color) for px, py, _, marked in points if marked]
    if line.annotate_last and points:
        parts.append(_annotation(points[-1][:3], line.color, decimals, right))
    return parts


def bar_chart(
    title: str,
    bars: Sequence[Bar],
    *,
    unit: str = "",
    legend: Sequence[tuple[str, str]] = (),
    count_headers: Sequence[tuple[str, str]] = (),
    decimals: int = 2,
    width: int = 720,
    row_height: int = 20,
) -> str:
    """Horizontal bars in the given order, the value at the end of each bar, a bar without a value
    labelled with its note, and optional count columns (header, colour) at the right."""
    values = [bar.value for bar in bars if bar.value is not None]
    ticks = nice_ticks(min([0.0, *values]), max(values) if values else 1.0)
    tick_labels = [format_number(tick, tick_decimals(ticks)) for tick in ticks]
    legend_parts, legend_height = _legend(
        [(label, _box_swatch(color)) for label, color in legend],
        left=12,
        top=TITLE_HEIGHT + 4,
        width=width - 24,
    )
    top = TITLE_HEIGHT + legend_height + 40
    label_width = max([text_width(bar.label) for bar in bars] or [0.0])
    count_width = 46
    left = 12 + label_width + 8
    right = width - 12 - count_width * len(count_headers) - 78
    height = int(top + row_height * max(len(bars), 1) + 12)

    def x_of(value: float) -> float:
        return left + (value - ticks[0]) / (ticks[-1] - ticks[0]) * (right - left)

    def column_x(index: int) -> float:
        return right + 78 + count_width * (index + 0.5)

    parts = [_title(title, width), *legend_parts]
    if unit:
        parts.append(_text(unit, left, top - 24, fill=MUTED))
    for tick, label in zip(ticks, tick_labels, strict=True):
        parts.append(_line(x_of(tick), top - 4, x_of(tick), height - 12, GRID))
        parts.append(_text(label, x_of(tick), top - 7, anchor="middle", fill=MUTED, size=10))
    for index, (header, color) in enumerate(count_headers):
        parts.append(_text(header, column_x(index), top - 7, anchor="middle", fill=color, weight="bold"))
    colors = [color for _, color in count_headers]
    for row, bar in enumerate(bars):
        y = top + row * row_height
        parts += _bar_row(bar, y, row_height, x_of, left, decimals)
        for index, count in enumerate(bar.counts):
            color = colors[index] if index < len(colors) else INK
            parts.append(_count(count, column_x(index), y + row_height / 2 + 4, color))
    parts.append(_line(x_of(0.0), top - 4, x_of(0.0), height - 12, INK))
    return _svg(title, width, height, parts)


def _annotation(point: tuple[float, float, float], color: str, decimals: int, right: float) -> str:
    """The value above and right of its point, or left of it where it would run past the plot."""
    x, y, value = point
    label = format_number(value, decimals)
    if x + 7 + text_width(label) > right:
        return _text(label, x - 8, y - 8, anchor="end", fill=color, weight="bold")
    return _text(label, x + 7, y - 8, fill=color, weight="bold")


def _bar_row(
    bar: Bar, y: float, row_height: int, x_of: Callable[[float], float], left: float, decimals: int
) -> list[str]:
    """The label left of the plot, then the bar and its value, or the note where there is no value."""
    middle = y + row_height / 2
    parts = [_text(bar.label, left - 6, middle + 4, anchor="end")]
    if bar.value is None:
        parts.append(_text(bar.note or "—", x_of(0.0) + 4, middle + 4, fill=MUTED, style="italic"))
    else:
        start, end = sorted((x_of(0.0), x_of(bar.value)))
        parts.append(
            f'<rect x="{start:.1f}" y="{y + 3:.1f}" width="{max(end - start, 0.5):.1f}" '
            f'height="{row_height - 6}" fill="{escape(bar.color)}"/>'
        )
        parts.append(_text(format_number(bar.value, decimals), end + 4, middle + 4))
    return parts


def _count(count: int | None, x: float, y: float, color: str) -> str:
    """A count in its column: in the column's colour and bold when above zero, grey otherwise."""
    if not count:
        return _text("—" if count is None else "0", x, y, anchor="middle", fill=MUTED)
    return _text(str(count), x, y, anchor="middle", fill=color, weight="bold")


def _legend(
    entries: Sequence[tuple[str, Callable[[float, float], str]]], *, left: float, top: float, width: float
) -> tuple[list[str], float]:
    """Legend entries (label, swatch drawer) laid out in rows; returns the parts and the height used."""
    if not entries:
        return [], 0.0
    parts: list[str] = []
    x, y = left, top + LEGEND_ROW / 2
    for label, swatch in entries:
        entry_width = 30 + text_width(label) + 14
        if x > left and x + entry_width > left + width:
            x, y = left, y + LEGEND_ROW
        parts.append(swatch(x, y))
        parts.append(_text(label, x + 28, y + 4))
        x += entry_width
    return parts, y + LEGEND_ROW / 2 - top


def _line_swatch(line: LineSeries) -> Callable[[float, float], str]:
    def draw(x: float, y: float) -> str:
        stroke = _line(x, y, x + 22, y, line.color, dash=line.dash, width=2) if line.connect else ""
        return stroke + _marker(line.marker, x + 11, y, line.color)

    return draw


def _box_swatch(color: str, opacity: float = 1.0) -> Callable[[float, float], str]:
    def draw(x: float, y: float) -> str:
        shade = f' fill-opacity="{opacity:g}"' if opacity < 1 else ""
        return f'<rect x="{x + 4:.1f}" y="{y - 6:.1f}" width="14" height="12" fill="{escape(color)}"{shade}/>'

    return draw


def _band(
    band: Band, x_of: Callable[[float], float], y_of: Callable[[float], float], x_values: Sequence[int]
) -> str:
    """The band as one polygon: along the high line, then back along the low line."""
    points = [(x_of(x), y_of(low), y_of(high)) for x, low, high in band.points if x in x_values]
    if len(points) < 2:
        return ""
    outline = [(x, high) for x, _, high in points] + [(x, low) for x, low, _ in reversed(points)]
    return (
        f'<polygon points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in outline)}" fill="{escape(band.color)}" '
        f'fill-opacity="{band.opacity:g}" stroke="none"/>'
    )


def _polylines(line: LineSeries, points: list[tuple[float, float | None]]) -> list[str]:
    """One polyline per run of points with values."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in points:
        if y is None:
            runs.append([])
        else:
            runs[-1].append((x, y))
    dash = f' stroke-dasharray="{escape(line.dash)}"' if line.dash else ""
    return [
        f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in run)}" fill="none" '
        f'stroke="{escape(line.color)}" stroke-width="2"{dash}/>'
        for run in runs
        if len(run) > 1
    ]


def _marker(kind: Marker, x: float, y: float, color: str) -> str:
    color = escape(color)
    if kind == "dot":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}"/>'
    if kind == "ring":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="#ffffff" stroke="{color}" stroke-width="2"/>'
    if kind == "diamond":
        return (
            f'<polygon points="{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} {x - 6:.1f},{y:.1f}" '
            f'fill="{color}"/>'
        )
    return ""


def _line(x1: float, y1: float, x2: float, y2: float, color: str, *, dash: str = "", width: float = 1) -> str:
    dashes = f' stroke-dasharray="{escape(dash)}"' if dash else ""
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{escape(color)}" '
        f'stroke-width="{width}"{dashes}/>'
    )


def _text(
    content: object,
    x: float,
    y: float,
    *,
    anchor: str = "start",
    fill: str = INK,
    size: int = FONT_SIZE,
    weight: str = "normal",
    style: str = "normal",
) -> str:
    attributes = f'x="{x:.1f}" y="{y:.1f}" fill="{escape(fill)}" font-size="{size}"'
    if anchor != "start":
        attributes += f' text-anchor="{anchor}"'
    if weight != "normal":
        attributes += f' font-weight="{weight}"'
    if style != "normal":
        attributes += f' font-style="{style}"'
    return f"<text {attributes}>{escape(content)}</text>"


def _title(title: str, width: int) -> str:
    return _text(title, width / 2, 17, anchor="middle", size=TITLE_SIZE, weight="bold")


def _svg(title: str, width: float, height: float, parts: Sequence[str]) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>' + "".join(parts) + "</svg>"
    )
