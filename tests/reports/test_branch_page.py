"""The one page per branch: its numbers are the APIs' numbers."""

import re
from datetime import UTC, datetime

import pytest

from audits import review
from surveys import store as surveys_store
from tests.conftest import publish

OCTOBER = datetime(2026, 10, 8, 12, 0, tzinfo=UTC)


@pytest.fixture
def sources(client, db, october, actions):
    """October of N1: two audits (100 and 75), five survey answers, two KPIs, an open action."""
    n1 = october["N1"]
    for i, (score, comment) in enumerate(
        [(10, "Lovely <script>x</script>"), (9, ""), (8, ""), (3, "Slow"), (10, "")]
    ):
        surveys_store.add_response(db, n1, score, comment, f"k{i}", OCTOBER)
    admin = actions.token("admin")
    for kpi in (
        {"code": "wait", "name": "Waiting time", "unit": "min", "better": "lower", "target": 5},
        {"code": "fcr", "name": "First-call resolution", "unit": "%", "better": "higher", "target": 80},
    ):
        assert client.post("/api/v1/kpis", json=kpi, headers=admin).status_code == 201
    csv = "N1,wait,2026-10,6\nN1,fcr,2026-10,85\nN1,wait,2026-09,4\n"
    assert (
        client.post(
            "/api/v1/kpis/values", data=csv, headers={**admin, "Content-Type": "text/csv"}
        ).status_code
        == 200
    )
    manager = actions.user("manager", branches=[n1])
    audit_id = publish(db, october, "N1", "2026-10-25T10:00:00+01:00", "yes", "no", "yes")
    review.add_action(db, audit_id, manager, "smile", "Smile training", "2026-12-01")
    return october


def number(html: str, attribute: str) -> str:
    return re.search(rf"<p [^>]*{attribute}>([^<]+)</p>", html).group(1)


def test_the_numbers_are_those_of_the_apis(client, sources, actions):
    n1 = sources["N1"]
    admin = actions.token("admin")
    comparison = client.get("/api/v1/reports/comparison?period=2026-10", headers=admin).json["rows"]
    nps = client.get("/api/v1/reports/nps?period=2026-10", headers=admin).json["rows"]
    audit_percent = next(r["percent"] for r in comparison if r["branch_id"] == n1)
    nps_value = next(r["nps"] for r in nps if r["branch_id"] == n1)
    assert (audit_percent, nps_value) == (83.3, 40.0)  # (100 + 75 + 75) / 3; 100 * (3 - 1) / 5
    actions.login_as("admin")
    page = client.get(f"/branches/{n1}?period=2026-10")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert number(html, "data-audit-percent") == f"{audit_percent:.1f}%"
    assert number(html, "data-nps") == f"{nps_value:+.1f}"
    assert (
        "5 response(s) in October 2026: 3 promoter(s) (9–10), 1 passive(s) (7–8), 1 detractor(s) (0–6)"
        in html
    )
    wait = re.search(r'<tr data-kpi="wait">(.*?)</tr>', html, re.S).group(1)
    assert "6 min" in wait and "≤ 5 min" in wait and "off target" in wait
    fcr = re.search(r'<tr data-kpi="fcr">(.*?)</tr>', html, re.S).group(1)
    assert "85 %" in fcr and "on target" in fcr
    assert "Smile training" in html
    # What the admin's branch page always offered: staff and the edit links.
    assert "Ann Lee" in html and "Edit branch" in html and "Add an employee" in html
    # Comments are escaped.
    assert "Lovely &lt;script&gt;x&lt;/script&gt;" in html and "<script>x" not in html


def test_the_default_period_is_the_latest_with_published_audits(client, sources, actions):
    actions.login_as("admin")
    html = client.get(f"/branches/{sources['N1']}").get_data(as_text=True)
    assert 'value="2026-10"' in html


def test_a_quarter_and_a_bad_period(client, sources, actions):
    actions.login_as("admin")
    html = client.get(f"/branches/{sources['N1']}?period=2026-Q4").get_data(as_text=True)
    wait = re.search(r'<tr data-kpi="wait">(.*?)</tr>', html, re.S).group(1)
    assert "6 min" in wait  # only October has a value in Q4
    assert client.get(f"/branches/{sources['N1']}?period=soon").status_code == 400


def test_managers_see_their_comments_and_not_other_branches(client, sources, actions):
    actions.login_as("manager", branches=[sources["N1"]])
    html = client.get(f"/branches/{sources['N1']}?period=2026-10").get_data(as_text=True)
    assert "What customers wrote" in html and "Slow" in html
    assert "Edit branch" not in html and "Add an employee" not in html
    assert client.get(f"/branches/{sources['N2']}").status_code == 404


def test_a_branch_with_nothing_yet(client, company, actions):
    actions.login_as("reviewer")
    html = client.get(f"/branches/{company['S2']}?period=2026-10").get_data(as_text=True)
    assert "No customer answered the survey in October 2026." in html
    assert "Head office has defined no KPIs yet." in html
    assert "No open action items." in html
    assert number(html, "data-audit-percent") == "N/A"


def test_the_branch_scorecard_pdf_carries_nps_and_kpis(client, sources, actions):
    import io

    from pypdf import PdfReader

    response = client.get(
        f"/reports/branches/{sources['N1']}/scorecard.pdf?period=2026-10", headers=actions.token("admin")
    )
    assert response.status_code == 200
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages).split())
    assert "Customer NPS" in text and "NPS +40.0 from 5 response(s)" in text
    assert "Waiting time 6 min ≤ 5 min off target" in text
    assert "First-call resolution 85 % ≥ 80 % on target" in text
    assert "“Slow” 3/10" in text


def test_the_dashboard_compares_nps_and_kpis_beside_the_audit_score(client, sources, actions):
    actions.login_as("admin")
    html = client.get("/reports?period=2026-10").get_data(as_text=True)
    section = html[html.index('<section id="sources">') :]
    row = re.search(rf'<tr data-branch="{sources["N1"]}">(.*?)</tr>', section, re.S).group(1)
    assert "83.3%" in row and "+40.0" in row and "6 " in row and "85 " in row
    svg = re.search(r"<svg.*?</svg>", section, re.S).group(0)
    assert "Northgate: audit 83.3%, NPS 40" in svg
    assert svg.count("<circle") == 1  # only N1 has both numbers
    assert "NPS of all answers over the last 12 periods" in section


def test_the_company_nps_trend_pools_every_answer(db, sources):
    from reports.periods import parse_period
    from reports.sources import company_nps_trend

    surveys_store.add_response(db, sources["N2"], 0, "", "n2", OCTOBER)
    trend = company_nps_trend(db, parse_period("2026-10"), {sources["N1"], sources["N2"]})
    assert len(trend) == 12 and trend[:-1] == [(label, None) for label, _ in trend[:-1]]
    assert trend[-1] == ("Oct 26", 16.7)  # 3 promoters, 2 detractors of 6 answers: 100 * 1 / 6
