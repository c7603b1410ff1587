"""Charts as small SVG documents, drawn on the server: WeasyPrint renders them crisply, no script.

Every label is escaped; values are percents (0..100) or None for "no data".
"""

from html import escape

INK, MUTED, GRID = "#1c2326", "#5b6770", "#d5dbdf"
COMPARE_COLOURS = ("#8a5a00", "#5b6770")


def _svg_open(width: int, height: int, font_size: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, sans-serif" font-size="{font_size}">'
    )


def _line(points: list[str], colour: str) -> str:
    return f'<polyline points="{" ".join(points)}" fill="none" stroke="{escape(colour)}" stroke-width="2"/>'


def _text(x: float, y: float, text: str, fill: str = INK, anchor: str = "start") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" fill="{fill}" text-anchor="{anchor}">{escape(text)}</text>'


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart(
    rows: list[tuple[str, float | None, list[float | None]]], colour: str, width: int = 480, compare_labels=()
) -> str:
    """Horizontal bars 0..100 with the value printed; optional marks for comparison values
    (company and region averages) drawn as ticks."""
    label_width, bar_left, row_height = 170, 180, 26
    bar_width = width - bar_left - 50
    legend = 18 if compare_labels else 0
    height = row_height * len(rows) + 24 + legend
    parts = [_svg_open(width, height, 11)]
    for tick in (0, 50, 100):
        x = bar_left + bar_width * tick / 100
        parts.append(f'<line x1="{x}" y1="4" x2="{x}" y2="{height - 18 - legend}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{x}" y="{height - 6 - legend}" fill="{MUTED}" text-anchor="middle">{tick}%</text>'
        )
    for index, (label, value, compares) in enumerate(rows):
        y = 6 + index * row_height
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(
            f'<text x="{label_width}" y="{y + 14}" fill="{INK}" text-anchor="end">{escape(short)}</text>'
        )
        if value is None:
            parts.append(f'<text x="{bar_left + 4}" y="{y + 14}" fill="{MUTED}">N/A</text>')
        else:
            length = bar_width * max(0.0, min(100.0, value)) / 100
            bar = f'x="{bar_left}" y="{y + 3}" width="{length:.1f}" height="14" rx="2"'
            parts.append(f'<rect {bar} fill="{escape(colour)}"/>')
            parts.append(_text(bar_left + bar_width + 6, y + 14, f"{_num(value)}%"))
        for compare_index, compare in enumerate(compares):
            if compare is not None:
                x = bar_left + bar_width * max(0.0, min(100.0, compare)) / 100
                c = COMPARE_COLOURS[compare_index % len(COMPARE_COLOURS)]
                parts.append(
                    f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + 20}" stroke="{c}" stroke-width="2"/>'
                )
    if compare_labels:
        x = bar_left
        for compare_index, name in enumerate(compare_labels):
            c = COMPARE_COLOURS[compare_index % len(COMPARE_COLOURS)]
            parts.append(
                f'<line x1="{x}" y1="{height - 9}" x2="{x}" y2="{height - 1}" stroke="{c}" stroke-width="2"/>'
            )
            parts.append(f'<text x="{x + 5}" y="{height - 1}" fill="{MUTED}">{escape(name)}</text>')
            x += 12 + 7 * len(name)
    parts.append("</svg>")
    return "".join(parts)


def trend_chart(
    points: list[tuple[str, float | None]],
    colour: str,
    width: int = 480,
    height: int = 150,
    low: int = 0,
    high: int = 100,
    suffix: str = "%",
) -> str:
    """A line over periods (oldest first); gaps where a period has no data; the last value labelled.
    Values lie in low..high (percents by default; NPS uses -100..100)."""
    left, right, top, bottom = 34, 26, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(points) - 1)

    def xy(index, value):
        return left + index * step, top + plot_h * (1 - (max(low, min(high, value)) - low) / (high - low))

    parts = [_svg_open(width, height, 10)]
    for tick in (low, (low + high) // 2, high):
        y = top + plot_h * (1 - (tick - low) / (high - low))
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 3:.1f}" fill="{MUTED}" text-anchor="end">{tick}</text>')
    segment: list[str] = []
    for index, (label, value) in enumerate(points):
        every = max(1, len(points) // 6)
        last_index = len(points) - 1
        if (index % every == 0 and last_index - index >= every) or index == last_index:
            parts.append(_text(left + index * step, height - 8, label, MUTED, "middle"))
        if value is None:
            if len(segment) > 1:
                parts.append(_line(segment, colour))
            segment = []
            continue
        x, y = xy(index, value)
        segment.append(f"{x:.1f},{y:.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{escape(colour)}"/>')
    if len(segment) > 1:
        parts.append(_line(segment, colour))
    last = next(((i, v) for i, (_l, v) in reversed(list(enumerate(points))) if v is not None), None)
    if last:
        x, y = xy(*last)
        parts.append(_text(x - 4, y - 6, f"{_num(last[1])}{suffix}", INK, "end"))
    parts.append("</svg>")
    return "".join(parts)


def scatter_chart(
    points: list[tuple[str, float, float]], colour: str, width: int = 480, height: int = 300
) -> str:
    """Branches as dots: audit score (x, percent) against NPS (y, -100..100). Each dot carries a
    title with its branch and both numbers; names are printed beside the dots when few enough to
    stay readable. The x axis starts at the nearest ten below the lowest score, so close scores
    do not pile up against 100 %."""
    left, right, top, bottom = 40, 70, 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    x_low = max(0, min(int(x // 10) * 10 for _label, x, _y in points) - 10) if points else 0

    def xy(x_value, y_value):
        return left + plot_w * (x_value - x_low) / (100 - x_low), top + plot_h * (1 - (y_value + 100) / 200)

    parts = [_svg_open(width, height, 10)]
    parts.append("<title>Audit score against customer NPS, one dot a branch</title>")
    for tick in (x_low, (x_low + 100) // 2, 100):
        x, _y = xy(tick, 0)
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="{GRID}"/>')
        parts.append(_text(x, top + plot_h + 14, f"{tick}%", MUTED, "middle"))
    for tick in (-100, 0, 100):
        _x, y = xy(x_low, tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(_text(left - 4, y + 3, str(tick), MUTED, "end"))
    parts.append(_text(left + plot_w / 2, height - 6, "Audit score", MUTED, "middle"))
    parts.append(
        f'<text x="10" y="{top + plot_h / 2:.1f}" fill="{MUTED}" text-anchor="middle" '
        f'transform="rotate(-90 10 {top + plot_h / 2:.1f})">NPS</text>'
    )
    labelled = len(points) <= 8
    for label, x_value, y_value in points:
        x, y = xy(x_value, y_value)
        title = f"{label}: audit {_num(x_value)}%, NPS {_num(y_value)}"
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{escape(colour)}" fill-opacity="0.75">'
            f"<title>{escape(title)}</title></circle>"
        )
        if labelled:
            parts.append(_text(x + 6, y - 5, label if len(label) <= 14 else label[:13] + "…", INK))
    parts.append("</svg>")
    return "".join(parts)
