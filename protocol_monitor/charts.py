"""Server-side charts as accessible SVG: a title, a description and role="img".

Every chart is shown beside a table of the same numbers, so the SVG is a picture of the table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

from markupsafe import Markup

# GOV.UK colour palette, distinguishable, with a dash pattern each for colour-blind readers.
_COLOURS = ("#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#f47738", "#28a197", "#912b88")
_DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 4")


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
        if (i % 3 == 0 and last - i >= 2) or i == last:
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
        legend_y = top + plot_h + 44 + (n // 3) * 18
        legend_x = left + (n % 3) * 220
        parts.append(
            f'<line x1="{legend_x}" x2="{legend_x + 24}" y1="{legend_y - 4}" '
            f'y2="{legend_y - 4}" stroke="{colour}" stroke-width="2"{dash_attr}/>'
            f'<text x="{legend_x + 30}" y="{legend_y}" font-size="14">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
