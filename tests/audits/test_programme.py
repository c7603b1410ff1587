"""Running a programme: the assignments API, schedules, the planner's rotation and balance."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from audits import store as audits_store
from audits.planner import breaks_rotation, plan, schedule_periods
from checklists import spec
from checklists.store import save_checklist
from org import store
from tests.conftest import CHECKLIST, body, deliver

FUTURE = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()


@pytest.fixture
def programme(db, actions):
    """Six branches in North, one in South, three auditors, the mini checklist."""
    save_checklist(db, spec.load(CHECKLIST, "yaml"))
    branches = [store.create_branch(db, f"N{i}", f"North {i}", "North") for i in range(1, 7)]
    south = store.create_branch(db, "S1", "South 1", "South")
    auditors = [actions.user("auditor", f"shopper{i}@example.com") for i in range(1, 4)]
    return {"branches": branches, "south": south, "auditors": auditors}


def assignments(db):
    return db.execute(
        "select auditor_id, branch_id, due_by, period from assignments where cancelled_at is null"
    ).fetchall()


def test_three_auditors_six_branches_three_months_balanced_and_rotated(
    client, actions, db, programme, runner
):
    headers = actions.token("admin")
    response = client.post(
        "/api/v1/schedules",
        json={"checklist_id": "mini", "region": "North", "visits": 1, "every": "month", "rotation_days": 90},
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    for month in ("2030-01", "2030-02", "2030-03"):
        result = runner.invoke(args=["plan-visits", "--period", month])
        assert result.exit_code == 0, result.output
        assert f"6 visit(s) created for {month}" in result.output
    rows = assignments(db)
    assert len(rows) == 18
    per_month = Counter((period, auditor) for auditor, _branch, _due, period in rows)
    assert sorted(per_month.values()) == [2] * 9  # every auditor twice a month
    visits = {}
    for auditor, branch, due, _period in rows:
        visits.setdefault((auditor, branch), []).append(date.fromisoformat(due))
    for days in visits.values():
        days.sort()
        assert all((b - a).days >= 90 for a, b in zip(days, days[1:], strict=False))
    # Within 90 days every branch saw three different shoppers.
    for branch in programme["branches"]:
        assert len({a for a, b, _d, _p in rows if b == branch}) == 3
    assert all(branch != programme["south"] for _a, branch, _d, _p in rows)


def test_planning_twice_creates_nothing_and_the_dry_run_shows_the_plan_first(
    client, actions, db, programme, runner
):
    headers = actions.token("admin")
    client.post(
        "/api/v1/schedules",
        json={"checklist_id": "mini", "branch_ids": programme["branches"][:4], "visits": 2, "every": "month"},
        headers=headers,
    )
    dry = client.get("/api/v1/plan?period=2030-05", headers=headers).get_json()
    assert dry["dry_run"] is True and len(dry["visits"]) == 8
    assert db["assignments"].count == 0
    assert runner.invoke(args=["plan-visits", "--period", "2030-05", "--dry-run"]).output.endswith(
        "8 visit(s) would be created for 2030-05.\n"
    )
    assert db["assignments"].count == 0
    created = client.post("/api/v1/plan?period=2030-05", headers=headers).get_json()["visits"]
    assert [(v["branch_id"], v["auditor"]) for v in created] == [
        (v["branch_id"], v["auditor"]) for v in dry["visits"]
    ]
    again = runner.invoke(args=["plan-visits", "--period", "2030-05"])
    assert "0 visit(s) created for 2030-05" in again.output
    assert db["assignments"].count == 8
    # Two visits a branch: never the same shopper twice in the month.
    pairs = Counter((a, b) for a, b, _d, _p in assignments(db))
    assert max(pairs.values()) == 1
    assert all(due == "2030-05-31" for _a, _b, due, _p in assignments(db))


def test_a_quarterly_schedule_is_planned_once_a_quarter(client, actions, db, programme, runner):
    client.post(
        "/api/v1/schedules",
        json={"checklist_id": "mini", "branch_ids": [programme["south"]], "visits": 1, "every": "quarter"},
        headers=actions.token("admin"),
    )
    assert "0 visit(s)" in runner.invoke(args=["plan-visits", "--period", "2030-02"]).output
    assert "1 visit(s)" in runner.invoke(args=["plan-visits", "--period", "2030-04"]).output
    assert "0 visit(s)" in runner.invoke(args=["plan-visits", "--period", "2030-Q2"]).output
    assert db.execute("select period, due_from, due_by from assignments").fetchall() == [
        ("2030-Q2", "2030-04-01", "2030-06-30")
    ]


def test_plan_visits_refuses_a_bad_period(runner, programme):
    result = runner.invoke(args=["plan-visits", "--period", "2030-13"])
    assert result.exit_code != 0 and "is not a period" in result.output


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"checklist_id": "mini", "visits": 1, "every": "month"}, "branch_ids"),
        (
            {"checklist_id": "mini", "region": "North", "branch_ids": [1], "visits": 1, "every": "month"},
            "branch_ids",
        ),
        ({"checklist_id": "mini", "region": "Atlantis", "visits": 1, "every": "month"}, "region"),
        ({"checklist_id": "nope", "region": "North", "visits": 1, "every": "month"}, "checklist_id"),
        ({"checklist_id": "mini", "branch_ids": [999], "visits": 1, "every": "month"}, "branch_ids[0]"),
        ({"checklist_id": "mini", "region": "North", "visits": 0, "every": "month"}, "visits"),
        ({"checklist_id": "mini", "region": "North", "visits": 1, "every": "week"}, "every"),
    ],
)
def test_a_bad_schedule_is_422_naming_the_field(client, actions, db, programme, body, field):
    response = client.post("/api/v1/schedules", json=body, headers=actions.token("admin"))
    assert response.status_code == 422
    assert field in response.get_json()["fields"]
    assert db["schedules"].count == 0


def test_the_planner_keeps_the_rotation_even_when_greedy_choices_would_not():
    # After month 1 (a: 1,2; b: 3,4; c: 5,6) a greedy month 2 can leave branch 6 with nobody free.
    day1, day2 = date(2030, 1, 31), date(2030, 2, 28)
    history = {(a, b): [day1] for a, bs in {1: (1, 2), 2: (3, 4), 3: (5, 6)}.items() for b in bs}
    chosen = plan({b: 1 for b in range(1, 7)}, [1, 2, 3], history, day2, 90)
    assert Counter(a for picked in chosen.values() for a in picked) == {1: 2, 2: 2, 3: 2}
    assert all((picked[0], b) not in history for b, picked in chosen.items())


def test_with_nobody_free_the_rotation_gives_way_to_whoever_visited_longest_ago():
    history = {(1, 1): [date(2030, 1, 1)], (2, 1): [date(2030, 2, 1)]}
    assert plan({1: 1}, [1, 2], history, date(2030, 3, 1), 90) == {1: [1]}


def test_periods_of_a_schedule():
    assert [p.key for p in schedule_periods("month", "2030-Q1")] == ["2030-01", "2030-02", "2030-03"]
    assert [p.key for p in schedule_periods("quarter", "2030")] == [
        "2030-Q1",
        "2030-Q2",
        "2030-Q3",
        "2030-Q4",
    ]
    assert schedule_periods("month", "2030-02")[0].end == date(2030, 2, 28)


@pytest.mark.parametrize(
    ("visits", "day", "breaks"),
    [
        ([], date(2030, 3, 1), False),
        ([date(2030, 1, 1)], date(2030, 3, 31), True),  # 89 days later, within 90
        ([date(2030, 1, 1)], date(2030, 4, 1), False),  # 90 days later: free again
        ([date(2030, 1, 1)], date(2030, 1, 1), True),
        ([date(2030, 4, 1)], date(2030, 3, 1), True),  # a visit planned after the day counts too
        ([date(2029, 1, 1), date(2030, 2, 20)], date(2030, 3, 1), True),  # any visit, not only the last
    ],
)
def test_breaks_rotation_within_90_days_either_side(visits, day, breaks):
    assert breaks_rotation(visits, day, 90) is breaks


# The assignments API


def test_assign_list_by_status_and_the_auditor_is_mailed(client, actions, db, programme, smtp, app):
    headers = actions.token("reviewer")
    branch = programme["branches"][0]
    body_ = {"branch_id": branch, "checklist_id": "mini", "auditor": "shopper1@example.com", "due": FUTURE}
    response = client.post("/api/v1/assignments", json=body_, headers=headers)
    assert response.status_code == 201
    assignment_id = response.get_json()["id"]
    overdue = audits_store.create_assignment(
        db, programme["branches"][1], "mini", programme["auditors"][1]["user_id"], "", "2020-01-31", "", 1
    )
    listed = {
        status: [
            a["id"]
            for a in client.get(f"/api/v1/assignments?status={status}", headers=headers).get_json()[
                "assignments"
            ]
        ]
        for status in ("open", "overdue", "done")
    }
    assert listed == {"open": [overdue, assignment_id], "overdue": [overdue], "done": []}
    one = client.get(f"/api/v1/assignments/{assignment_id}", headers=headers).get_json()
    assert (one["auditor"], one["due"], one["status"]) == ("shopper1@example.com", FUTURE, "open")
    assert client.get("/api/v1/assignments?status=late", headers=headers).status_code == 400
    deliver(app, db)
    [mail] = smtp.to("shopper1@example.com")
    assert mail["Subject"] == f"Visit assigned: North 1 by {FUTURE}"
    assert f"https://vs.example.com/audits/{one['audit_id']}/form" in body(mail)


def test_an_auditor_lists_only_their_own_visits(client, actions, db, programme):
    for auditor in programme["auditors"][:2]:
        audits_store.create_assignment(
            db, programme["branches"][0], "mini", auditor["user_id"], "", FUTURE, "", 1
        )
    mine = client.get(
        "/api/v1/assignments", headers=actions.token("auditor", "shopper2@example.com")
    ).get_json()
    assert [a["auditor"] for a in mine["assignments"]] == ["shopper2@example.com"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"due": "2020-01-01"}, "due"),
        ({"auditor": "nobody@example.com"}, "auditor"),
        ({"auditor": "admin@example.com"}, "auditor"),
        ({"branch_id": 999}, "branch_id"),
        ({"checklist_id": "nope"}, "checklist_id"),
        ({"due": "soon"}, "due"),
    ],
)
def test_a_bad_assignment_is_422_and_stores_nothing(client, actions, db, programme, change, field):
    headers = actions.token("admin")
    body_ = {
        "branch_id": programme["branches"][0],
        "checklist_id": "mini",
        "auditor": "shopper1@example.com",
        "due": FUTURE,
    }
    response = client.post("/api/v1/assignments", json=body_ | change, headers=headers)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["fields"]
    assert db["assignments"].count == 0 and db["mail_queue"].count == 0


def test_an_assignment_breaking_the_rotation_is_409_unless_overridden(client, actions, db, programme):
    headers = actions.token("admin")
    branch = programme["branches"][0]
    body_ = {"branch_id": branch, "checklist_id": "mini", "auditor": "shopper1@example.com", "due": FUTURE}
    assert client.post("/api/v1/assignments", json=body_, headers=headers).status_code == 201
    later = (date.fromisoformat(FUTURE) + timedelta(days=60)).isoformat()
    response = client.post("/api/v1/assignments", json=body_ | {"due": later}, headers=headers)
    assert response.status_code == 409
    assert "rotation" in response.get_json()["error"]
    assert db["assignments"].count == 1
    much_later = (date.fromisoformat(FUTURE) + timedelta(days=90)).isoformat()
    assert (
        client.post("/api/v1/assignments", json=body_ | {"due": much_later}, headers=headers).status_code
        == 201
    )
    forced = client.post(
        "/api/v1/assignments", json=body_ | {"due": later, "override": True}, headers=headers
    )
    assert forced.status_code == 201
    other = client.post(
        "/api/v1/assignments", json=body_ | {"due": later, "auditor": "shopper2@example.com"}, headers=headers
    )
    assert other.status_code == 201


ALL_YES = {"hello": {"value": "yes"}, "smile": {"value": "yes"}, "receipt": {"value": "yes"}}


def mini_document(branch_id, answers):
    """A first revision of a visit to the branch on the "mini" checklist."""
    return {
        "checklist_id": "mini",
        "checklist_version": 1,
        "branch_id": branch_id,
        "visited_at": "2026-10-05T14:30:00+02:00",
        "revision": 1,
        "answers": answers,
        "employees": {},
    }


def save_draft(client, headers, audit_id, branch_id):
    document = mini_document(branch_id, {"hello": {"value": "yes"}})
    return client.put(f"/api/v1/audits/{audit_id}", json=document, headers=headers)


def test_reassigning_moves_the_saved_draft_to_the_new_auditor(client, actions, db, programme, smtp, app):
    office = actions.token("admin")
    branch = programme["branches"][0]
    first, second = (
        actions.token("auditor", "shopper1@example.com"),
        actions.token("auditor", "shopper2@example.com"),
    )
    assignment_id = client.post(
        "/api/v1/assignments",
        json={"branch_id": branch, "checklist_id": "mini", "auditor": "shopper1@example.com", "due": FUTURE},
        headers=office,
    ).get_json()["id"]
    audit_id = db.execute("select audit_id from assignments").fetchone()[0]
    assert save_draft(client, first, audit_id, branch).status_code == 201
    response = client.patch(
        f"/api/v1/assignments/{assignment_id}", json={"auditor": "shopper2@example.com"}, headers=office
    )
    assert response.status_code == 200
    assert response.get_json()["auditor"] == "shopper2@example.com"
    draft = client.get(f"/api/v1/audits/{audit_id}", headers=second)
    assert draft.status_code == 200 and draft.get_json()["answers"] == {"hello": {"value": "yes"}}
    assert client.get(f"/api/v1/audits/{audit_id}", headers=first).status_code == 404
    assert client.get("/api/v1/assignments", headers=first).get_json()["assignments"] == []
    deliver(app, db)
    assert [m["Subject"] for m in smtp.to("shopper2@example.com")] == [f"Visit assigned: North 1 by {FUTURE}"]
    past = client.patch(f"/api/v1/assignments/{assignment_id}", json={"due": "2020-01-01"}, headers=office)
    assert past.status_code == 422 and "due" in past.get_json()["fields"]


def test_cancel_then_nothing_changes_it_and_a_submitted_visit_cannot_be_cancelled(
    client, actions, db, programme
):
    office = actions.token("admin")
    branch = programme["branches"][0]
    body_ = {"branch_id": branch, "checklist_id": "mini", "auditor": "shopper1@example.com", "due": FUTURE}
    first = client.post("/api/v1/assignments", json=body_, headers=office).get_json()["id"]
    assert client.delete(f"/api/v1/assignments/{first}", headers=office).status_code == 204
    assert client.get("/api/v1/assignments", headers=office).get_json()["assignments"] == []
    assert (
        client.patch(f"/api/v1/assignments/{first}", json={"due": FUTURE}, headers=office).status_code == 409
    )
    assert client.get(f"/api/v1/assignments/{first}", headers=office).get_json()["status"] == "cancelled"
    second = client.post("/api/v1/assignments", json=body_ | {"override": True}, headers=office).get_json()[
        "id"
    ]
    audit_id = db.execute("select audit_id from assignments where assignment_id = ?", [second]).fetchone()[0]
    shopper = actions.token("auditor", "shopper1@example.com")
    document = mini_document(branch, ALL_YES)
    client.put(f"/api/v1/audits/{audit_id}", json=document, headers=shopper)
    assert client.post(f"/api/v1/audits/{audit_id}/submit", headers=shopper).status_code == 200
    assert client.delete(f"/api/v1/assignments/{second}", headers=office).status_code == 409
    assert (
        client.patch(
            f"/api/v1/assignments/{second}", json={"auditor": "shopper2@example.com"}, headers=office
        ).status_code
        == 409
    )
    done = client.get("/api/v1/assignments?status=done", headers=office).get_json()["assignments"]
    assert [a["id"] for a in done] == [second]
    assert client.delete("/api/v1/assignments/999", headers=office).status_code == 404


def test_a_visit_cancelled_under_a_draft_keeps_the_draft_but_cannot_be_submitted(
    client, actions, db, programme
):
    office = actions.token("admin")
    branch = programme["branches"][0]
    body_ = {"branch_id": branch, "checklist_id": "mini", "auditor": "shopper1@example.com", "due": FUTURE}
    assignment = client.post("/api/v1/assignments", json=body_, headers=office).get_json()["id"]
    audit_id = db.execute(
        "select audit_id from assignments where assignment_id = ?", [assignment]
    ).fetchone()[0]
    shopper = actions.token("auditor", "shopper1@example.com")
    document = mini_document(branch, ALL_YES)
    assert client.put(f"/api/v1/audits/{audit_id}", json=document, headers=shopper).status_code == 201
    assert client.delete(f"/api/v1/assignments/{assignment}", headers=office).status_code == 204
    refused = client.post(f"/api/v1/audits/{audit_id}/submit", headers=shopper)
    assert refused.status_code == 409 and "cancelled" in refused.get_json()["error"]
    kept = client.get(f"/api/v1/audits/{audit_id}", headers=shopper).get_json()
    assert kept["status"] == "draft" and kept["answers"]["smile"] == {"value": "yes"}
