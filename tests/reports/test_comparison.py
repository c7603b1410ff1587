"""The comparison of locations against numbers worked out by hand for a small company."""

import pytest


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
