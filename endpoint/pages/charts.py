"""Charts as server-side SVG: no script, no library, nothing from a CDN.

Each chart is an inline ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that says in
words what it shows; the page puts a data table with the same numbers next to it (the text
alternative, WCAG 1.1.1). Values are written on the bars, and the series of a stacked chart
differ by pattern as well as colour and are named in a legend, so no information depends on
colour alone (WCAG 1.4.1). Every colour has at least 3:1 contrast against the white background
(WCAG 1.4.11). Only presentation attributes are used (no ``style`` attributes), so the pages'
Content-Security-Policy can forbid inline styles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

#: Series colours (contrast against white: 9.9, 5.6, 5.1, 8.6, 7.5 : 1) and their patterns.
PALETTE: tuple[str, ...] = ("#1f4e79", "#a34700", "#2e6b30", "#5b1f7a", "#4d4d4d")
PATTERNS: tuple[str, ...] = ("solid", "diagonal", "dots", "cross", "horizontal")

#: Chart sizes are small (about a phone's width) and the pages never scale a chart up
#: (pages.css: max-width is its own width), so a label stays about _FONT px on any screen.
_FONT = 16
_ROW = 46
_WIDTH = 440


@dataclass(frozen=True)
class Item:
    """One labelled value: ``label`` in language ``lang`` (None: the page's language)."""

    label: str
    value: int
    lang: str | None = None


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _lang(lang: str | None) -> str:
    return f' xml:lang="{_attr(lang)}" lang="{_attr(lang)}"' if lang else ""


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _pattern_defs(chart_id: str) -> str:
    """One ``<pattern>`` per series: colour plus a distinct texture."""
    out = []
    for i, (colour, kind) in enumerate(zip(PALETTE, PATTERNS, strict=True)):
        pid = f"{chart_id}-p{i}"
        if kind == "solid":
            body = f'<rect width="8" height="8" fill="{colour}"/>'
        elif kind == "diagonal":
            body = (
                '<rect width="8" height="8" fill="#ffffff"/>'
                f'<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{colour}" '
                'stroke-width="3"/>'
            )
        elif kind == "dots":
            body = (
                f'<rect width="8" height="8" fill="{colour}"/>'
                '<circle cx="4" cy="4" r="1.6" fill="#ffffff"/>'
            )
        elif kind == "cross":
            body = (
                '<rect width="8" height="8" fill="#ffffff"/>'
                f'<path d="M0,4 h8 M4,0 v8" stroke="{colour}" stroke-width="2.5"/>'
            )
        else:
            body = (
                '<rect width="8" height="8" fill="#ffffff"/>'
                f'<path d="M0,2 h8 M0,6 h8" stroke="{colour}" stroke-width="2"/>'
            )
        out.append(
            f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">{body}'
            "</pattern>"
        )
    return "<defs>" + "".join(out) + "</defs>"


def _open(chart_id: str, width: int, height: int, title: str, desc: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{_attr(chart_id)}" '
        f'role="img" aria-labelledby="{_attr(chart_id)}-title {_attr(chart_id)}-desc" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-size="{_FONT}">'
        f'<title id="{_attr(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{_attr(chart_id)}-desc">{escape(desc)}</desc>'
    )


def bar_chart(
    chart_id: str,
    items: Sequence[Item],
    *,
    title: str,
    desc: str,
    width: int = _WIDTH,
    patterns: bool = False,
) -> Markup:
    """Horizontal bars, one per item, each under its label with the value written after it.
    With ``patterns`` each bar has the colour and texture of its own series (the bars are then
    categories a reader must tell apart, e.g. took part / did not / unknown)."""
    top = 4
    height = top + max(1, len(items)) * _ROW + 4
    maximum = max((i.value for i in items), default=0) or 1
    left = 2
    span = width - left - 48
    parts = [_open(chart_id, width, height, title, desc)]
    if patterns:
        parts.append(_pattern_defs(chart_id))
    for n, item in enumerate(items):
        y = top + n * _ROW
        bar = round(span * item.value / maximum)
        label = _clip(item.label, 52)
        colour = PALETTE[n % len(PALETTE)] if patterns else PALETTE[0]
        fill = f"url(#{_attr(chart_id)}-p{n % len(PALETTE)})" if patterns else PALETTE[0]
        parts.append(
            f'<g class="bar"><title>{escape(item.label)}: {item.value}</title>'
            f'<text x="{left}" y="{y + 15}" fill="#1a1a1a"'
            f"{_lang(item.lang)}>{escape(label)}</text>"
            f'<rect x="{left}" y="{y + 21}" width="{max(bar, 1)}" height="18" '
            f'fill="{fill}" stroke="{colour}" stroke-width="1.5"/>'
            f'<text x="{left + bar + 6}" y="{y + 36}" fill="#1a1a1a">{item.value}</text>'
            "</g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def ticks(maximum: int, most: int = 5) -> list[int]:
    """Whole-number axis values from 0 at an even step (1, 2, 5, 10, 20, 50, …) up to the
    first one at or above ``maximum``: never 0, 1, 3."""
    maximum = max(maximum, 1)
    step = 1
    while True:
        for factor in (1, 2, 5):
            candidate = step * factor
            if -(-maximum // candidate) <= most - 1:
                top = -(-maximum // candidate) * candidate
                return list(range(0, top + 1, candidate))
        step *= 10


@dataclass(frozen=True)
class StackSeries:
    """One series of a stacked chart: its name and one value per category."""

    label: str
    values: Sequence[int]
    lang: str | None = None


def stacked_chart(
    chart_id: str,
    categories: Sequence[str],
    series: Sequence[StackSeries],
    *,
    title: str,
    desc: str,
    width: int = _WIDTH,
    height: int = 300,
) -> Markup:
    """Vertical stacked columns, one per category, series told apart by pattern and colour
    and named in a legend; the count of each segment is written in it when it fits, and the
    total above each column."""
    legend_h = 24 * ((len(series) + 1) // 2)
    plot_top, plot_bottom = 24, height - 40 - legend_h
    left, right = 40, width - 8
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    axis = ticks(max(totals, default=0))
    scale = (plot_bottom - plot_top) / axis[-1]
    step = (right - left) / max(1, len(categories))
    col_w = min(80.0, step * 0.6)
    parts = [_open(chart_id, width, height, title, desc), _pattern_defs(chart_id)]
    # axis and a few gridlines with their values
    for t in axis:
        y = plot_bottom - t * scale
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="#bfbfbf" '
            'stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#1a1a1a">{t}</text>'
        )
    for i, cat in enumerate(categories):
        x = left + step * i + (step - col_w) / 2
        y = float(plot_bottom)
        for k, s in enumerate(series):
            v = s.values[i]
            if not v:
                continue
            h = v * scale
            y -= h
            parts.append(
                f'<g class="segment"><title>{escape(cat)} – {escape(s.label)}: {v}</title>'
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{col_w:.1f}" height="{h:.1f}" '
                f'fill="url(#{_attr(chart_id)}-p{k % len(PALETTE)})" '
                f'stroke="{PALETTE[k % len(PALETTE)]}" stroke-width="1.5"/>'
            )
            if h >= 18:
                parts.append(
                    f'<rect x="{x + col_w / 2 - 11:.1f}" y="{y + h / 2 - 9:.1f}" width="22" '
                    'height="16" rx="3" fill="#ffffff"/>'
                    f'<text x="{x + col_w / 2:.1f}" y="{y + h / 2 + 4:.1f}" '
                    f'text-anchor="middle" fill="#1a1a1a">{v}</text>'
                )
            parts.append("</g>")
        parts.append(
            f'<text x="{x + col_w / 2:.1f}" y="{y - 6:.1f}" text-anchor="middle" '
            f'fill="#1a1a1a" font-weight="bold">{totals[i]}</text>'
            f'<text x="{x + col_w / 2:.1f}" y="{plot_bottom + 18}" text-anchor="middle" '
            f'fill="#1a1a1a">{escape(cat)}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{plot_bottom}" x2="{right}" y2="{plot_bottom}" '
        'stroke="#4d4d4d" stroke-width="1"/>'
    )
    # legend: swatch (pattern + colour) and name
    for k, s in enumerate(series):
        row, col = divmod(k, 2)
        lx = 4 + col * ((right - 4) / 2)
        ly = plot_bottom + 34 + row * 24
        parts.append(
            f'<g class="legend"><rect x="{lx:.1f}" y="{ly}" width="16" height="16" '
            f'fill="url(#{_attr(chart_id)}-p{k % len(PALETTE)})" '
            f'stroke="{PALETTE[k % len(PALETTE)]}" stroke-width="1.5"/>'
            f'<text x="{lx + 22:.1f}" y="{ly + 13}" fill="#1a1a1a"{_lang(s.lang)}>'
            f"{escape(_clip(s.label, 24))}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
