"""Charts, each shown beside a table of the same numbers and a description in words.

``line_chart`` draws the monthly summary's trends as hand-written SVG with a title, a description
and role="img"; the board report's charts are drawn with matplotlib (``draw``), as SVG for the page
and PNG for documents, through matplotlib's object API on the Agg canvas (not pyplot, whose
global state is not for web workers).
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import matplotlib
from markupsafe import Markup
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .i18n import _

# GOV.UK colour palette, distinguishable, with a dash pattern each for colour-blind readers.
_COLOURS = ("#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#f47738", "#28a197", "#912b88")
_DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 4")


#: The legend's text size, and the height of each of its rows.
_LEGEND_FONT = 14
_LEGEND_ROW = 20
#: A key's line (24 px) and the gap before its name, and the gap after the name.
_KEY, _GAP = 30, 24


def text_width(text: str, size: int = _LEGEND_FONT) -> float:
    """A generous estimate of the width of ``text`` in Arial at ``size`` px: SVG text is not
    measured on the server, so the legend is laid out by this (capitals and wide letters count
    for more, so a name is never drawn over the next)."""
    wide = sum(1 for c in text if c.isupper() or c in "mwMW")
    return size * (0.56 * len(text) + 0.3 * wide)


def _legend_layout(names: Sequence[str], start: float, end: float) -> list[tuple[float, int]]:
    """Where each legend entry goes, (x, row): side by side while they fit between ``start``
    and ``end``, then on the next row, each as wide as its name (no fixed spacing, which drew
    long names over each other)."""
    places, x, row = [], start, 0
    for name in names:
        entry = _KEY + text_width(name)
        if x > start and x + entry > end:
            x, row = start, row + 1
        places.append((x, row))
        x += entry + _GAP
    return places


def line_chart(
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[int]],
    *,
    width: int = 720,
    height: int = 300,
) -> Markup:
    left, right, top, bottom = 48, 40, 16, 72
    plot_w, plot_h = width - left - right, height - top - bottom
    legend = _legend_layout(list(series), left, width - right)
    rows = 1 + max((row for _, row in legend), default=0)
    height += (rows - 1) * _LEGEND_ROW
    highest = max([1, *(max(values, default=0) for values in series.values())])
    # Whole-number gridlines: four equal steps from 0 up to at least the highest value.
    tick_step = max(1, math.ceil(highest / 4))
    peak = tick_step * 4
    step = plot_w / max(1, len(labels) - 1)

    def x(i: int) -> float:
        return left + i * step

    def y(v: float) -> float:
        return top + plot_h - (v / peak) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for tick in range(5):
        value = tick_step * tick
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            'stroke="#b1b4b6" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="14">'
            f"{value}</text>"
        )
    for i, label in enumerate(labels):
        last = len(labels) - 1
        # Every third month, and the last (unless a label would crowd it).
        if (i % 3 == 0 and last - i >= 3) or i == last:
            parts.append(
                f'<text x="{x(i):.1f}" y="{top + plot_h + 20}" text-anchor="middle" '
                f'font-size="14">{escape(label)}</text>'
            )
    for n, (name, values) in enumerate(series.items()):
        colour, dash = _COLOURS[n % len(_COLOURS)], _DASHES[n % len(_DASHES)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash_attr} '
            f'points="{points}"/>'
        )
        legend_x, row = legend[n]
        legend_y = top + plot_h + 44 + row * _LEGEND_ROW
        parts.append(
            f'<line x1="{legend_x:.1f}" x2="{legend_x + 24:.1f}" y1="{legend_y - 4}" '
            f'y2="{legend_y - 4}" stroke="{colour}" stroke-width="2"{dash_attr}/>'
            f'<text x="{legend_x + _KEY:.1f}" y="{legend_y}" font-size="{_LEGEND_FONT}">'
            f"{escape(name)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


# Charts drawn with matplotlib (the board report): SVG for the page, PNG for documents. -------

#: Markers as well as colours and dashes, so lines can be told apart without colour.
_MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def draw(chart: Mapping) -> Any:
    """A matplotlib Figure of a report chart: ``kind`` "line" (one line per series over the
    labels; None leaves a gap) or "bar" (a group of bars per label, one bar per series)."""
    figure = Figure(figsize=(9, 4.2), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)  # drawn by Agg: no display, safe in a web worker's threads
    axes = figure.subplots()
    labels = list(chart["labels"])
    positions = list(range(len(labels)))
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)
    axes.grid(axis="y", color="#b1b4b6", linewidth=0.8)
    axes.set_axisbelow(True)
    series = list(chart["series"])
    if chart["kind"] == "line":
        for n, one in enumerate(series):
            values = [float("nan") if v is None else v for v in one["values"]]
            axes.plot(
                positions,
                values,
                label=one["name"],
                color=_COLOURS[n % len(_COLOURS)],
                linestyle=(0, tuple(int(x) for x in _DASHES[n % len(_DASHES)].split()))
                if _DASHES[n % len(_DASHES)]
                else "-",
                marker=_MARKERS[n % len(_MARKERS)],
                markersize=3.5,
                linewidth=2,
            )
        step = max(1, len(labels) // 12)
        axes.set_xticks(
            positions[::step], [labels[i] for i in positions[::step]], rotation=45, ha="right"
        )
    else:
        width = 0.8 / max(1, len(series))
        for n, one in enumerate(series):
            offsets = [p - 0.4 + width * (n + 0.5) for p in positions]
            values = [0 if v is None else v for v in one["values"]]
            bars = axes.bar(
                offsets,
                values,
                width,
                label=one["name"],
                color=_COLOURS[n % len(_COLOURS)],
                hatch=("", "//", "..", "xx")[n % 4],
                edgecolor="white",
            )
            axes.bar_label(
                bars, labels=["<5" if v is None else str(v) for v in one["values"]], fontsize=8
            )
        axes.set_xticks(positions, labels)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_ylim(bottom=0)
    axes.set_ylabel(chart.get("unit") or _("Call-outs"))
    axes.legend(
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(0, -0.25 if chart["kind"] == "line" else -0.08),
        ncols=3,
        fontsize=9,
    )
    return figure


def _render(chart: Mapping, fmt: str) -> bytes:
    figure = draw(chart)
    out = io.BytesIO()
    # No creation date and fixed element ids: the same chart gives the same file.
    with matplotlib.rc_context({"svg.hashsalt": "protocol-monitor", "svg.fonttype": "path"}):
        figure.savefig(out, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    return out.getvalue()


def svg(chart: Mapping) -> bytes:
    return _render(chart, "svg")


def png(chart: Mapping) -> bytes:
    return _render(chart, "png")


def svg_data_uri(chart: Mapping) -> str:
    """The chart as an SVG image for an <img> on a page. (Inline, matplotlib's SVG would need
    inline styles, which the content security policy forbids; an image is drawn apart.)"""
    return "data:image/svg+xml;base64," + base64.b64encode(svg(chart)).decode("ascii")
