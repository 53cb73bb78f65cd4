"""Small server-side SVG charts for the PDF report (WeasyPrint draws SVG; ECharts needs a browser).

Text is escaped; numbers come from the same rollups as the page."""

from __future__ import annotations

from html import escape

PALETTE = ["#2f6fb0", "#d9822b", "#3a9a5b", "#b8473f", "#7a5bb0"]


def _num(v) -> str:
    if v is None:
        return "—"
    return f"{v:,.2f}" if isinstance(v, float) else f"{v:,}"


def bar_chart(items: list[tuple[str, int | float | None]], *, title: str, width: int = 640) -> str:
    """Horizontal bars, one per item, value written at the end of each bar."""
    if not items:
        return ""
    row, label_w, top = 22, 150, 30
    height = top + row * len(items) + 10
    top_value = max((v or 0) for _, v in items) or 1
    bar_w = width - label_w - 90
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Noto Sans CJK SC" font-size="11">',
        f'<text x="0" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (name, value) in enumerate(items):
        y = top + i * row
        w = 0 if not value else max(1, round(bar_w * value / top_value))
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(name[:12])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{row - 8}" fill="{PALETTE[0]}"/>')
        parts.append(f'<text x="{label_w + w + 4}" y="{y + 14}">{_num(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    labels: list[str], series: list[tuple[str, list[int | float | None]]], *, title: str, width: int = 640
) -> str:
    """Lines over months with a legend; missing months leave gaps."""
    if not labels:
        return ""
    height, left, right, top, bottom = 240, 50, 10, 40, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max((v or 0) for _, vs in series for v in vs) or 1
    step = plot_w / max(1, len(labels) - 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + i * step, top + plot_h - plot_h * v / top_value

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Noto Sans CJK SC" font-size="10">',
        f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#999"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{_num(top_value)}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    for i, label in enumerate(labels):
        x, _ = xy(i, 0)
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 14}" text-anchor="middle">{escape(label[2:])}</text>'
        )
    for s, (name, values) in enumerate(series):
        color = PALETTE[s % len(PALETTE)]
        points = " ".join(
            f"{x:.1f},{y:.1f}" for i, v in enumerate(values) if v is not None for x, y in [xy(i, v)]
        )
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{points}"/>')
        lx = left + s * 150
        parts.append(f'<rect x="{lx}" y="{height - 14}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{lx + 14}" y="{height - 5}">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
