"""The SVG charts read back as XML: where each bar, point and label lands, worked out by hand.

bar_chart: bars start at x 180 and are 250 wide at 100 %; row n's bar is at y 9 + 26n.
trend_chart (480 × 150): x = 34 + n × 420 / (points - 1); y = 12 + 110 × (1 - (value - low) / (high - low)).
scatter_chart (480 × 300): x = 40 + 370 × (score - x_low) / (100 - x_low); y = 12 + 248 × (1 - (nps + 100) / 200).
interval_bar (100 × 18): x = 4 + 0.92 × value.
"""

import xml.etree.ElementTree as ET

import pytest

from reports.charts import (
    COMPARE_COLOURS,
    SIGNAL_COLOURS,
    bar_chart,
    interval_bar,
    scatter_chart,
    trend_chart,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # also proves the document is well-formed
    assert root.tag == f"{SVG}svg"
    return root


def find(root: ET.Element, tag: str) -> list[dict]:
    """Every element of a tag (title and nested ones included) as its attributes plus its text."""
    return [{**e.attrib, "text": e.text} for e in root.iter(f"{SVG}{tag}")]


def texts(root: ET.Element) -> list[str]:
    return [t["text"] for t in find(root, "text")]


# bar_chart


@pytest.mark.parametrize(
    ("value", "width", "label"),
    [
        (0, "0.0", "0%"),
        (50, "125.0", "50%"),
        (87.5, "218.8", "87.5%"),  # 218.75
        (100, "250.0", "100%"),
        (66.66, "166.7", "66.7%"),  # 166.65
        (120, "250.0", "120%"),  # the bar stops at 100 %, the label tells the truth
        (-5, "0.0", "-5%"),
    ],
)
def test_a_bar_is_as_long_as_its_percent(value, width, label):
    root = parse(bar_chart([("Greeting", value, [])], "#123456"))
    [bar] = find(root, "rect")
    assert (bar["x"], bar["y"], bar["width"], bar["height"], bar["fill"]) == (
        "180",
        "9",
        width,
        "14",
        "#123456",
    )
    assert {"text": label, "x": "436.0", "y": "20.0"}.items() <= find(root, "text")[-1].items()


def test_bar_rows_stack_26_apart_and_no_score_says_n_a():
    root = parse(bar_chart([("Greeting", 75, []), ("Paying", None, []), ("Leaving", 100, [])], "#123456"))
    assert root.get("height") == "102"  # 3 × 26 + 24
    assert [(r["y"], r["width"]) for r in find(root, "rect")] == [("9", "187.5"), ("61", "250.0")]
    labels = [(t["x"], t["y"], t["text"]) for t in find(root, "text") if t.get("text-anchor") == "end"]
    assert labels == [("170", "20", "Greeting"), ("170", "46", "Paying"), ("170", "72", "Leaving")]
    assert ("184", "46", "N/A") in [(t["x"], t["y"], t["text"]) for t in find(root, "text")]


def test_bar_chart_grid_at_0_50_and_100_percent():
    root = parse(bar_chart([("A", 10, [])], "#000"))
    grid = [(line["x1"], line["y2"]) for line in find(root, "line")]
    assert grid == [("180.0", "32"), ("305.0", "32"), ("430.0", "32")]  # height 50, minus 18
    assert texts(root)[:3] == ["0%", "50%", "100%"]


def test_comparison_ticks_and_their_legend():
    root = parse(
        bar_chart(
            [("Greeting", 75, [62.5, 50]), ("Paying", 100, [None, 100])],
            "#123456",
            compare_labels=("company", "region"),
        )
    )
    assert root.get("height") == "94"  # 2 × 26 + 24 + 18 for the legend
    ticks = [(t["x1"], t["y1"], t["y2"], t["stroke"]) for t in find(root, "line") if t.get("stroke-width")]
    company, region = COMPARE_COLOURS
    assert ticks == [
        ("336.2", "6", "26", company),  # 180 + 250 × 0.625 = 336.25
        ("305.0", "6", "26", region),
        ("430.0", "32", "52", region),  # the company has no value for Paying: no tick
        ("180", "85", "93", company),  # the legend
        ("241", "85", "93", region),  # 180 + 12 + 7 × len("company")
    ]
    assert texts(root)[-2:] == ["company", "region"]


def test_long_labels_are_cut_and_every_label_is_escaped():
    long = "A very long section title that goes on"
    svg = bar_chart([(long, 50, []), ("<b>Tea & cake</b>", 60, [])], "#000", compare_labels=("a<b",))
    root = parse(svg)
    assert long[:27] + "…" in texts(root)
    assert "<b>Tea & cake</b>" in texts(root) and "a<b" in texts(root)
    assert "<b>" not in svg


# trend_chart


def test_trend_points_and_the_line_through_them():
    root = parse(trend_chart([("Aug 26", 0), ("Sep 26", 50), ("Oct 26", 100)], "#123456"))
    assert [(c["cx"], c["cy"]) for c in find(root, "circle")] == [
        ("34.0", "122.0"),
        ("244.0", "67.0"),
        ("454.0", "12.0"),
    ]
    [line] = find(root, "polyline")
    assert line["points"] == "34.0,122.0 244.0,67.0 454.0,12.0" and line["stroke"] == "#123456"
    labels = [(t["x"], t["y"], t["text"]) for t in find(root, "text") if t["y"] == "142.0"]
    assert labels == [("34.0", "142.0", "Aug 26"), ("244.0", "142.0", "Sep 26"), ("454.0", "142.0", "Oct 26")]
    last = find(root, "text")[-1]
    assert (last["x"], last["y"], last["text"], last["text-anchor"]) == ("450.0", "6.0", "100%", "end")


def test_trend_grid_lines_are_low_middle_and_high():
    root = parse(trend_chart([("Oct 26", 80)], "#000"))
    assert [(line["y1"], line["x2"]) for line in find(root, "line")] == [
        ("122.0", "454"),
        ("67.0", "454"),
        ("12.0", "454"),
    ]
    assert texts(root)[:3] == ["0", "50", "100"]


def test_a_gap_breaks_the_line():
    points = [("Jul", 50), ("Aug", 60), ("Sep", None), ("Oct", 70), ("Nov", 80)]
    root = parse(trend_chart(points, "#000"))  # step 105
    assert [line["points"] for line in find(root, "polyline")] == [
        "34.0,67.0 139.0,56.0",
        "349.0,45.0 454.0,34.0",
    ]
    assert len(find(root, "circle")) == 4


def test_lone_points_draw_no_line_and_the_last_value_is_labelled():
    root = parse(trend_chart([("Aug", 40), ("Sep", None), ("Oct", 62.5), ("Nov", None)], "#000"))
    assert find(root, "polyline") == []
    assert len(find(root, "circle")) == 2
    assert texts(root)[-1] == "62.5%"  # the newest period with a value, though November has none


def test_no_values_at_all_draw_only_the_frame():
    root = parse(trend_chart([("Sep", None), ("Oct", None)], "#000"))
    assert find(root, "circle") == [] and find(root, "polyline") == []
    assert texts(root) == ["0", "50", "100", "Sep", "Oct"]


def test_values_outside_the_axis_are_drawn_at_its_edge():
    root = parse(trend_chart([("Sep", -10), ("Oct", 130)], "#000"))
    assert [c["cy"] for c in find(root, "circle")] == ["122.0", "12.0"]
    assert texts(root)[-1] == "130%"


def test_nps_trend_runs_from_minus_100_to_100_without_a_percent_sign():
    root = parse(trend_chart([("Sep", -20), ("Oct", 20)], "#000", low=-100, high=100, suffix=""))
    assert texts(root)[:3] == ["-100", "0", "100"]
    assert [c["cy"] for c in find(root, "circle")] == ["78.0", "56.0"]  # 12 + 110 × 0.6, × 0.4
    assert texts(root)[-1] == "20"


def test_twelve_periods_label_every_second_and_the_last():
    points = [(f"M{n}", 50) for n in range(12)]
    labels = [t for t in texts(parse(trend_chart(points, "#000"))) if t.startswith("M")]
    assert labels == ["M0", "M2", "M4", "M6", "M8", "M11"]


def test_the_interval_band_of_consecutive_periods_is_one_polygon():
    root = parse(trend_chart([("Sep", 50), ("Oct", 60)], "#123456", band=[(40, 60), (50, 70)]))
    [polygon] = find(root, "polygon")
    # upper edge left to right (60, 70), then the lower edge back (50, 40)
    assert polygon["points"] == "34.0,56.0 454.0,45.0 454.0,67.0 34.0,78.0"
    assert (polygon["fill"], polygon["fill-opacity"]) == ("#123456", "0.18")


def test_a_lone_period_of_the_band_is_a_narrow_bar():
    root = parse(
        trend_chart([("Aug", 50), ("Sep", None), ("Oct", 90)], "#000", band=[(40, 60), None, (80, 100)])
    )
    assert [(r["x"], r["y"], r["width"], r["height"]) for r in find(root, "rect")] == [
        ("31.0", "56.0", "6", "22.0"),  # 40..60 at x 34
        ("451.0", "12.0", "6", "22.0"),  # 80..100 at x 454
    ]
    assert find(root, "polygon") == []


def test_trend_labels_are_escaped():
    root = parse(trend_chart([("<Q4 & Q1>", 50)], "#000"))
    assert "<Q4 & Q1>" in texts(root)


# scatter_chart


def test_scatter_dots_their_titles_and_names():
    root = parse(scatter_chart([("Northgate", 85, 20), ("Newtown", 62, -40)], "#123456"))
    # x_low = 60 - 10 = 50: the axis runs 50..100
    assert [(c["cx"], c["cy"], c["fill"]) for c in find(root, "circle")] == [
        ("299.0", "111.2", "#123456"),  # 40 + 370 × 35/50, 12 + 248 × 0.4
        ("128.8", "185.6", "#123456"),  # 40 + 370 × 12/50, 12 + 248 × 0.7
    ]
    titles = [t["text"] for t in find(root, "title")]
    assert titles == [
        "Audit score against customer NPS, one dot a branch",
        "Northgate: audit 85%, NPS 20",
        "Newtown: audit 62%, NPS -40",
    ]
    names = [(t["x"], t["y"], t["text"]) for t in find(root, "text") if t["text"] in ("Northgate", "Newtown")]
    assert names == [("305.0", "106.2", "Northgate"), ("134.8", "180.6", "Newtown")]


@pytest.mark.parametrize(
    ("scores", "axis"),
    [
        ((85, 62), ["50%", "75%", "100%"]),
        ((95, 91), ["80%", "90%", "100%"]),  # close scores do not pile up against 100 %
        ((100, 100), ["90%", "95%", "100%"]),
        ((5, 90), ["0%", "50%", "100%"]),  # never below 0
        ((40, 90), ["30%", "65%", "100%"]),
    ],
)
def test_scatter_x_axis_starts_ten_below_the_lowest_ten(scores, axis):
    root = parse(scatter_chart([(f"B{n}", s, 0) for n, s in enumerate(scores)], "#000"))
    assert [t for t in texts(root) if t.endswith("%")] == axis


def test_scatter_y_axis_and_titles():
    root = parse(scatter_chart([("A", 80, 0)], "#000"))
    assert texts(root)[3:6] == ["-100", "0", "100"]
    assert texts(root)[6:8] == ["Audit score", "NPS"]


def test_many_dots_carry_no_names_and_long_names_are_cut():
    eight = [(f"Branch {n}", 80, 10) for n in range(8)]
    assert "Branch 7" in texts(parse(scatter_chart(eight, "#000")))
    nine = [*eight, ("Branch 8", 80, 10)]
    root = parse(scatter_chart(nine, "#000"))
    assert not any(t.startswith("Branch") for t in texts(root))
    assert len(find(root, "circle")) == 9  # every dot is still there, named in its title
    assert "A long branch…" in texts(parse(scatter_chart([("A long branch name", 80, 10)], "#000")))


def test_scatter_escapes_names():
    root = parse(scatter_chart([("<Tea & Co>", 80, 10)], "#000"))
    assert "<Tea & Co>" in texts(root)
    assert "<Tea & Co>: audit 80%, NPS 10" in [t["text"] for t in find(root, "title")]


# interval_bar


@pytest.mark.parametrize(
    ("signal", "label", "colour"),
    [
        ("level", "90% interval 40.0 to 60.0", "#9aa5ad"),
        ("above", "90% interval 40.0 to 60.0, above the mean", SIGNAL_COLOURS["above"]),
        ("below", "90% interval 40.0 to 60.0, below the mean", SIGNAL_COLOURS["below"]),
    ],
)
def test_interval_bar_coloured_only_by_a_signal(signal, label, colour):
    root = parse(interval_bar(40, 60, 50, 45, signal))
    assert root.get("aria-label") == label and find(root, "title")[0]["text"] == label
    [interval] = find(root, "rect")
    assert (interval["x"], interval["width"], interval["fill"]) == ("40.8", "18.4", colour)
    assert [c["cx"] for c in find(root, "circle")] == ["50.0"]
    assert [line["x1"] for line in find(root, "line")] == ["4", "45.4"]  # the axis, then the mean


def test_interval_bar_ends_and_the_narrowest_interval():
    root = parse(interval_bar(0, 100, 100, None, "level"))
    [interval] = find(root, "rect")
    assert (interval["x"], interval["width"]) == ("4.0", "92.0")
    assert [c["cx"] for c in find(root, "circle")] == ["96.0"]
    point = parse(interval_bar(50, 50, 50, None, "level"))
    assert find(point, "rect")[0]["width"] == "1.0"  # never invisible


def test_interval_bar_without_a_score_shows_only_the_mean():
    root = parse(interval_bar(None, None, None, 62.5, None))
    assert root.get("aria-label") == "no score"
    assert find(root, "rect") == [] and find(root, "circle") == []
    assert [line["x1"] for line in find(root, "line")] == ["4", "61.5"]  # 4 + 0.92 × 62.5


def test_interval_bar_without_the_score_itself_has_no_dot():
    root = parse(interval_bar(40, 60, None, None, "level"))
    assert len(find(root, "rect")) == 1 and find(root, "circle") == []
    assert len(find(root, "line")) == 1
