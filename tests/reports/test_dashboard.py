"""The dashboard, the CSV and the XLSX show the same numbers as the JSON comparison."""

import csv
import io
import re
import zipfile
from fractions import Fraction

import pytest

from reports.dashboard import bucket, regions, sort_table


def test_dashboard_shows_the_league_table_regions_heat_map_and_most_missed(client, actions, october):
    actions.login_as("admin")
    page = client.get("/reports?period=2026-10").get_data(as_text=True)
    table = page[page.index("League table") : page.index("<h2>Regions")]
    assert re.findall(r'href="/branches/\d+">([^<]+)</a>', table) == [
        "Northgate",
        "Newtown",
        "Southend",
        "Seaside",
    ]
    assert ">87.5<" in table and "+87.5" in table
    regions = page[page.index("<h2>Regions") : page.index("Trend over")]
    assert 'North</th><td class="num strong">68.8<' in regions.replace(
        "\n", ""
    )  # (87.5 + 50) / 2, rounded half up
    heat = page[page.index("Sections by branch") : page.index("Most-missed")]
    assert (
        'class="num h3">75.0<' in heat and 'class="num h4">100.0<' in heat and 'class="num h0">0.0<' in heat
    )
    missed = page[page.index("Most-missed") :]
    assert "Smiled" in missed and "missed 2 of 4 times" in missed


def test_a_bad_period_on_the_dashboard_says_so(client, actions, october):
    actions.login_as("reviewer")
    response = client.get("/reports?period=2026-13")
    assert response.status_code == 400
    assert "is not a period" in response.get_data(as_text=True)


def test_sorting_the_league_table(client, actions, october):
    actions.login_as("admin")
    page = client.get("/reports?period=2026-10&sort=branch").get_data(as_text=True)
    table = page[page.index("League table") : page.index("<h2>Regions")]
    assert re.findall(r'href="/branches/\d+">([^<]+)</a>', table) == [
        "Newtown",
        "Northgate",
        "Seaside",
        "Southend",
    ]


def test_csv_and_xlsx_hold_the_api_numbers(client, actions, october):
    headers = actions.token("admin")
    api = client.get("/api/v1/reports/comparison?period=2026-10", headers=headers).get_json()["rows"]
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/reports/comparison.csv?period=2026-10", headers=headers).get_data(as_text=True)
            )
        )
    )
    assert [(r["Branch"], r["Score %"], r["Audits"]) for r in rows] == [
        (a["branch"], "" if a["percent"] is None else str(a["percent"]), str(a["audits"])) for a in api
    ]
    xlsx = client.get("/reports/comparison.xlsx?period=2026-10", headers=headers)
    sheet = zipfile.ZipFile(io.BytesIO(xlsx.data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<t>Northgate</t>" in sheet and "<v>87.5</v>" in sheet
    assert xlsx.mimetype.endswith("spreadsheetml.sheet")


def test_a_managers_dashboard_never_shows_another_branch(client, actions, october):
    actions.login_as("manager", branches=[october["N2"]])
    page = client.get("/reports?period=2026-10").get_data(as_text=True)
    assert "Newtown" in page
    for other in ("Northgate", "Southend", "Seaside"):
        assert other not in page
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/reports/comparison.csv?period=2026-10").get_data(as_text=True))
        )
    )
    assert [r["Branch"] for r in rows] == ["Newtown"]


def test_drill_down_from_a_missed_standard_to_its_audits(client, actions, october):
    actions.login_as("admin")
    page = client.get("/reports?period=2026-10").get_data(as_text=True)
    assert "/reports/missed?period=2026-10&amp;checklist=mini&amp;item=smile" in page
    drill = client.get("/reports/missed?period=2026-10&checklist=mini&item=smile").get_data(as_text=True)
    assert "missed in 2 audits in October 2026" in drill
    assert "Northgate" in drill and "Newtown" in drill and "Southend" not in drill
    assert client.get("/reports/missed?period=2026-10&checklist=mini&item=nope").status_code == 404


# The dashboard's pure helpers, on hand-made league-table rows.


def league(*rows):
    keys = ("branch", "region", "score", "change", "audits", "pass_rate", "critical_failures")
    return [dict(zip(keys, row, strict=True)) for row in rows]


ROWS = league(
    ("Avon", "West", Fraction(80), 5.0, 2, 50.0, 1),
    ("Bath", "East", None, None, 0, None, 0),
    ("Cork", "East", Fraction(90), -3.0, 1, 100.0, 0),
    ("Dover", "West", Fraction(80), None, 3, 100.0, 0),
)


@pytest.mark.parametrize(
    ("sort", "reverse", "order", "descending"),
    [
        ("rank", False, ["Cork", "Avon", "Dover", "Bath"], True),  # ties by name, no score last
        ("rank", True, ["Avon", "Dover", "Cork", "Bath"], False),  # no score last either way
        ("branch", False, ["Avon", "Bath", "Cork", "Dover"], False),
        ("branch", True, ["Dover", "Cork", "Bath", "Avon"], True),
        ("region", False, ["Bath", "Cork", "Avon", "Dover"], False),
        ("change", False, ["Avon", "Cork", "Bath", "Dover"], True),
        ("audits", False, ["Dover", "Avon", "Cork", "Bath"], True),
        ("pass_rate", False, ["Cork", "Dover", "Avon", "Bath"], True),
        ("critical", False, ["Avon", "Bath", "Cork", "Dover"], True),
        ("nonsense", False, ["Cork", "Avon", "Dover", "Bath"], True),  # an unknown column sorts by rank
    ],
)
def test_sort_table(sort, reverse, order, descending):
    rows = [dict(r) for r in ROWS]
    assert sort_table(rows, sort, reverse) is descending
    assert [r["branch"] for r in rows] == order


def test_regions_mean_their_branches_exact_scores_and_name_best_and_worst():
    table = league(
        ("Northgate", "North", Fraction(175, 2), None, 2, 100.0, 0),
        ("Newtown", "North", Fraction(50), None, 1, 0.0, 0),
        ("Southend", "South", Fraction(0), None, 2, 0.0, 1),
        ("Seaside", "South", None, None, 0, None, 0),
        ("Eastham", "East", None, None, 0, None, 0),
    )
    out = regions(table)
    assert [(r["region"], r["branches"], r["audits"], r["percent"]) for r in out] == [
        ("North", 2, 3, 68.8),  # (87.5 + 50) / 2 = 68.75, rounded once
        ("South", 2, 2, 0.0),
        ("East", 1, 0, None),
    ]
    assert [(r["best"] or {}).get("branch") for r in out] == ["Northgate", "Southend", None]
    assert [(r["worst"] or {}).get("branch") for r in out] == ["Newtown", "Southend", None]


@pytest.mark.parametrize(
    ("value", "colour"),
    [(None, "none"), (0, "h0"), (19.9, "h0"), (20, "h1"), (50, "h2"), (79.9, "h3"), (80, "h4"), (100, "h4")],
)
def test_heat_map_buckets_of_twenty_points(value, colour):
    assert bucket(value) == colour
