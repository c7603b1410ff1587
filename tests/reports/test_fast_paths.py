"""The reports' fast paths (indexes, the rollup kept on publish, the bulk demo loader) give the
scoring engine's numbers on random data."""

import json
import random
import tempfile
from collections import defaultdict
from datetime import date
from fractions import Fraction

from hypothesis import example, given, settings
from hypothesis import strategies as st

from app import create_app
from audits import store as audits_store
from audits.seed import BranchPlan, publish_in_bulk
from checklists import spec
from checklists.scoring import display_percent, score
from checklists.store import list_checklists, load_checklist, save_checklist
from db import connect, migrate
from org import store as org_store
from reports import dashboard, store
from reports import standards as standards_report
from reports.comparison import league_table
from reports.periods import parse_period
from standards import store as standards_store
from tests.conftest import file_audit, make_company, publish

ANSWER = st.sampled_from(["yes", "no", "na"])
VISIT = st.tuples(
    st.sampled_from(["N1", "N2", "S1"]),
    st.sampled_from(["2026-09", "2026-10", "2026-11"]),
    st.integers(1, 28),
    ANSWER,
    ANSWER,
    ANSWER,
    st.sampled_from([None, "ann", "bob"]),
    st.sampled_from([None, "yes", "no"]),  # an upheld appeal or a correction of "smile"
)


def _fresh_db():
    folder = tempfile.TemporaryDirectory()
    app = create_app({"TESTING": True, "DATABASE": f"{folder.name}/fast.db", "SECRET_KEY": "test"})
    return folder, app, connect(app.config["DATABASE"])


def engine_scores(db) -> list[dict]:
    """Every published audit rescored by the engine from its stored document."""
    out = []
    for row in db.query("select * from audits where status = 'published'"):
        checklist = load_checklist(db, row["checklist_id"], row["checklist_version"])
        out.append({**row, "result": score(checklist, json.loads(row["document"])["answers"])})
    return out


def engine_rollup(audits: list[dict]) -> dict:
    """What report_rollup must hold, worked out from the engine's results: per branch, and under
    branch_id 0 for the whole company."""
    expected: dict[tuple, list] = defaultdict(lambda: [0, Fraction(0), 0])
    for audit in audits:
        base = (audit["period_month"], audit["checklist_id"])
        for branch_id in (audit["branch_id"], 0):
            tail = (branch_id, audit["checklist_version"])
            for item in audit["result"].items.values():
                if item.status == "scored":
                    entry = expected[("item", *base, item.item_id, *tail)]
                    entry[0] += 1
                    entry[2] += int(item.fraction < 1)
            for section_id, section in audit["result"].sections.items():
                if section.percent is not None:
                    entry = expected[("section", *base, section_id, *tail)]
                    entry[0] += 1
                    entry[1] += section.percent
    return {key: (n, float(total), missed) for key, (n, total, missed) in expected.items()}


def engine_item_rollup(audits: list[dict]) -> dict:
    """What item_rollup must hold: times each item was scored with each fraction, and the audits,
    per branch and under branch_id 0 for the whole company."""
    expected: dict[tuple, int] = defaultdict(int)
    for audit in audits:
        base = (audit["period_month"], audit["checklist_id"])
        for branch_id in (audit["branch_id"], 0):
            expected[(*base, "", audit["checklist_version"], "", branch_id)] += 1
            for item in audit["result"].items.values():
                if item.status == "scored":
                    fraction = f"{item.fraction.numerator}/{item.fraction.denominator}"
                    expected[(*base, item.item_id, audit["checklist_version"], fraction, branch_id)] += 1
    return dict(expected)


def engine_branch_rollup(audits: list[dict]) -> dict:
    """What branch_rollup must hold per month, branch and checklist (and '', every checklist): audits,
    scored, the sum and sum of squares of their percents, passes and critical failures."""
    expected: dict[tuple, list] = defaultdict(lambda: [0, 0, Fraction(0), Fraction(0), 0, 0])
    for audit in audits:
        result = audit["result"]
        for checklist_id in (audit["checklist_id"], ""):  # '': every checklist together
            entry = expected[(audit["period_month"], audit["branch_id"], checklist_id)]
            entry[0] += 1
            if result.percent is not None:
                entry[1] += 1
                entry[2] += result.percent
                entry[3] += result.percent**2
                entry[4] += int(result.passed)
            entry[5] += int(result.critical_failure)
    return {key: tuple(entry) for key, entry in expected.items()}


def engine_employee_rollup(audits: list[dict]) -> dict:
    """What employee_rollup must hold: per month, employee and lone-staff branch, the audits naming
    them, the scored ones, and the sum and sum of squares of the engine's pooled percent of the
    sections that name them."""
    expected: dict[tuple, list] = defaultdict(lambda: [0, 0, Fraction(0), Fraction(0)])
    for audit in audits:
        named = defaultdict(list)
        for section_id, employee_id in json.loads(audit["document"])["employees"].items():
            named[employee_id].append(audit["result"].sections[section_id])
        lone = audit["branch_id"] if audit["staff_on_duty"] == 1 else 0
        for employee_id, sections in named.items():
            possible = sum((s.possible for s in sections), Fraction(0))
            entry = expected[(audit["period_month"], employee_id, lone)]
            entry[0] += 1
            if possible:
                percent = 100 * sum((s.earned for s in sections), Fraction(0)) / possible
                entry[1:] = entry[1] + 1, entry[2] + percent, entry[3] + percent * percent
    return {
        key: (n, scored, float(total), float(squares))
        for key, (n, scored, total, squares) in expected.items()
    }


def stored_rollup(db) -> dict:
    return {
        tuple(row[:6]): tuple(row[6:])
        for row in db.execute("select * from report_rollup where n != 0 or missed != 0")
    }


def assert_rollup_is_the_engines(db, audits):
    expected, stored = engine_rollup(audits), stored_rollup(db)
    assert stored.keys() == expected.keys()
    for key, (n, total, missed) in expected.items():
        assert stored[key][0] == n and stored[key][2] == missed, key
        assert abs(stored[key][1] - total) < 1e-9, key
    items = {tuple(row[:6]): row[6] for row in db.execute("select * from item_rollup where n != 0")}
    assert items == engine_item_rollup(audits)
    stored = {tuple(row[:3]): row[3:] for row in db.execute("select * from branch_rollup where audits != 0")}
    expected = engine_branch_rollup(audits)
    assert stored.keys() == expected.keys()
    for key, (count, scored, total, squares, passed, critical) in expected.items():
        assert stored[key][:2] + stored[key][4:] == (count, scored, passed, critical), key
        assert abs(stored[key][2] - total) < 1e-9 and abs(stored[key][3] - squares) < 1e-6, key
    employees = {
        tuple(row[:3]): tuple(row[3:])
        for row in db.execute("select * from employee_rollup where audits != 0")
    }
    expected_employees = engine_employee_rollup(audits)
    assert employees.keys() == expected_employees.keys()
    for key, (n, scored, total, squares) in expected_employees.items():
        assert employees[key][:2] == (n, scored), key
        assert abs(employees[key][2] - total) < 1e-9 and abs(employees[key][3] - squares) < 1e-6, key


def _mean(values):
    return sum(values, Fraction(0)) / len(values) if values else None


@settings(max_examples=15, deadline=None)
@given(st.lists(VISIT, min_size=1, max_size=10))
def test_reports_equal_the_engine_on_random_audits(visits):
    folder, _app, db = _fresh_db()
    with folder:
        company = make_company(db)
        # Catalogue codes equal to two of the mini checklist's standards, so its items check them
        # (stored directly: the API would refuse a code with a space).
        for code in ("Smile", "Offer a receipt"):
            standards_store.create_standard(db, {"code": code, "title": code, "text": code, "category": "C"})
        for branch, month, day, hello, smile, receipt, employee, corrected in visits:
            audit_id = publish(
                db, company, branch, f"{month}-{day:02d}T10:00:00+00:00", hello, smile, receipt, employee
            )
            if corrected:
                audit = audits_store.get_audit(db, audit_id)
                audits_store.replace_answer(db, audit, "smile", {"value": corrected})
        audits = engine_scores(db)
        assert_rollup_is_the_engines(db, audits)
        branches = org_store.list_branches(db)
        for key in ("2026-10", "2026-Q4", "2026"):
            period = parse_period(key)
            mine = [a for a in audits if a["period_month"] in period.months]
            by_branch = defaultdict(list)
            for audit in mine:
                by_branch[audit["branch_id"]].append(audit["result"])
            table = {r["branch_id"]: r for r in league_table(db, period, branches)}
            heat = {
                r["branch_id"]: r["cells"] for r in dashboard.heat_map(db, period, branches, "mini")["rows"]
            }
            for branch in branches:
                results = by_branch.get(branch["branch_id"], [])
                expected = _mean([r.percent for r in results if r.percent is not None])
                assert table[branch["branch_id"]]["percent"] == display_percent(expected)
                assert table[branch["branch_id"]]["audits"] == len(results)
                cells = [
                    display_percent(
                        _mean([r.sections[s].percent for r in results if r.sections[s].percent is not None])
                    )
                    for s in ("greet", "pay")
                ]
                assert heat.get(branch["branch_id"], [None, None]) == cells
            missed = {
                m["item_id"]: (m["missed"], m["scored"], m["branches"]) for m in store.most_missed(db, period)
            }
            expected_missed = {}
            for item_id in ("hello", "smile", "receipt"):
                scored = [
                    (a["branch_id"], a["result"].items[item_id].fraction)
                    for a in mine
                    if a["result"].items[item_id].status == "scored"
                ]
                lost = {b for b, f in scored if f < 1}
                if lost:
                    count = sum(1 for _b, f in scored if f < 1)
                    expected_missed[item_id] = (count, len(scored), lost)
            assert missed == expected_missed
            compliance = {
                r["code"]: (r["audits"], r["percent"]) for r in standards_report.compliance(db, period)
            }
            expected_compliance = {}
            for code, item_id in (("Smile", "smile"), ("Offer a receipt", "receipt")):
                scored = [
                    a["result"].items[item_id] for a in mine if a["result"].items[item_id].status == "scored"
                ]
                possible = sum((i.possible for i in scored), Fraction(0))
                earned = sum((i.earned for i in scored), Fraction(0))
                expected_compliance[code] = (len(mine), 100 * earned / possible if possible else None)
            assert compliance == expected_compliance
            ranking = {
                r["name"]: (display_percent(r["percent"]), r["audits"])
                for r in store.employee_ranking(db, period, {b["branch_id"] for b in branches})
            }
            expected_ranking = {}
            for name, key in (("Ann Lee", "ann"), ("Bob Ray", "bob")):
                theirs = [
                    a["result"]
                    for a in mine
                    if json.loads(a["document"])["employees"].get("greet") == company[key]
                ]
                if theirs:
                    percents = [r.sections["greet"].percent for r in theirs]
                    expected_ranking[name] = (
                        display_percent(_mean([p for p in percents if p is not None])),
                        len(theirs),
                    )
            assert ranking == expected_ranking
        db.conn.close()


def test_the_bulk_loader_stores_the_engines_numbers():
    folder, app, db = _fresh_db()
    with folder:
        company = make_company(db)
        auditor = org_store.user_by_email(db, "shopper@example.com")
        plans = [
            BranchPlan(company["N1"], 0.9, [company["ann"], company["bob"]]),
            BranchPlan(company["S1"], 0.62, []),
        ]
        checklists = [load_checklist(db, c["checklist_id"]) for c in list_checklists(db)]
        months = [date(2026, 9, 1), date(2026, 10, 1)]
        count = publish_in_bulk(db, plans, months, 5, checklists, auditor["user_id"], random.Random(7))
        assert count == db["audits"].count == 20
        audits = engine_scores(db)
        for audit in audits:
            result = audit["result"]
            document = json.loads(audit["document"])
            assert audit["document"] == audits_store.canonical(document)
            assert (audit["percent"], audit["passed"]) == (display_percent(result.percent), result.passed)
            assert audit["period_month"] == document["visited_at"][:7]
            sections = {
                r["section_id"]: (r["earned"], r["possible"], r["employee_id"])
                for r in db.query("select * from audit_sections where audit_id = ?", [audit["audit_id"]])
            }
            assert sections == {
                s: (
                    f"{v.earned.numerator}/{v.earned.denominator}",
                    f"{v.possible.numerator}/{v.possible.denominator}",
                    document["employees"].get(s),
                )
                for s, v in result.sections.items()
            }
            if audit["branch_id"] == company["N1"]:
                assert document["employees"]["greet"] in (company["ann"], company["bob"])
            else:
                assert document["employees"] == {}
        assert_rollup_is_the_engines(db, audits)
        db.conn.close()


def test_the_upgrade_fills_the_rollups_from_the_published_audits():
    folder, _app, db = _fresh_db()
    with folder:
        company = make_company(db)
        publish(db, company, "N1", "2026-10-02T10:00:00+00:00", "yes", "no", "na", "ann")
        publish(db, company, "N1", "2026-10-05T10:00:00+00:00", "no", "no", "yes", "ann")
        publish(db, company, "N1", "2026-11-03T10:00:00+00:00", "na", "na", "yes", "bob")  # nothing scored
        publish(db, company, "S1", "2026-10-03T10:00:00+00:00", "no", "yes", "yes")
        publish(db, company, "N1", "2026-11-04T10:00:00+00:00", "yes", "yes", "no", "bob", status="submitted")
        # As a database from before m024, m026, m027 and m028: no item, branch or employee rollup and
        # no company rows, none of these migrations applied.
        db.execute("delete from report_rollup where branch_id = 0")
        for table in ("item_rollup", "branch_rollup", "employee_rollup"):
            db.execute(f"drop table {table}")
        names = ["m024_item_rollup", "m026_branch_rollup", "m027_company_rollup_rows", "m028_employee_rollup"]
        db.execute(f"delete from _sqlite_migrations where name in ({', '.join('?' for _ in names)})", names)
        assert migrate(db) == names
        assert_rollup_is_the_engines(db, engine_scores(db))
        assert db.execute("select count(*) from employee_rollup").fetchone()[0] == 2
        assert "percent_exact" not in db["audits"].columns_dict  # m025: one exact score
        db.conn.close()


def test_the_league_table_follows_every_publish_on_any_connection():
    folder, app, db = _fresh_db()
    with folder:
        company = make_company(db)
        october = parse_period("2026-10")
        branches = org_store.list_branches(db)
        publish(db, company, "N1", "2026-10-02T10:00:00+00:00", "yes", "yes", "yes")
        assert {r["code"]: r["percent"] for r in league_table(db, october, branches)}["N1"] == 100.0
        publish(db, company, "N1", "2026-10-03T10:00:00+00:00", "no", "no", "yes")  # this connection
        assert {r["code"]: r["percent"] for r in league_table(db, october, branches)}["N1"] == 75.0
        other = connect(app.config["DATABASE"])  # another connection (another worker) publishes
        publish(other, company, "S1", "2026-10-04T10:00:00+00:00", "yes", "yes", "yes")
        other.conn.close()
        assert {r["code"]: r["percent"] for r in league_table(db, october, branches)}["S1"] == 100.0
        db.conn.close()


# A checklist whose two sections may name employees: one named in both is scored on the points
# pooled over both (an item of weight 2 makes thirds).
DUO = """
id: duo
title: Duo visit
pass_mark: 75
sections:
  - id: greet
    title: Greeting
    about: employee
    items:
      - {id: hello, text: Said hello, type: yes_no, allow_na: true}
  - id: close
    title: Closing
    about: employee
    items:
      - {id: thanks, text: Said thanks, type: yes_no, allow_na: true}
      - {id: card, text: Offered a card, type: yes_no, weight: 2, allow_na: true}
"""
DUO_VISIT = st.tuples(
    st.just("visit"),
    st.sampled_from(["N1", "N2"]),
    st.sampled_from(["2026-09", "2026-10", "2026-11"]),
    st.integers(1, 28),
    st.tuples(ANSWER, ANSWER, ANSWER),
    st.tuples(st.sampled_from([None, 0, 1]), st.sampled_from([None, 0, 1])),  # staff index per section
    st.sampled_from([None, 1, 2]),  # staff on duty
    st.sampled_from([None, "yes", "no"]),  # an upheld appeal's new answer to "card", once published
)
CHANGE = st.one_of(
    st.tuples(
        st.sampled_from(["staff_informed", "protect_lone_staff"]),
        st.sampled_from(["N1", "N2"]),
        st.booleans(),
    ),
    st.tuples(
        st.just("move"), st.sampled_from(["ann", "bob", "cy", "dee"]), st.sampled_from(["N1", "N2", "S1"])
    ),
    st.tuples(st.just("purge"), st.sampled_from(["2026-10-01", "2026-10-15", "2026-11-01"]), st.just(None)),
)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.one_of(DUO_VISIT, CHANGE), min_size=1, max_size=14))
@example(  # pooled sections, lone staff, an appeal; then the flags change and an employee moves
    [
        ("visit", "N1", "2026-10", 3, ("yes", "no", "yes"), (0, 0), None, None),
        ("visit", "N1", "2026-10", 4, ("no", "yes", "na"), (0, 1), 1, "no"),
        ("visit", "N2", "2026-10", 20, ("yes", "yes", "no"), (1, None), 1, None),
        ("visit", "N2", "2026-11", 2, ("na", "yes", "yes"), (0, 0), 2, "yes"),
        ("protect_lone_staff", "N1", True),
        ("staff_informed", "N2", False),
        ("move", "bob", "N2"),
    ]
)
@example(  # a purge, visits after it, an employee moving back, protection given and taken back
    [
        ("visit", "N1", "2026-09", 28, ("no", "no", "yes"), (0, 1), 1, None),
        ("visit", "N1", "2026-10", 9, ("yes", "na", "na"), (1, 0), 1, "yes"),
        ("purge", "2026-10-01", None),
        ("move", "ann", "N2"),
        ("visit", "N2", "2026-10", 12, ("yes", "yes", "yes"), (0, 1), None, None),
        ("protect_lone_staff", "N1", True),
        ("move", "ann", "N1"),
        ("protect_lone_staff", "N1", False),
        ("staff_informed", "N1", False),
    ]
)
def test_the_employee_ranking_equals_the_engine_through_changes(steps):
    """Random visits naming one or two employees, upheld appeals, lone staff on duty, branches
    informing their staff or protecting lone staff (and ceasing to), employees moving branch and
    purges of employee links, in any order: the ranking read from the rollup is the engine's."""
    folder, _app, db = _fresh_db()
    with folder:
        company = make_company(db)
        save_checklist(db, spec.load(DUO, "yaml"))
        org_store.update_branch(db, company["N2"], staff_informed=True)
        company["cy"] = org_store.create_employee(db, company["N2"], "Cy Dow")
        company["dee"] = org_store.create_employee(db, company["N2"], "Dee Fox")
        answer = {"yes": {"value": "yes"}, "no": {"value": "no"}, "na": {"na": True}}
        for step in steps:
            if step[0] == "visit":
                _kind, branch, month, day, answers, named, on_duty, appeal = step
                staff = org_store.list_employees(db, company[branch])  # whoever works there now
                document = {
                    "checklist_id": "duo",
                    "checklist_version": 1,
                    "branch_id": company[branch],
                    "visited_at": f"{month}-{day:02d}T10:00:00+00:00",
                    "revision": 1,
                    "answers": {
                        k: answer[a] for k, a in zip(("hello", "thanks", "card"), answers, strict=True)
                    },
                    "employees": {
                        section: staff[index]["employee_id"]
                        for section, index in zip(("greet", "close"), named, strict=True)
                        if index is not None and index < len(staff)
                    },
                    **({"staff_on_duty": on_duty} if on_duty is not None else {}),
                }
                audit_id = file_audit(db, company, document)
                if appeal:
                    audit = audits_store.get_audit(db, audit_id)
                    audits_store.replace_answer(db, audit, "card", {"value": appeal})
            elif step[0] == "move":
                db["employees"].update(company[step[1]], {"branch_id": company[step[2]]})
            elif step[0] == "purge":
                audits_store.purge_employee_links(db, f"{step[1]}T00:00:00+00:00")
            else:
                org_store.update_branch(db, company[step[1]], **{step[0]: step[2]})
        audits = engine_scores(db)
        assert_rollup_is_the_engines(db, audits)
        branches = {b["branch_id"]: b for b in org_store.list_branches(db)}
        employees = {e["employee_id"]: e for e in db.query("select * from employees")}
        for key in ("2026-10", "2026-Q4"):
            period = parse_period(key)
            for scope in (set(branches), {company["N1"]}, {company["N2"], company["S1"]}):
                percents = defaultdict(list)
                for audit in audits:
                    branch = branches[audit["branch_id"]]
                    if audit["period_month"] not in period.months or (
                        audit["staff_on_duty"] == 1 and branch["protect_lone_staff"]
                    ):
                        continue
                    named = defaultdict(list)
                    for section_id, employee_id in json.loads(audit["document"])["employees"].items():
                        named[employee_id].append(audit["result"].sections[section_id])
                    for employee_id, sections in named.items():
                        home = branches[employees[employee_id]["branch_id"]]
                        if home["branch_id"] in scope and home["staff_informed"]:
                            possible = sum((s.possible for s in sections), Fraction(0))
                            earned = sum((s.earned for s in sections), Fraction(0))
                            percents[employee_id].append(100 * earned / possible if possible else None)
                expected = {}
                for employee_id, values in percents.items():
                    scored = [v for v in values if v is not None]
                    expected[employee_id] = (
                        employees[employee_id]["name"],
                        branches[employees[employee_id]["branch_id"]]["name"],
                        display_percent(_mean(scored)),
                        len(values),
                        len(scored),
                        float(sum(scored, Fraction(0))),
                        float(sum((v * v for v in scored), Fraction(0))),
                    )
                ranking = store.employee_ranking(db, period, scope)
                assert {r["employee_id"]: (r["name"], r["branch"]) for r in ranking} == {
                    k: v[:2] for k, v in expected.items()
                }
                for row in ranking:
                    name, branch, percent, count, scored, total, squares = expected[row["employee_id"]]
                    assert (display_percent(row["percent"]), row["audits"], row["scored"]) == (
                        percent,
                        count,
                        scored,
                    )
                    assert abs(row["total"] - total) < 1e-9 and abs(row["squares"] - squares) < 1e-6
                    assert row["branch_id"] == employees[row["employee_id"]]["branch_id"]
                # best first, ties by name
                order = [(r["percent"] is None, -(r["percent"] or 0), r["name"]) for r in ranking]
                assert order == sorted(order)
        db.conn.close()
