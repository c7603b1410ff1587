from datetime import UTC, datetime
from fractions import Fraction

import pytest

from org import store as org_store
from surveys import store
from surveys.nps import ResponseError, Tally, category, parse_response, tally

OCTOBER = datetime(2026, 10, 5, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "score, kind",
    [(0, "detractor"), (6, "detractor"), (7, "passive"), (8, "passive"), (9, "promoter"), (10, "promoter")],
)
def test_categories(score, kind):
    assert category(score) == kind


def test_tally_and_exact_nps():
    counted = tally([10, 9, 9, 8, 7, 6, 3])
    assert counted == Tally(7, 3, 2, 2)
    assert counted.nps == Fraction(100, 7)
    assert Tally().nps is None


@pytest.mark.parametrize(
    "score, comment, expected",
    [("0", "", (0, "")), ("10", "  great  ", (10, "great")), (" 7 ", None, (7, ""))],
)
def test_parse_accepts_whole_numbers_0_to_10(score, comment, expected):
    assert parse_response(score, comment) == expected


@pytest.mark.parametrize("score", ["11", "-1", "7.5", "ten", "", None, "1e1", "0x5"])
def test_parse_refuses_anything_else(score):
    with pytest.raises(ResponseError) as caught:
        parse_response(score, "")
    assert "score" in caught.value.fields


def add(db, branch_id, scores, at=OCTOBER):
    for i, score in enumerate(scores):
        assert store.add_response(db, branch_id, score, "", f"sender-{branch_id}-{i}", at)


def test_nps_report_on_a_hand_computed_example(client, db, actions):
    a = actions.branch("A1", "Alpha", "North")
    b = actions.branch("B1", "Beta", "North")
    c = actions.branch("C1", "Gamma", "South")
    # Alpha: 3 promoters, 2 passives, 2 detractors of 7 -> 100 * 1 / 7 = 14.2857... -> 14.3
    add(db, a, [10, 9, 9, 8, 7, 6, 3])
    # Beta: 21 promoters, 39 passives, 20 detractors of 80 -> 100 * 1 / 80 = 1.25 -> 1.3 (half up)
    add(db, b, [9] * 21 + [8] * 39 + [0] * 20)
    # Gamma: no responses in October; one in November does not count.
    add(db, c, [10], at=datetime(2026, 11, 1, 0, 30, tzinfo=UTC))
    response = client.get("/api/v1/reports/nps?period=2026-10", headers=actions.token("admin"))
    assert response.status_code == 200
    rows = response.json["rows"]
    assert [(r["branch"], r["nps"]) for r in rows] == [("Alpha", 14.3), ("Beta", 1.3), ("Gamma", None)]
    counts = [(r["branch_id"], r["responses"], r["promoters"], r["passives"], r["detractors"]) for r in rows]
    assert counts == [(a, 7, 3, 2, 2), (b, 80, 21, 39, 20), (c, 0, 0, 0, 0)]
    assert rows[2] == {
        "branch_id": c,
        "branch": "Gamma",
        "code": "C1",
        "responses": 0,
        "promoters": 0,
        "passives": 0,
        "detractors": 0,
        "nps": None,
    }
    quarter = client.get("/api/v1/reports/nps?period=2026-Q4", headers=actions.token("admin")).json["rows"]
    assert [(r["branch"], r["responses"]) for r in quarter] == [("Gamma", 1), ("Alpha", 7), ("Beta", 80)]
    assert quarter[0]["nps"] == 100.0


def test_a_negative_nps_and_a_managers_scope(client, db, actions):
    mine = actions.branch("M1", "Mine", "North")
    other = actions.branch("O1", "Other", "North")
    add(db, mine, [0, 0, 10])  # 100 * (1 - 2) / 3 = -33.33... -> -33.3
    add(db, other, [10])
    headers = actions.token("manager", branches=[mine])
    rows = client.get("/api/v1/reports/nps?period=2026-10", headers=headers).json["rows"]
    assert [(r["branch"], r["nps"]) for r in rows] == [("Mine", -33.3)]


def test_bad_period_is_400(client, actions):
    response = client.get("/api/v1/reports/nps?period=October", headers=actions.token("admin"))
    assert response.status_code == 400
    assert "period" in response.json["fields"]


def test_survey_token_is_kept_and_unguessable(db):
    branch_id = org_store.create_branch(db, "T1", "Token", "North")
    token = store.survey_token(db, branch_id)
    assert store.survey_token(db, branch_id) == token
    assert len(token) >= 22  # 128 random bits in URL-safe base64
    assert store.branch_id_of_token(db, token) == branch_id
    assert store.branch_id_of_token(db, token + "x") is None
