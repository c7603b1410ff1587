"""What each PDF shows, as the dicts reports.scorecards builds, for the small company of the
`october` fixture (tests/reports/conftest.py) and single audits worked out by hand.

October: N1 100 and 75 (87.5), N2 50, S1 0 (a critical failure) and an all-N/A audit, S2 nothing;
September: N1 0 (a critical failure). Ann is named for N1's 100, Bob for its 75, Ann for September.
"""

import xml.etree.ElementTree as ET

import pytest

from audits import review
from checklists import spec
from checklists.store import save_checklist
from org import store as org_store
from reports.periods import parse_period
from reports.scorecards import (
    branch_scorecard,
    branch_scorecard_state,
    employee_scorecard,
    employee_scorecard_state,
    open_actions,
    visit_report,
)
from tests.conftest import VALID, file_audit, publish

OCTOBER = parse_period("2026-10")
SVG = "{http://www.w3.org/2000/svg}"


def svg(text: str, tag: str) -> list[dict]:
    return [{**e.attrib, "text": e.text} for e in ET.fromstring(text).iter(f"{SVG}{tag}")]


def audit_of_the_design_checklist(db, company) -> str:
    """DESIGN's example checklist answered so: greeted late (0 of 2), waited 3.5 minutes (0.5 of 1),
    friendliness 4 of 1..5 (0.75 of 1), card only when asked (0.5 of 1), why-not hidden:
    1.75 of 5 = 35 %, below the pass mark of 80. Submitted, not yet published."""
    save_checklist(db, spec.load(VALID, "yaml"))
    document = {
        "checklist_id": "store-visit",
        "checklist_version": 1,
        "branch_id": company["N1"],
        "visited_at": "2026-10-05T14:30:00+02:00",
        "revision": 1,
        "answers": {
            "greeted-30s": {"value": "no", "comment": "nobody looked up"},
            "wait-minutes": {"value": 3.5},
            "friendliness": {"value": 4},
            "offer": {"value": "Only when asked"},
            "why-not": {"value": "We have no cards today"},
        },
        "employees": {"greeting": company["bob"]},
    }
    return file_audit(db, company, document, status="submitted")


# visit_report


def test_visit_report_of_the_design_checklist(db, company):
    report = visit_report(db, audit_of_the_design_checklist(db, company), "#123456")
    assert (report["percent"], report["passed"], report["pass_mark"]) == ("35.0%", False, "80.0%")
    assert (report["status"], report["visited"], report["critical_failure"]) == (
        "submitted",
        "2026-10-05 14:30",  # in the visit's own offset
        False,
    )
    assert report["checklist"] == {"title": "Store visit", "id": "store-visit", "version": 1}
    assert report["branch"] == {"name": "Northgate", "code": "N1", "region": "North"}
    [section] = report["sections"]
    assert (section["title"], section["percent"], section["percent_value"]) == ("Greeting", "35.0%", 35.0)
    assert section["employee"] == "Bob Ray"  # Northgate's staff are informed
    assert [(i["answer"], i["status"], i["points"]) for i in section["items"]] == [
        ("no", "scored", "0 / 2"),
        ("3.5 minutes", "scored", "0.5 / 1"),
        ("4", "scored", "0.75 / 1"),
        ("Only when asked", "scored", "0.5 / 1"),
        ("not shown (its condition was not met)", "hidden", ""),
    ]
    assert section["items"][0]["comment"] == "nobody looked up"
    assert section["items"][0]["standard"] == "Rules of interaction with the customer"
    assert "100 × 1.75 ÷ 5 = 35.0%" in " ".join(report["explanation"])
    [bar] = svg(report["section_chart"], "rect")
    assert bar["width"] == "87.5"  # 250 × 35 %


def test_visit_report_with_an_na_item_and_without_the_time(db, company):
    audit_id = publish(db, company, "N2", "2026-10-03T10:00:00+01:00", "na", "no", "yes")
    report = visit_report(db, audit_id, "#123456", show_time=False)
    # greet: hello N/A, smile 0 of 1; pay: 2 of 2 -> 2 of 3
    assert (report["percent"], report["passed"], report["visited"]) == ("66.7%", False, "2026-10-03")
    greeting, paying = report["sections"]
    assert [(i["text"], i["answer"], i["status"], i["points"]) for i in greeting["items"]] == [
        ("Said hello", "N/A", "na", ""),
        ("Smiled", "no", "scored", "0 / 1"),
    ]
    assert (greeting["percent"], paying["percent"]) == ("0.0%", "100.0%")
    assert paying["items"][0]["critical"] is True
    assert "Left out as N/A: Said hello." in report["explanation"]
    assert [b["width"] for b in svg(report["section_chart"], "rect")] == ["0.0", "250.0"]


def test_visit_report_names_an_employee_only_where_staff_are_informed(db, company):
    audit_id = publish(db, company, "N1", "2026-10-03T10:00:00+01:00", "yes", "yes", "yes", "ann")
    assert visit_report(db, audit_id, "#000")["sections"][0]["employee"] == "Ann Lee"
    org_store.update_branch(db, company["N1"], staff_informed=False)
    assert visit_report(db, audit_id, "#000")["sections"][0]["employee"] is None


def test_visit_report_of_a_critical_failure(db, company):
    audit_id = publish(db, company, "S1", "2026-10-10T12:00:00+01:00", "yes", "yes", "no")
    report = visit_report(db, audit_id, "#000")
    assert (report["percent"], report["passed"], report["critical_failure"]) == ("0.0%", False, True)
    assert [s["percent"] for s in report["sections"]] == ["100.0%", "0.0%"]  # sections are not capped


# branch_scorecard


@pytest.mark.parametrize(
    ("branch", "percent", "audits", "pass_rate", "critical", "rank", "region_rank", "region_ranked"),
    [
        ("N1", 87.5, 2, 100.0, 0, 1, 1, 2),
        ("N2", 50.0, 1, 0.0, 0, 2, 2, 2),  # its November audit is not October's
        ("S1", 0.0, 2, 0.0, 1, 3, 1, 1),  # the all-N/A audit counts as an audit, not as a score
        ("S2", None, 0, None, 0, None, None, 1),
    ],
)
def test_branch_scorecard_numbers_and_ranks(
    db, october, branch, percent, audits, pass_rate, critical, rank, region_rank, region_ranked
):
    card = branch_scorecard(db, october[branch], OCTOBER, "#123456")
    assert (card["kind"], card["period"], card["previous_label"]) == (
        "branch",
        "October 2026",
        "September 2026",
    )
    assert (card["percent"], card["audit_count"], card["pass_rate"], card["critical_failures"]) == (
        percent,
        audits,
        pass_rate,
        critical,
    )
    assert (card["rank"], card["ranked"], card["region_rank"], card["region_ranked"]) == (
        rank,
        3,  # S2 has no score and no rank
        region_rank,
        region_ranked,
    )
    assert card["certainty"]["mean"] == 45.8  # (87.5 + 50 + 0) / 3 over the ranked branches


def test_branch_scorecard_change_from_the_previous_period(db, october):
    n1 = branch_scorecard(db, october["N1"], OCTOBER, "#000")
    assert (n1["previous_percent"], n1["change"]) == (0.0, 87.5)  # September's critical failure was 0
    n2 = branch_scorecard(db, october["N2"], OCTOBER, "#000")
    assert (n2["previous_percent"], n2["change"]) == (None, None)


def test_branch_scorecard_lists_the_period_audits_and_most_missed(db, october):
    card = branch_scorecard(db, october["N1"], OCTOBER, "#000")
    assert card["branch"] == {"name": "Northgate", "code": "N1", "region": "North"}
    assert card["audits"] == [
        {"date": "2026-10-03", "checklist": "Mini visit", "percent": "100.0%", "result": "passed"},
        {
            "date": "2026-10-20",
            "checklist": "Mini visit",
            "percent": "75.0%",
            "result": "passed",
        },  # 75 = pass mark
    ]
    assert card["missed"] == [{"text": "Smiled", "standard": "Smile", "missed": 1, "scored": 2}]
    assert card["certainty"]["based_on"] == 2
    s1 = branch_scorecard(db, october["S1"], OCTOBER, "#000")
    assert s1["audits"][0] == {
        "date": "2026-10-10",
        "checklist": "Mini visit",
        "percent": "0.0%",
        "result": "critical failure",
    }
    assert s1["missed"] == [
        {"text": "Receipt offered", "standard": "Offer a receipt", "missed": 1, "scored": 1}
    ]


def test_branch_scorecard_section_chart_against_company_and_region(db, october):
    card = branch_scorecard(db, october["N1"], OCTOBER, "#123456")
    # Northgate: Greeting (100 + 50) / 2 = 75, Paying 100.
    assert [(b["y"], b["width"]) for b in svg(card["section_chart"], "rect")] == [
        ("9", "187.5"),
        ("35", "250.0"),
    ]
    # Company Greeting (100 + 50 + 0 + 100) / 4 = 62.5 (S1's all-N/A audit has no Greeting score),
    # Paying (100 + 100 + 100 + 0) / 4 = 75; North: Greeting (100 + 50 + 0) / 3 = 50, Paying 100.
    ticks = [(t["x1"], t["y1"]) for t in svg(card["section_chart"], "line") if t.get("stroke-width")][:4]
    assert ticks == [("336.2", "6"), ("305.0", "6"), ("367.5", "32"), ("430.0", "32")]


def test_branch_scorecard_trend_of_twelve_months(db, october):
    card = branch_scorecard(db, october["N1"], OCTOBER, "#123456")
    labels = [t["text"] for t in svg(card["trend_chart"], "text")]
    assert labels[3] == "Nov 25" and "Oct 26" in labels
    # September 0 and October 87.5 are the last two of twelve points, 420 / 11 apart
    assert [(c["cx"], c["cy"]) for c in svg(card["trend_chart"], "circle")] == [
        ("415.8", "122.0"),
        ("454.0", "25.8"),
    ]
    assert [p["points"] for p in svg(card["trend_chart"], "polyline")] == ["415.8,122.0 454.0,25.8"]
    assert len(svg(card["trend_chart"], "polygon")) == 1  # the intervals of September and October
    assert labels[-1] == "87.5%"


def test_branch_scorecard_of_a_branch_without_audits(db, october):
    card = branch_scorecard(db, october["S2"], OCTOBER, "#000")
    assert card["section_chart"] is None and card["audits"] == [] and card["missed"] == []
    assert card["certainty"]["based_on"] == 0
    assert (card["certainty"]["low"], card["certainty"]["high"], card["certainty"]["signal"]) == (
        None,
        None,
        None,
    )
    assert svg(card["trend_chart"], "circle") == []


def test_branch_scorecard_carries_nps_and_kpis_sections(db, october):
    card = branch_scorecard(db, october["N1"], OCTOBER, "#000")
    assert (card["nps"]["responses"], card["nps"]["nps"]) == (0, None)
    assert len(card["nps"]["trend"]) == 12 and card["kpis"] == []


@pytest.fixture
def manager(db, october):
    user_id = org_store.create_user(
        db, "mia@example.com", "manager", "password-1", "Mia Lund", [october["N1"]]
    )
    return org_store.get_user(db, user_id)


def bobs_audit(db, october) -> str:
    """N1's 75 % audit: Bob did not smile."""
    return db.execute(
        "select audit_id from audits where branch_id = ? and percent = 75", [october["N1"]]
    ).fetchone()[0]


def test_branch_scorecard_counts_actions_and_appeals(db, october, manager):
    audit_id = bobs_audit(db, october)
    first = review.add_action(db, audit_id, manager, "smile", "Smile training", "2026-11-20")
    review.add_action(db, audit_id, manager, "smile", "Mirror at the till", "2026-12-15")
    review.complete_action(db, first, manager, "Done on Monday")
    [appeal] = review.open_appeals(db, audit_id, manager, ["smile"], "He smiled at the door.", 7)
    card = branch_scorecard(db, october["N1"], OCTOBER, "#000")
    assert card["actions"] == {"open": 1, "done": 1}
    assert card["appeals"] == {"open": 1, "upheld": 0, "rejected": 0}
    review.decide_appeal(db, appeal, october["reviewer"], "rejected", "Not on the recording.", None)
    assert branch_scorecard(db, october["N1"], OCTOBER, "#000")["appeals"] == {
        "open": 0,
        "upheld": 0,
        "rejected": 1,
    }


# open_actions


def test_open_actions_say_who_what_when_and_whether_overdue(db, october, manager):
    audit_id = bobs_audit(db, october)
    review.add_action(db, audit_id, manager, "smile", "Mirror at the till", "2026-12-15")
    review.add_action(db, audit_id, manager, "smile", "Smile training", "2026-11-20")
    done = review.add_action(db, audit_id, manager, "smile", "Team talk", "2026-11-01")
    review.complete_action(db, done, manager)
    assert open_actions(db, october["N1"], today="2026-11-30") == [
        {"what": "Smile training", "who": "Mia Lund", "due": "2026-11-20", "overdue": True},
        {"what": "Mirror at the till", "who": "Mia Lund", "due": "2026-12-15", "overdue": False},
    ]
    assert [a["overdue"] for a in open_actions(db, october["N1"], today="2026-11-20")] == [False, False]
    assert open_actions(db, october["N2"], today="2026-11-30") == []


# employee_scorecard


@pytest.mark.parametrize(
    ("employee", "period", "percent", "audits"),
    [
        ("ann", "2026-10", 100.0, [("2026-10-03", "100.0%")]),
        ("bob", "2026-10", 50.0, [("2026-10-20", "50.0%")]),  # his Greeting: hello yes, smile no
        ("ann", "2026-09", 50.0, [("2026-09-15", "50.0%")]),  # the audit's critical cap is not hers
        ("ann", "2026-Q3", 50.0, [("2026-09-15", "50.0%")]),
        ("ann", "2026", 75.0, [("2026-09-15", "50.0%"), ("2026-10-03", "100.0%")]),
        ("bob", "2026-09", None, []),
    ],
)
def test_employee_scorecard_is_the_mean_of_the_sections_naming_them(
    db, october, employee, period, percent, audits
):
    card = employee_scorecard(db, october[employee], parse_period(period), "#000")
    assert (card["kind"], card["employee"]) == ("employee", {"ann": "Ann Lee", "bob": "Bob Ray"}[employee])
    assert card["branch"] == {"name": "Northgate", "code": "N1", "region": "North"}
    assert (card["percent"], card["audit_count"]) == (percent, len(audits))
    assert [(a["date"], a["percent"]) for a in card["audits"]] == audits
    assert {(a["checklist"], a["sections"]) for a in card["audits"]} <= {("Mini visit", 1)}


def test_employee_scorecard_trend_and_sections(db, october):
    card = employee_scorecard(db, october["ann"], OCTOBER, "#123456")
    # September 50 and October 100, the last two of twelve points
    assert [p["points"] for p in svg(card["trend_chart"], "polyline")] == ["415.8,67.0 454.0,12.0"]
    sections = card["sections"]
    assert sections["minimum"] == 3
    assert (sections["strongest"], sections["to_work_on"]) == ([], [])  # one audit tells too little
    assert [(s["title"], s["percent"], s["observations"]) for s in sections["too_few"]] == [
        ("Greeting", 100.0, 1)
    ]


# The cache keys: whatever a scorecard shows is in its state


def test_branch_scorecard_state_follows_the_data(db, october):
    state = branch_scorecard_state(db, october["N1"], OCTOBER)
    assert branch_scorecard_state(db, october["N1"], OCTOBER) == state
    assert branch_scorecard_state(db, october["N1"], parse_period("2026-Q4")) != state
    assert branch_scorecard_state(db, october["N2"], OCTOBER) != state
    # another branch's audit leaves N1's own numbers, but not its rank: S2's 100 goes first
    publish(db, october, "S2", "2026-10-05T10:00:00+01:00", "yes", "yes", "yes")
    assert branch_scorecard(db, october["N1"], OCTOBER, "#000")["rank"] == 2
    moved = branch_scorecard_state(db, october["N1"], OCTOBER)
    assert moved != state
    org_store.update_branch(db, october["N1"], name="Northgate Mall")
    assert branch_scorecard_state(db, october["N1"], OCTOBER) != moved


def test_employee_scorecard_state_follows_the_name_and_the_data(db, october):
    state = employee_scorecard_state(db, october["ann"], OCTOBER)
    assert employee_scorecard_state(db, october["ann"], OCTOBER) == state
    org_store.update_employee(db, october["ann"], "Ann Lee-Park", True)
    renamed = employee_scorecard_state(db, october["ann"], OCTOBER)
    assert renamed != state
    publish(db, october, "N1", "2026-10-25T10:00:00+01:00", "no", "no", "yes", "ann")
    assert employee_scorecard_state(db, october["ann"], OCTOBER) != renamed
