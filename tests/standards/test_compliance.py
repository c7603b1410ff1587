"""GET /api/v1/reports/standards against a hand-computed example.

Points possible per item = item weight × section weight: a1 2, a2 1, b1 2, b2 2 (S1 = a1 + b1, S2 = a2 + b2).

October, published:
  1. X: a1 yes (2/2), a2 no (0/1), b1 N/A (out), b2 Half (1/2)    -> S1 2/2,  S2 1/3
  2. X: a1 no (0/2),  a2 yes (1/1), b1 yes (2/2), b2 Half (1/2)  -> S1 2/4,  S2 2/3
  3. Y: a1 yes (2/2), a2 no (0/1),  b1 no (0/2),  b2 None (0/2)  -> S1 2/4,  S2 0/3
Not counted: a submitted (unpublished) audit of X with everything failed, and a November audit.

Everyone: S1 6/10 = 60.0, S2 3/9 = 33.3 (33.33..), S3 no item -> null.
Manager of X: S1 4/6 = 66.7 (66.66..), S2 3/6 = 50.0.
"""

import pytest

from tests.standards.conftest import audit

URL = "/api/v1/reports/standards?period=2026-10"


@pytest.fixture
def october(db, shop):
    audit(
        db,
        shop,
        shop["X"],
        "2026-10-05T10:00:00+02:00",
        {"a1": "yes", "a2": "no", "a3": 3, "b1": "na", "b2": "Half"},
    )
    audit(
        db,
        shop,
        shop["X"],
        "2026-10-10T10:00:00+02:00",
        {"a1": "no", "a2": "yes", "a3": 5, "b1": "yes", "b2": "Half"},
    )
    audit(
        db,
        shop,
        shop["Y"],
        "2026-10-12T10:00:00+02:00",
        {"a1": "yes", "a2": "no", "a3": 1, "b1": "no", "b2": "None"},
    )
    audit(
        db,
        shop,
        shop["X"],
        "2026-10-20T10:00:00+02:00",
        {"a1": "no", "a2": "no", "a3": 1, "b1": "no", "b2": "None"},
        status="submitted",
    )
    audit(
        db,
        shop,
        shop["X"],
        "2026-11-02T10:00:00+01:00",
        {"a1": "no", "a2": "no", "a3": 1, "b1": "no", "b2": "None"},
    )
    return shop


def rows(response):
    assert response.status_code == 200, response.get_json()
    return [
        (r["code"], r["audits"], r["percent"], r["knowledge_percent"]) for r in response.get_json()["rows"]
    ]


def test_compliance_pools_points_over_linked_items_weakest_first(client, actions, october):
    actions.login_as("admin")
    assert rows(client.get(URL)) == [("S2", 3, 33.3, None), ("S1", 3, 60.0, None), ("S3", 0, None, None)]
    first = client.get(URL).get_json()["rows"][0]
    assert set(first) >= {"code", "title", "audits", "percent", "knowledge_percent"}
    assert first["title"] == "Ask and offer"


def test_a_manager_sees_only_their_branches(client, actions, october):
    actions.login_as("manager", branches=[october["X"]])
    assert rows(client.get(URL)) == [("S2", 2, 50.0, None), ("S1", 2, 66.7, None), ("S3", 0, None, None)]
    assert client.get(URL + f"&branch_id={october['Y']}").status_code == 404


def test_branch_id_narrows_to_one_branch(client, actions, october):
    actions.login_as("reviewer")
    assert rows(client.get(URL + f"&branch_id={october['Y']}")) == [
        ("S2", 1, 0.0, None),
        ("S1", 1, 50.0, None),
        ("S3", 0, None, None),
    ]
    assert client.get(URL + "&branch_id=9999").status_code == 404
    assert client.get(URL + "&branch_id=x").status_code == 400


def test_bad_period_and_roles(client, actions, october):
    actions.login_as("admin")
    response = client.get("/api/v1/reports/standards?period=October")
    assert response.status_code == 400
    assert "period" in response.get_json()["fields"]
    actions.login_as("auditor")
    assert client.get(URL).status_code == 403


def test_a_period_without_audits_lists_every_standard_with_nulls(client, actions, october):
    actions.login_as("admin")
    assert rows(client.get("/api/v1/reports/standards?period=2025")) == [
        ("S1", 0, None, None),
        ("S2", 0, None, None),
        ("S3", 0, None, None),
    ]
