"""Ranges of whole months (2026-08..2026-10) work wherever a period does."""

import csv
import io

import pytest

from reports.periods import PeriodError, parse_period, picker


@pytest.mark.parametrize(
    ("text", "months", "label", "previous"),
    [
        ("2026-09..2026-10", ["2026-09", "2026-10"], "September 2026 – October 2026", "2026-07..2026-08"),
        (
            "2026-11..2027-01",
            ["2026-11", "2026-12", "2027-01"],
            "November 2026 – January 2027",
            "2026-08..2026-10",
        ),
        ("2026-10..2026-10", ["2026-10"], "October 2026", "2026-09"),  # one month is a month
    ],
)
def test_month_ranges(text, months, label, previous):
    period = parse_period(text)
    assert (period.months, period.label, period.previous().key) == (months, label, previous)
    assert parse_period(period.key) == period


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-10..2026-08", "ends before it starts"),
        ("2026-10..2026-13", "is not a period"),
        ("2016-01..2026-12", "at most 120 months"),
        ("2026-10..", "YYYY-MM..YYYY-MM"),
    ],
)
def test_bad_ranges_say_why(text, message):
    with pytest.raises(PeriodError, match=message):
        parse_period(text)


def test_the_picker_offers_months_quarters_years_and_the_chosen_range():
    groups = dict(picker(["2026-10", "2026-09"], parse_period("2026-08..2026-10")))
    assert [p.key for p in groups["Range"]] == ["2026-08..2026-10"]
    assert [p.key for p in groups["Months"]] == ["2026-10", "2026-09"]
    assert [p.key for p in groups["Quarters"]] == ["2026-Q4", "2026-Q3"]
    assert [p.key for p in groups["Years"]] == ["2026"]


def test_the_dashboard_api_and_exports_take_a_range(client, actions, october):
    actions.login_as("admin")
    page = client.get("/reports?from=2026-09&to=2026-10").get_data(as_text=True)
    assert 'Compare locations <span class="muted">September 2026 – October 2026</span>' in page
    assert '<option value="2026-09..2026-10" selected>' in page
    assert 'href="/reports/items.csv?period=2026-09..2026-10' in page
    rows = client.get("/api/v1/reports/comparison?period=2026-09..2026-10").get_json()["rows"]
    assert {r["branch"]: r["audits"] for r in rows}["Northgate"] == 3  # two in October, one in September
    items = csv.DictReader(
        io.StringIO(client.get("/reports/items.csv?period=2026-09..2026-10").get_data(as_text=True))
    )
    assert len({r["Audit"] for r in items}) == 6  # five published in October, one in September
    pdf = client.get(f"/reports/branches/{october['N1']}/scorecard.pdf?period=2026-09..2026-10")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get("/reports?from=2026-10&to=2026-08").status_code == 400
