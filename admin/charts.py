"""Bar charts as inline SVG, rendered on the server: no chart library, no external service."""

from __future__ import annotations

from markupsafe import Markup, escape

__all__ = ["bar_chart", "grouped_bars"]

PALETTE = ("#2fa4e7", "#73a839", "#c71c22", "#dd5600", "#033c73", "#6f42c1")


# A phone's card is ~340 px wide: a 560-wide chart would shrink its 13 px words to 8 px.
# So each chart is drawn twice — labels beside the bars for a desktop, labels above the bars
# for a phone — and brigadir.css shows the one that fits.
NARROW = 340


def _both(wide: str, narrow: str) -> Markup:
    return Markup(f'<div class="chart-wide">{wide}</div><div class="chart-narrow">{narrow}</div>')


def bar_chart(rows: list[tuple[str, int]], *, fmt=str, width: int = 560, title: str = "") -> Markup:
    """Horizontal bars: one (label, value) per row."""
    if not rows:
        return Markup('<p class="text-muted">Нет данных за период.</p>')
    return _both(_bars(rows, fmt, width, title), _bars_narrow(rows, fmt, title))


def _bars_narrow(rows: list[tuple[str, int]], fmt, title: str) -> str:
    bar_h, gap, label_h, value_w = 14, 8, 16, 110
    row_h = label_h + bar_h + gap
    top = max(v for _, v in rows) or 1
    span = NARROW - value_w
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {NARROW} {len(rows) * row_h + 4}" role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="13">'
    ]
    for i, (label, value) in enumerate(rows):
        y = 4 + i * row_h
        w = max(1, round(span * value / top)) if value > 0 else 0
        parts.append(f'<text x="0" y="{y + 12}" fill="#333">{escape(label[:40])}</text>')
        parts.append(
            f'<rect x="0" y="{y + label_h}" width="{w}" height="{bar_h}" rx="3" fill="{PALETTE[0]}"><title>{escape(label)}: {escape(fmt(value))}</title></rect>'
        )
        parts.append(
            f'<text x="{w + 6}" y="{y + label_h + 12}" fill="#555">{escape(fmt(value))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _bars(rows: list[tuple[str, int]], fmt, width: int, title: str) -> str:
    bar_h, gap, label_w, value_w = 22, 8, 170, 120
    height = len(rows) * (bar_h + gap) + gap
    top = max(v for _, v in rows) or 1
    span = width - label_w - value_w
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="13">'
    ]
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = max(1, round(span * value / top)) if value > 0 else 0
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" fill="#333">{escape(label[:26])}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" rx="3" fill="{PALETTE[0]}"><title>{escape(label)}: {escape(fmt(value))}</title></rect>'
        )
        parts.append(
            f'<text x="{label_w + w + 6}" y="{y + 15}" fill="#555">{escape(fmt(value))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def grouped_bars(
    rows: list[tuple[str, list[int]]], series: list[str], *, fmt=str, width: int = 560
) -> Markup:
    """Several bars per label (e.g. revenue, paid, debt per manager) with a legend."""
    if not rows:
        return Markup('<p class="text-muted">Нет данных за период.</p>')
    return _both(_grouped(rows, series, fmt, width, 170), _grouped(rows, series, fmt, NARROW, 0))


def _grouped(rows, series, fmt, width: int, label_w: int) -> str:
    """label_w 0: each label on its own line above its bars (a phone's layout)."""
    above = label_w == 0
    bar_h, gap, value_w = 14, 12, 110
    label_h = 18 if above else 0
    group_h = bar_h * len(series) + gap + label_h
    height = len(rows) * group_h + gap + 24
    top = max((max(vals) for _, vals in rows), default=1) or 1
    span = width - label_w - value_w
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="12">'
    ]
    for j, name in enumerate(series):
        parts.append(
            f'<rect x="{label_w + j * 110}" y="4" width="12" height="12" fill="{PALETTE[j]}"/><text x="{label_w + j * 110 + 16}" y="14" fill="#333">{escape(name)}</text>'
        )
    for i, (label, values) in enumerate(rows):
        y0 = 24 + gap + i * group_h
        if above:
            parts.append(f'<text x="0" y="{y0 + 12}" fill="#333">{escape(label[:40])}</text>')
        else:
            parts.append(
                f'<text x="{label_w - 8}" y="{y0 + bar_h * len(series) / 2 + 4}" text-anchor="end" fill="#333">{escape(label[:26])}</text>'
            )
        for j, value in enumerate(values):
            y = y0 + label_h + j * bar_h
            w = max(1, round(span * value / top)) if value > 0 else 0
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h - 2}" fill="{PALETTE[j]}"><title>{escape(series[j])}: {escape(fmt(value))}</title></rect>'
            )
            parts.append(
                f'<text x="{label_w + w + 4}" y="{y + bar_h - 4}" fill="#555" font-size="11">{escape(fmt(value))}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
