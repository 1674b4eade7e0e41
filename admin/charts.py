"""Bar charts as inline SVG, rendered on the server: no chart library, no external service."""

from __future__ import annotations

from markupsafe import Markup, escape

__all__ = ["bar_chart", "grouped_bars"]

PALETTE = ("#2fa4e7", "#73a839", "#c71c22", "#dd5600", "#033c73", "#6f42c1")


def bar_chart(rows: list[tuple[str, int]], *, fmt=str, width: int = 560, title: str = "") -> Markup:
    """Horizontal bars: one (label, value) per row."""
    if not rows:
        return Markup('<p class="text-muted">Нет данных за период.</p>')
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
    return Markup("".join(parts))


def grouped_bars(
    rows: list[tuple[str, list[int]]], series: list[str], *, fmt=str, width: int = 560
) -> Markup:
    """Several bars per label (e.g. revenue, paid, debt per manager) with a legend."""
    if not rows:
        return Markup('<p class="text-muted">Нет данных за период.</p>')
    bar_h, gap, label_w, value_w = 14, 12, 170, 120
    group_h = bar_h * len(series) + gap
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
        parts.append(
            f'<text x="{label_w - 8}" y="{y0 + bar_h * len(series) / 2 + 4}" text-anchor="end" fill="#333">{escape(label[:26])}</text>'
        )
        for j, value in enumerate(values):
            y = y0 + j * bar_h
            w = max(1, round(span * value / top)) if value > 0 else 0
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h - 2}" fill="{PALETTE[j]}"><title>{escape(series[j])}: {escape(fmt(value))}</title></rect>'
            )
            parts.append(
                f'<text x="{label_w + w + 4}" y="{y + bar_h - 4}" fill="#555" font-size="11">{escape(fmt(value))}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
