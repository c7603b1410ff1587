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
    band: list[tuple[float, float] | None] | None = None,
    low: int = 0,
    high: int = 100,
    suffix: str = "%",
) -> str:
    """A line over periods (oldest first); gaps where a period has no data; the last value labelled.
    Values lie in low..high (percents by default; NPS uses -100..100). With band (low, high per
    point), each period's 90% interval is drawn as a shaded band."""
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
    if band:
        parts.extend(_band([(index, bounds) for index, bounds in enumerate(band)], xy, colour))
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


def _band(bounds: list[tuple[int, tuple[float, float] | None]], xy, colour: str) -> list[str]:
    """Shaded polygons between the lows and highs of consecutive periods; a bar for a lone period."""
    shapes, run = [], []
    for index, value in [*bounds, (None, None)]:
        if value is not None:
            run.append((index, value))
            continue
        if len(run) == 1:
            (i, (low, high)) = run[0]
            (x, y_high), (_x, y_low) = xy(i, high), xy(i, low)
            shapes.append(
                f'<rect x="{x - 3:.1f}" y="{y_high:.1f}" width="6" height="{y_low - y_high:.1f}" '
                f'fill="{escape(colour)}" fill-opacity="0.18"/>'
            )
        elif run:
            upper = [xy(i, high) for i, (_low, high) in run]
            lower = [xy(i, low) for i, (low, _high) in reversed(run)]
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in upper + lower)
            shapes.append(f'<polygon points="{points}" fill="{escape(colour)}" fill-opacity="0.18"/>')
        run = []
    return shapes


SIGNAL_COLOURS = {"above": "#1f5fa8", "below": "#a34a00"}  # blue and orange: safe for colour blindness


def interval_bar(
    low: float | None, high: float | None, percent: float | None, mean: float | None, signal: str | None
) -> str:
    """A small bar 0..100: the 90% interval, the score as a dot, the mean of the rows as a tick.
    Coloured only when the signal is above or below; grey when level."""
    width, height, pad = 100, 18, 4
    span = width - 2 * pad

    def x(value: float) -> float:
        return pad + span * max(0.0, min(100.0, value)) / 100

    label = (
        "no score"
        if low is None or high is None
        else f"90% interval {low:.1f} to {high:.1f}" + (f", {signal} the mean" if signal != "level" else "")
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="interval" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
        f'<line x1="{pad}" y1="9" x2="{width - pad}" y2="9" stroke="{GRID}" stroke-width="2"/>',
    ]
    if low is not None and high is not None:
        colour = SIGNAL_COLOURS.get(signal or "", "#9aa5ad")
        parts.append(
            f'<rect x="{x(low):.1f}" y="4" width="{max(1.0, x(high) - x(low)):.1f}" height="10" rx="2" '
            f'fill="{colour}" fill-opacity="0.35" stroke="{colour}"/>'
        )
        if percent is not None:
            parts.append(f'<circle cx="{x(percent):.1f}" cy="9" r="3" fill="{INK}"/>')
    if mean is not None:
        parts.append(
            f'<line x1="{x(mean):.1f}" y1="1" x2="{x(mean):.1f}" y2="17" stroke="{INK}" stroke-width="1"/>'
        )
    parts.append("</svg>")
    return "".join(parts)
