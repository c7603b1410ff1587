"""The comparison of locations against numbers worked out by hand for a small company."""

import pytest

from audits import store as audits_store


@pytest.fixture
def head_office(actions):
    return actions.token("admin")


def test_comparison_rows_best_first_with_empty_branches_last(client, head_office, october):
    body = client.get("/api/v1/reports/comparison?period=2026-10", headers=head_office).get_json()
    rows = [(r["branch"], r["region"], r["audits"], r["percent"]) for r in body["rows"]]
    assert rows == [
        ("Northgate", "North", 2, 87.5),  # (100 + 75) / 2
        ("Newtown", "North", 1, 50.0),  # the 00:30 audit of 1 November is not October
        ("Southend", "South", 2, 0.0),  # critical cap; the N/A-only audit is left out of the mean
        ("Seaside", "South", 0, None),
    ]
    northgate = body["rows"][0]
    assert (northgate["rank"], northgate["previous_percent"], northgate["change"]) == (1, 0.0, 87.5)
    assert northgate["pass_rate"] == 100.0 and body["rows"][2]["critical_failures"] == 1
    assert body["rows"][3]["rank"] is None


def test_quarter_and_year_periods(client, head_office, october):
    quarter = client.get("/api/v1/reports/comparison?period=2026-Q4", headers=head_office).get_json()["rows"]
    assert [(r["branch"], r["audits"], r["percent"]) for r in quarter][:2] == [
        ("Northgate", 2, 87.5),
        ("Newtown", 2, 75.0),
    ]
    year = client.get("/api/v1/reports/comparison?period=2026", headers=head_office).get_json()["rows"]
    assert year[0]["branch"] == "Newtown" and year[1]["percent"] == 58.3  # Northgate: (100 + 75 + 0) / 3


def test_a_period_with_no_data_lists_every_branch_empty(client, head_office, october):
    rows = client.get("/api/v1/reports/comparison?period=2025-01", headers=head_office).get_json()["rows"]
    assert [(r["audits"], r["percent"]) for r in rows] == [(0, None)] * 4
    assert [r["branch"] for r in rows] == ["Newtown", "Northgate", "Seaside", "Southend"]


@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "garbage", ""])
def test_a_bad_period_is_400_with_a_message(client, head_office, period):
    response = client.get(f"/api/v1/reports/comparison?period={period}", headers=head_office)
    assert response.status_code == 400
    assert "YYYY-MM" in response.get_json()["error"]


def test_a_manager_compares_only_their_branches(client, actions, october):
    headers = actions.token("manager", branches=[october["N2"], october["S2"]])
    rows = client.get("/api/v1/reports/comparison?period=2026-10", headers=headers).get_json()["rows"]
    assert [r["branch"] for r in rows] == ["Newtown", "Seaside"]


def test_region_filter(client, head_office, october, db):
    south = db.execute("select region_id from regions where name = 'South'").fetchone()[0]
    rows = client.get(
        f"/api/v1/reports/comparison?period=2026-10&region={south}", headers=head_office
    ).get_json()["rows"]
    assert [r["branch"] for r in rows] == ["Southend", "Seaside"]


def test_auditors_do_not_compare_locations(client, actions):
    assert (
        client.get("/api/v1/reports/comparison?period=2026-10", headers=actions.token("auditor")).status_code
        == 403
    )


def test_regions_heat_map_trend_missed_and_employees_as_json(client, head_office, october):
    get = lambda path: client.get(f"/api/v1/reports/{path}", headers=head_office).get_json()  # noqa: E731
    regions = get("regions?period=2026-10")["regions"]
    assert [(r["region"], r["percent"], r["best"]["branch"], r["worst"]["branch"]) for r in regions] == [
        ("North", 68.8, "Northgate", "Newtown"),
        ("South", 0.0, "Southend", "Southend"),
    ]
    heat = get("heatmap?period=2026-10&checklist=mini")
    assert heat["sections"] == ["Greeting", "Paying"]
    assert {r["branch"]: r["cells"] for r in heat["rows"]} == {
        "Northgate": [75.0, 100.0],
        "Newtown": [0.0, 100.0],
        "Southend": [100.0, 0.0],
    }
    assert client.get("/api/v1/reports/heatmap?period=2026-10", headers=head_office).status_code == 400
    trend = get("trend?period=2026-10")["points"]
    assert (trend[-2]["period"], trend[-2]["percent"]) == ("2026-09", 0.0)
    assert (trend[-1]["period"], trend[-1]["percent"], trend[-1]["audits"]) == (
        "2026-10",
        45.8,
        5,
    )  # (87.5 + 50 + 0) / 3
    missed = get("missed?period=2026-10")["items"]
    assert [(m["item_id"], m["missed"], m["scored"]) for m in missed] == [
        ("smile", 2, 4),
        ("hello", 1, 4),
        ("receipt", 1, 4),
    ]
    employees = get("employees?period=2026-10")["employees"]
    assert [(e["name"], e["percent"], e["audits"]) for e in employees] == [
        ("Ann Lee", 100.0, 1),
        ("Bob Ray", 50.0, 1),
    ]


def test_a_lone_employee_on_duty_stays_out_of_comparisons_where_the_branch_asks(
    client, head_office, october, db
):
    from org import store as org_store

    ann_audit = db.execute(
        "select audit_id from audit_sections where employee_id = ? and section_id = 'greet'", [october["ann"]]
    ).fetchall()
    for (audit_id,) in ann_audit:  # changed as a published audit is: out of the rollups and back
        audits_store.update_rollups(db, "a.audit_id = ?", [audit_id], sign=-1)
        db["audits"].update(audit_id, {"staff_on_duty": 1})
        audits_store.update_rollups(db, "a.audit_id = ?", [audit_id])

    def ranking():
        body = client.get("/api/v1/reports/employees?period=2026-10", headers=head_office).get_json()
        return [e["name"] for e in body["employees"]]

    assert ranking() == ["Ann Lee", "Bob Ray"]  # the branch has not asked
    org_store.update_branch(db, october["N1"], protect_lone_staff=True)
    assert ranking() == ["Bob Ray"]
    # Her own scorecard still counts the visit.
    text = client.get(
        f"/reports/employees/{october['ann']}/scorecard.pdf?period=2026-10", headers=head_office
    ).data
    assert text.startswith(b"%PDF")
    from reports.periods import parse_period
    from reports.store import employee_percent

    assert employee_percent(db, parse_period("2026-10"), october["ann"])[1] == 1


def test_branches_carry_the_lone_staff_choice(client, head_office, db):
    response = client.post(
        "/api/v1/branches",
        json={"code": "P1", "name": "Protected", "region": "East", "protect_lone_staff": True},
        headers=head_office,
    )
    branch_id = response.get_json()["id"]
    listed = client.get(f"/api/v1/branches/{branch_id}", headers=head_office).get_json()
    assert listed["protect_lone_staff"] is True and listed["staff_informed"] is False
