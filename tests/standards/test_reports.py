"""Standards in the dashboard, the drill-down, the branch and employee scorecards."""

import io
import re

import pytest
from pypdf import PdfReader

from reports.periods import parse_period
from reports.standards import compliance, knows_does_section
from standards import quizzes, store
from tests.standards.conftest import QUIZ, audit


@pytest.fixture
def october(db, shop):
    # Xena is named in the first audit's front section: a1 yes (S1 2/2), a2 no (S2 0/1).
    audit(
        db,
        shop,
        shop["X"],
        "2026-10-05T10:00:00+02:00",
        {"a1": "yes", "a2": "no", "a3": 3, "b1": "na", "b2": "Half"},
        employee=shop["xena"],
    )
    audit(
        db,
        shop,
        shop["X"],
        "2026-10-10T10:00:00+02:00",
        {"a1": "no", "a2": "yes", "a3": 5, "b1": "yes", "b2": "Half"},
    )
    store.save_quiz(db, {**QUIZ}, create=True)
    quiz = store.get_quiz(db, "basics")
    chosen = {"q1": 1, "q2": 1, "q3": 0}  # q1 wrong (S1), q2 right (S2), q3 right (S3)
    store.store_result(
        db, quiz, shop["xena"], quizzes.grade(quiz, chosen), chosen, "2026-10-20T09:00:00+00:00"
    )
    return shop


def pdf_text(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


def test_compliance_is_a_pure_function_the_branch_page_can_reuse(db, october):
    rows = {r["code"]: r for r in compliance(db, parse_period("2026-10"), {october["X"]})}
    # S1: 2/2 + 0/2 + 2/2 = 4/6; S2: 0/1 + 1/2 + 1/1 + 1/2 = 3/6
    assert rows["S1"]["percent"] * 3 == 200 and rows["S2"]["percent"] == 50
    assert rows["S3"]["knowledge_percent"] == 100 and rows["S1"]["knowledge_percent"] == 0


def test_the_dashboard_lists_the_standards_most_often_missed(client, actions, october):
    actions.login_as("admin")
    html = client.get("/reports?period=2026-10").get_data(as_text=True)
    section = html[html.index("Standards most often missed") :]
    # S2 lost points 3 times (a2 once, b2 twice), S1 once (a1)
    assert section.index("S2") < section.index("S1")
    assert "missed 3 of 4 times (75.0%)" in section
    assert "/reports/standards/S2?period=2026-10" in section
    assert "/reports/missed?period=2026-10&amp;checklist=shop&amp;item=b2" in section


def test_drill_down_from_a_standard_to_its_items_and_audits(client, actions, october):
    actions.login_as("manager", branches=[october["X"]])
    page = client.get("/reports/standards/S2?period=2026-10")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "50.0%" in html and "Offered more" in html and "missed 2 of 2 times" in html
    audits = client.get("/reports/missed?period=2026-10&checklist=shop&item=b2").get_data(as_text=True)
    assert audits.count("Xenia") == 2
    assert client.get("/reports/standards/NOPE?period=2026-10").status_code == 404
    table = client.get("/reports/standards?period=2026-10").get_data(as_text=True)
    assert table.index(">S2<") < table.index(">S1<")


def test_the_branch_scorecard_prints_the_standards_most_often_missed(client, actions, october):
    actions.login_as("admin")
    text = pdf_text(client.get(f"/reports/branches/{october['X']}/scorecard.pdf?period=2026-10"))
    section = text[text.index("Standards most often missed") :]
    assert "S2 Ask and offer" in section and "3 of 4" in section
    assert "Offered more" in section


def test_the_employee_scorecard_shows_knows_beside_does(client, actions, db, october):
    actions.login_as("admin")
    text = pdf_text(client.get(f"/reports/employees/{october['xena']}/scorecard.pdf?period=2026-10"))
    section = text[text.index("Knows and does") :]
    assert "S1 Greet and say goodbye 0.0% (1 answer) 100.0%" in section
    assert "S2 Ask and offer 100.0% (1 answer) 0.0%" in section
    assert "S3 Dress code 100.0% (1 answer) N/A" in section


def test_nothing_of_knows_and_does_for_uninformed_staff(db, october):
    assert knows_does_section(db, october["zoe"], parse_period("2026-10")) is None


def test_the_branch_page_shows_standards_done_and_known_and_the_quiz_results(client, actions, october):
    actions.login_as("manager", branches=[october["X"]])
    html = client.get(f"/branches/{october['X']}?period=2026-10").get_data(as_text=True)
    standards = html[html.index('id="branch-standards"') : html.index('id="branch-quizzes"')]
    rows = re.findall(
        r'data-standard="(\w+)".*?<td class="num strong">([^<]+)</td>.*?<td class="num">[^<]*</td><td class="num">([^<]+)</td>',
        standards,
        re.S,
    )
    # Weakest first: S2 done 3/6 = 50.0%, known 1/1; S1 done 4/6 = 66.7%, known 0/1; S3 only known.
    assert rows[:2] == [("S2", "50.0%", "100.0%"), ("S1", "66.7%", "0.0%")]
    quizzes = html[html.index('id="branch-quizzes"') :]
    assert "Xena Ward · Basics" in quizzes and "66.7% · not passed · 2026-10-20" in quizzes


def test_an_uninformed_branch_page_shows_no_quiz_result(client, actions, shop):
    actions.login_as("admin")
    html = client.get(f"/branches/{shop['Z']}?period=2026-10").get_data(as_text=True)
    assert "This branch's staff are not informed, so no quiz result is kept or shown." in html
