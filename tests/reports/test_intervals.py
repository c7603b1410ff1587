"""Intervals and signals of the comparison, through the API on companies worked out by hand; the
region helpers directly."""

import csv
import io
import re
import zipfile
from fractions import Fraction

import pytest
from pypdf import PdfReader

from audits import review
from audits import store as audits_store
from audits.schemas import load_document
from checklists import spec
from checklists.store import save_checklist
from reports.intervals import add_group_signals, group_intervals
from reports.uncertainty import Estimate
from tests.conftest import CHECKLIST, publish

# The mini checklist's answers (hello, smile, receipt) and the percent they score.
SCORE = {100: ("yes", "yes", "yes"), 75: ("yes", "no", "yes"), 50: ("no", "no", "yes")}


def audits(db, company, branch, percents, month="2026-10"):
    for day, percent in enumerate(percents, start=1):
        publish(db, company, branch, f"{month}-{day:02d}T10:00:00+00:00", *SCORE[percent])


@pytest.fixture
def head_office(actions):
    return actions.token("admin")


def comparison(client, headers, query="period=2026-10"):
    return {
        r["branch"]: r
        for r in client.get(f"/api/v1/reports/comparison?{query}", headers=headers).json["rows"]
    }


@pytest.fixture
def four_kinds(db, company):
    """Clearly better, clearly worse, average, and one with a single (perfect) audit."""
    audits(db, company, "N1", [100] * 6)  # Northgate, clearly better
    audits(db, company, "S1", [50] * 6)  # Southend, clearly worse
    audits(db, company, "N2", [100, 50, 100, 50, 75, 75])  # Newtown, average
    audits(db, company, "S2", [100])  # Seaside, one audit
    return company


def test_signals_on_a_company_with_better_worse_average_and_single_audit_branches(
    client, head_office, four_kinds
):
    rows = comparison(client, head_office)
    # Company spread: only Newtown's audits differ (4 × 25² = 2500 over 15 degrees of freedom):
    # 166.67, a standard deviation of 12.91, counted as 4 audits. Mean of the rows: (100+50+75+100)/4 = 81.25.
    # Northgate: (4 × 166.67 + 0) / 9 = 74.07; se √(74.07 / 6) = 3.514; ± 1.833113 × se = 6.44
    # Newtown: (666.67 + 2500) / 9 = 351.85; se √(351.85 / 6) = 7.658; ± 14.04
    # Seaside: one audit, the company spread alone: 100 ± 2.131847 × 12.91 = 100 ± 27.52
    assert {b: (r["percent"], r["low"], r["high"], r["signal"]) for b, r in rows.items()} == {
        "Northgate": (100.0, 93.6, 100.0, "above"),
        "Southend": (50.0, 43.6, 56.4, "below"),
        "Newtown": (75.0, 61.0, 89.0, "level"),
        "Seaside": (100.0, 72.5, 100.0, "level"),  # as high a score as Northgate's, far less sure
    }
    assert rows["Seaside"]["rank"] == rows["Northgate"]["rank"] == 1


def test_no_audits_and_na_only_audits_have_null_intervals(client, head_office, company, db):
    publish(db, company, "S1", "2026-10-11T12:00:00+01:00", "na", "na", "na")  # nothing to score
    rows = comparison(client, head_office)
    assert (rows["Southend"]["audits"], rows["Southend"]["percent"]) == (1, None)
    for branch in ("Southend", "Seaside"):
        assert (rows[branch]["low"], rows[branch]["high"], rows[branch]["signal"]) == (None, None, None)


def test_one_audit_in_the_whole_company_could_be_anything(client, head_office, company, db):
    audits(db, company, "N1", [75])
    row = comparison(client, head_office)["Northgate"]
    assert (row["low"], row["high"], row["signal"]) == (0.0, 100.0, "level")


def test_identical_audits_never_give_a_zero_width_interval(client, head_office, company, db):
    audits(db, company, "N1", [100, 100])
    audits(db, company, "N2", [100, 100])
    audits(db, company, "S1", [100])
    rows = comparison(client, head_office)
    # No spread at all: the floor of 5 points, counted as 2 audits (2 degrees of freedom).
    # Two audits: (2 × 25 + 0) / 3 = 16.67; se √(16.67 / 2) = 2.887; ± 2.353363 × se = 6.79
    # One audit: 100 ± 2.919986 × 5 = 100 ± 14.6
    assert (rows["Northgate"]["low"], rows["Northgate"]["high"]) == (93.2, 100.0)
    assert (rows["Southend"]["low"], rows["Southend"]["high"]) == (85.4, 100.0)
    assert {r["signal"] for r in rows.values() if r["audits"]} == {"level"}


def test_audits_of_different_checklist_versions_count_together(client, head_office, company, db):
    save_checklist(db, spec.load(CHECKLIST.replace("weight: 2", "weight: 3"), "yaml"))  # version 2
    audits(db, company, "N1", [100, 50])  # version 1
    document = {
        "checklist_id": "mini", "checklist_version": 2, "branch_id": company["N1"],
        "visited_at": "2026-10-21T10:00:00+00:00", "revision": 1,
        "answers": {"hello": {"value": "yes"}, "smile": {"value": "no"}, "receipt": {"value": "yes"}},
        "employees": {},
    }  # fmt: skip
    audit_id = "7c0e9d1e-0000-4000-8000-000000000002"
    audits_store.save_audit(db, audit_id, load_document(document), company["auditor"])
    audits_store.submit_audit(db, audit_id, company["auditor"])
    review.approve(db, audit_id, company["reviewer"])
    row = comparison(client, head_office)["Northgate"]
    # 100 (v1), 50 (v1), 80 (v2: 1 + 3 of 5): mean 76.67 over three audits
    assert (row["audits"], row["percent"]) == (3, 76.7)
    # Within-branch spread: Northgate 100, 50, 80 -> 1266.67 over 2 df:
    # 633.33, sd 25.17, weight 2. Northgate: (2 × 633.33 + 1266.67) / 4 = 633.33; se √(633.33/3) = 14.53;
    # ± 2.131847 × se = 30.98
    assert (row["low"], row["high"]) == (45.7, 100.0)


def test_exports_carry_low_high_and_signal(client, head_office, four_kinds):
    rows = comparison(client, head_office)
    lines = list(
        csv.DictReader(
            io.StringIO(client.get("/reports/comparison.csv?period=2026-10", headers=head_office).text)
        )
    )
    assert {
        r["Branch"]: (r["90% interval low"], r["90% interval high"], r["Against the mean"]) for r in lines
    } == {b: (str(r["low"]), str(r["high"]), r["signal"]) for b, r in rows.items()}
    xlsx = client.get("/reports/comparison.xlsx?period=2026-10", headers=head_office)
    sheet = zipfile.ZipFile(io.BytesIO(xlsx.data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<t>90% interval low</t>" in sheet and "<v>93.6</v>" in sheet and "<t>above</t>" in sheet


def test_the_dashboard_colours_only_distinguishable_branches_and_says_how_many(client, actions, four_kinds):
    actions.login_as("admin")
    page = client.get("/reports?period=2026-10").text
    table = page[page.index("League table") : page.index("<h2>Regions")]
    coloured = re.findall(
        r'<tr class="signal-(\w+)">\s*<td class="num">\d+</td>\s*<th scope="row"><a[^>]*>(\w+)', table
    )
    assert sorted(coloured) == [("above", "Northgate"), ("below", "Southend")]
    assert table.count("<svg") == 4 and 'aria-label="90% interval 93.6 to 100.0, above the mean"' in table
    assert "61.0–89.0" in table and "72.5–100.0" in table
    words = " ".join(re.sub(r"<[^>]+>", "", table).split())
    assert "2 of 4 branches are distinguishable from the mean (81.3%): 1 above, 1 below." in words
    assert "The other 2 are level with it" in words
    # Spread 12.91 (4 + n - 1 df): n = 19: 1.717144 × 12.91 / √19 = 5.09; n = 20: 1.713872 × 12.91 / √20 = 4.95
    assert "to tell apart a 5-point difference at 90%, a branch needs 20 audits per period" in words
    assert "differ by 12.9 points" in words
    regions = page[page.index("<h2>Regions") : page.index("Trend over")]
    words = " ".join(re.sub(r"<[^>]+>", "", regions).split())
    # North: Northgate and Newtown, se √(3.514² + 7.658²) / 2 = 4.213, 12 df: 87.5 ± 1.782288 × 4.213
    # South: Southend and Seaside, se √(3.514² + 12.91²) / 2 = 6.690, 4 df: 75 ± 2.131847 × 6.690
    assert "80.0–95.0" in words and "60.7–89.3" in words
    assert "None of the 2 regions is distinguishable from the mean (81.3%)" in words
    assert "signal-" not in regions


def test_a_region_whose_interval_is_clear_of_the_mean_is_coloured(client, actions, company, db):
    audits(db, company, "N1", [100] * 5)
    audits(db, company, "N2", [100, 100, 75, 100, 100])
    audits(db, company, "S1", [50] * 5)
    audits(db, company, "S2", [50, 50, 75, 50, 50])
    actions.login_as("admin")
    page = client.get("/reports?period=2026-10").text
    regions = page[page.index("<h2>Regions") : page.index("Trend over")]
    assert re.findall(r'<tr class="signal-(\w+)"><th scope="row">(\w+)', regions) == [
        ("above", "North"),
        ("below", "South"),
    ]


def pdf_text(response) -> str:
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    return " ".join(text.split()).replace("– ", "–")  # a line may break after a dash


def test_branch_scorecard_shows_the_interval_and_calls_a_change_only_when_it_is_clear(
    client, actions, head_office, four_kinds, db
):
    audits(db, four_kinds, "N1", [50] * 6, month="2026-09")  # Northgate: 50 -> 100, clearly
    audits(db, four_kinds, "N2", [75, 50, 75, 50], month="2026-09")  # Newtown: 62.5 -> 75, noise
    rows = comparison(client, head_office)
    scorecard = lambda code: pdf_text(  # noqa: E731
        client.get(f"/reports/branches/{four_kinds[code]}/scorecard.pdf?period=2026-10", headers=head_office)
    )
    northgate = scorecard("N1")
    low, high = rows["Northgate"]["low"], rows["Northgate"]["high"]
    assert f"90% interval {low:.1f}–{high:.1f}%" in northgate and "based on 6 audits" in northgate
    assert "above the mean of all branches (81.3%): clearly better" in northgate
    assert "Change against September 2026 +50.0 points (was 50.0%)" in northgate
    newtown = scorecard("N2")
    assert "level with the mean of all branches (81.3%)" in newtown
    assert "Against September 2026 +12.5 points (was 62.5%) within the noise: no clear change" in newtown
    assert "Change against" not in newtown
    actions.login_as("admin")
    page = client.get("/reports?period=2026-10").text
    assert '<td class="num noise">+12.5</td>' in page and '<td class="num">+50.0</td>' in page
    seaside = scorecard("S2")
    assert "based on 1 audit" in seaside and "level with the mean" in seaside
    empty = pdf_text(
        client.get(f"/reports/branches/{four_kinds['N1']}/scorecard.pdf?period=2026-08", headers=head_office)
    )
    assert "based on 0 audits: no score, no interval" in empty


def test_the_trend_chart_draws_the_interval_as_a_band(db, four_kinds):
    from reports import scorecards
    from reports.periods import parse_period

    audits(db, four_kinds, "N1", [50] * 6, month="2026-09")
    chart = scorecards.branch_scorecard(db, four_kinds["N1"], parse_period("2026-10"), "#0b5d54")[
        "trend_chart"
    ]
    assert chart.count("<polygon") == 1 and 'fill-opacity="0.18"' in chart  # September to October
    lone = scorecards.branch_scorecard(db, four_kinds["S2"], parse_period("2026-10"), "#0b5d54")[
        "trend_chart"
    ]
    assert "<polygon" not in lone and lone.count('fill-opacity="0.18"') == 1  # one period: a bar


def employee_pdf(client, headers, employee_id):
    return pdf_text(
        client.get(f"/reports/employees/{employee_id}/scorecard.pdf?period=2026-10", headers=headers)
    )


def test_employee_scorecard_ranks_sections_only_on_enough_evidence(client, head_office, company, db):
    from org import store as org_store

    cy = org_store.create_employee(db, company["N1"], "Cy Day")
    company = {**company, "cy": cy}
    for day in (1, 2, 3):
        publish(db, company, "N1", f"2026-10-0{day}T10:00:00+00:00", "yes", "yes", "yes", "ann")  # greet 100
        publish(db, company, "N1", f"2026-10-1{day}T10:00:00+00:00", "yes", "no", "yes", "cy")  # greet 50
    publish(db, company, "N1", "2026-10-21T10:00:00+00:00", "no", "no", "yes", "bob")  # greet 0, twice
    publish(db, company, "N1", "2026-10-22T10:00:00+00:00", "no", "no", "yes", "bob")
    # Ann: 100, 100, 100; no spread, so the floor (5 points, 2 df): (2 × 25) / 4 = 12.5;
    # se √(12.5 / 3) = 2.041; ± 2.131847 × se = 4.35 -> 95.6 .. 100, wholly above the pass mark 75
    ann = employee_pdf(client, head_office, company["ann"])
    assert "Strongest sections Greeting · 100.0% over 3 audits; 90% interval 95.6–100.0%" in ann
    assert "against the pass mark (75.0%)" in ann and "No section is clearly below its mark." in ann
    # Cy: 50 three times: her best section, yet below the pass mark: never "strongest"
    cy_text = employee_pdf(client, head_office, cy)
    assert "No section is clearly at or above its mark yet." in cy_text
    assert "To work on Greeting · 50.0% over 3 audits; 90% interval 45.6–54.4%" in cy_text
    # Bob: two observations of 0%: not ranked, and said so
    bob = employee_pdf(client, head_office, company["bob"])
    assert "Fewer than 3 observations: not ranked Greeting · 0.0% over 2 audits" in bob
    assert "No section is clearly at or above its mark yet." in bob and "No section is clearly below" in bob


def test_employee_ranking_intervals_only_with_enough_audits(db, company):
    from org import store as org_store
    from reports.dashboard import dashboard
    from reports.periods import parse_period

    cy = org_store.create_employee(db, company["N1"], "Cy Day")
    company = {**company, "cy": cy}
    for day in (1, 2, 3, 4):
        publish(db, company, "N1", f"2026-10-0{day}T10:00:00+00:00", "yes", "yes", "yes", "ann")  # 100
        publish(db, company, "N1", f"2026-10-1{day}T10:00:00+00:00", "yes", "no", "yes", "bob")  # 50
    publish(db, company, "N1", "2026-10-21T10:00:00+00:00", "yes", "yes", "yes", "cy")  # one audit
    branches = org_store.list_branches(db)
    data = dashboard(db, parse_period("2026-10"), branches, None, "rank", "#0b5d54", with_employees=True)
    # No spread: the floor, 5 points counted as 4 audits: (4 × 25) / 7 = 14.29; se √(14.29 / 4) = 1.890;
    # ± 1.894579 × se = 3.58. Mean of the three employees: (100 + 50 + 100) / 3 = 83.3
    rows = {e["name"]: (e["percent"], e["low"], e["high"], e["signal"], e["note"]) for e in data["employees"]}
    assert rows == {
        "Ann Lee": (100.0, 96.4, 100.0, "above", None),
        "Bob Ray": (50.0, 46.4, 53.6, "below", None),
        "Cy Day": (100.0, None, None, None, "fewer than 3 audits: no interval"),
    }
    assert data["employee_certainty"] == {
        "counts": {"scored": 2, "above": 1, "below": 1, "level": 0},
        "mean": 83.3,
    }


def test_the_dashboards_employee_ranking_shows_the_intervals(client, actions, db, company):
    for day in (1, 2, 3):
        publish(db, company, "N1", f"2026-10-0{day}T10:00:00+00:00", "yes", "yes", "yes", "ann")
    publish(db, company, "N1", "2026-10-11T10:00:00+00:00", "yes", "no", "yes", "bob")
    actions.login_as("admin")
    page = client.get(f"/reports?period=2026-10&branch={company['N1']}").text
    employees = " ".join(re.sub(r"<[^>]+>", " ", page[page.index("<h2>Employees") :]).split())
    assert "fewer than 3 audits: no interval" in employees
    assert (
        "1 of 1 employee with 3 or more audits is distinguishable from the mean (75.0%): 1 above" in employees
    )
    assert "Ann Lee Northgate 100.0 3 90% interval 95.6 to 100.0, above the mean" in employees


# group_intervals and add_group_signals directly, on branch rows with hand-made intervals.


def branch_row(region, mean=None, se=0.0, df=10):
    return {"region": region, "interval": None if mean is None else Estimate(Fraction(mean), se, df)}


def test_a_regions_interval_is_the_mean_of_its_branches_intervals():
    rows = [
        branch_row("North", 60, 3.0, 4),
        branch_row("North", 80, 4.0, 6),
        branch_row("North"),  # no score: not in the region's interval
        branch_row("South", 40),
        branch_row("East"),
    ]
    found = group_intervals(rows)
    assert set(found) == {"North", "South", "East"}
    assert (found["North"].mean, found["North"].se, found["North"].df) == (70, 2.5, 9)  # as test_uncertainty
    assert found["North"].shown == (65.4, 74.6)
    assert (found["South"].mean, found["South"].se) == (40, 0.0)
    assert found["East"] is None


def test_regions_are_signalled_against_the_mean_of_the_regions_scores():
    intervals = {
        "North": Estimate(Fraction(70), 0.0, 10),
        "South": Estimate(Fraction(40), 0.0, 10),
        "West": Estimate(Fraction(55), 2.0, 10),  # 55 ± 1.812461 × 2: around the mean
        "East": None,
    }
    groups = [{"region": name} for name in ("North", "South", "West", "East")]
    add_group_signals(groups, intervals)  # the mean: (70 + 40 + 55) / 3 = 55
    assert [(g["region"], g["low"], g["high"], g["signal"]) for g in groups] == [
        ("North", 70.0, 70.0, "above"),
        ("South", 40.0, 40.0, "below"),
        ("West", 51.4, 58.6, "level"),
        ("East", None, None, None),
    ]
    assert groups[0]["interval"] is intervals["North"]


def test_no_scored_region_means_no_signals():
    groups = [{"region": "North"}]
    add_group_signals(groups, {"North": None})
    assert (groups[0]["low"], groups[0]["high"], groups[0]["signal"]) == (None, None, None)
