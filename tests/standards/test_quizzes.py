"""Quizzes through HTTP: create, invite, take the quiz from the single-use link, results."""

import re

import pytest

from tests.conftest import csrf_token
from tests.standards.conftest import QUIZ


@pytest.fixture
def quiz(client, actions, shop):
    actions.login_as("admin")
    assert client.post("/api/v1/quizzes", json=QUIZ).status_code == 201
    return shop


def invite(client, employee_id, quiz_id="basics"):
    return client.post(f"/api/v1/quizzes/{quiz_id}/invitations", json={"employee_id": employee_id})


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_an_employee_takes_the_quiz_once_from_a_link(app, client, db, quiz):
    response = invite(client, quiz["xena"])
    assert response.status_code == 201
    url = response.get_json()["url"]
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    assert db["quiz_invitations"].count == 1
    assert token not in str(list(db["quiz_invitations"].rows)), "only a hash of the token is stored"

    stranger = app.test_client()
    page = stranger.get(path_of(url))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('type="radio" name="q1"') == 2 and html.count('type="radio" name="q2"') == 3
    assert 'name="csrf_token"' in html
    assert "Xena Ward" in html
    assert "Greet and say goodbye" not in html, "the standard's title would give the answer away"
    token_value = csrf_token(stranger, path_of(url))
    missing = stranger.post(path_of(url), data={"csrf_token": token_value, "q1": "0"})
    assert missing.status_code == 422, "every question needs an answer"
    assert db["quiz_results"].count == 0
    done = stranger.post(path_of(url), data={"csrf_token": token_value, "q1": "0", "q2": "0", "q3": "0"})
    assert done.status_code == 200
    assert "2 of 3 correct" in done.get_data(as_text=True)
    assert stranger.get(path_of(url)).status_code == 410
    again = stranger.post(path_of(url), data={"csrf_token": token_value, "q1": "0", "q2": "1", "q3": "0"})
    assert again.status_code == 410
    assert db["quiz_results"].count == 1

    results = client.get(f"/api/v1/employees/{quiz['xena']}/quizzes").get_json()
    assert [(r["quiz_id"], r["percent"], r["passed"]) for r in results] == [("basics", 66.7, False)]
    assert results[0]["taken_at"]


def test_knowledge_percent_per_standard_in_the_period(app, client, db, quiz, actions):
    for employee, answers in ((quiz["xena"], ("0", "1", "1")), (quiz["yuri"], ("1", "1", "0"))):
        url = path_of(invite(client, employee).get_json()["url"])
        taker = app.test_client()
        q1, q2, q3 = answers
        form = {"csrf_token": csrf_token(taker, url), "q1": q1, "q2": q2, "q3": q3}
        assert taker.post(url, data=form).status_code == 200
    month = db.execute("select max(period_month) from quiz_results").fetchone()[0]
    rows = client.get(f"/api/v1/reports/standards?period={month}").get_json()["rows"]
    # S1: 1 of 2 right, S2: 2 of 2, S3: 1 of 2; no audits, so every percent is null
    assert {r["code"]: r["knowledge_percent"] for r in rows} == {"S1": 50.0, "S2": 100.0, "S3": 50.0}
    actions.login_as("manager", branches=[quiz["X"]])
    rows = client.get(f"/api/v1/reports/standards?period={month}").get_json()["rows"]
    assert {r["code"]: r["knowledge_percent"] for r in rows} == {"S1": 100.0, "S2": 100.0, "S3": 0.0}
    assert client.get(f"/api/v1/employees/{quiz['yuri']}/quizzes").status_code == 404


def test_an_uninformed_branch_gets_no_invitation(client, db, quiz):
    response = invite(client, quiz["zoe"])
    assert response.status_code == 409
    assert "informed" in response.get_json()["error"]
    assert db["quiz_invitations"].count == 0
    assert client.get(f"/api/v1/employees/{quiz['zoe']}/quizzes").get_json() == []


def test_an_expired_link_says_so(app, client, db, quiz):
    url = path_of(invite(client, quiz["xena"]).get_json()["url"])
    db.execute("update quiz_invitations set expires_at = '2020-01-01T00:00:00+00:00'")
    response = app.test_client().get(url)
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    assert app.test_client().get("/quiz/not-a-real-token").status_code == 404


def test_invitations_expire_after_14_days(client, db, quiz):
    invite(client, quiz["xena"])
    row = next(db["quiz_invitations"].rows)
    from datetime import datetime

    days = datetime.fromisoformat(row["expires_at"]) - datetime.fromisoformat(row["created_at"])
    assert days.days == 14


def test_a_manager_invites_only_their_staff(client, actions, quiz):
    actions.login_as("manager", branches=[quiz["X"]])
    assert invite(client, quiz["yuri"]).status_code == 404
    assert invite(client, quiz["xena"]).status_code == 201
    assert invite(client, quiz["xena"], "nope").status_code == 404


@pytest.mark.parametrize(
    "change, path",
    [
        ({"id": "bad id"}, "id"),
        ({"pass_mark": 120}, "pass_mark"),
        ({"questions": []}, "questions"),
        ({"extra": True}, "extra"),
        ({"questions": [{**QUIZ["questions"][0], "standard": "NOPE"}]}, "questions[0].standard"),
        ({"questions": [{**QUIZ["questions"][0], "correct": 2}]}, "questions[0].correct"),
        ({"questions": [{**QUIZ["questions"][0], "options": ["only one"]}]}, "questions[0].options"),
        ({"questions": [QUIZ["questions"][0], QUIZ["questions"][0]]}, "questions[1].id"),
    ],
)
def test_bad_quizzes_are_422_by_path(client, db, quiz, change, path):
    response = client.post("/api/v1/quizzes", json={**QUIZ, "id": "other", **change})
    assert response.status_code == 422, response.get_json()
    assert path in response.get_json()["fields"]
    assert db["quizzes"].count == 1


def test_a_duplicate_quiz_is_409(client, quiz):
    assert client.post("/api/v1/quizzes", json=QUIZ).status_code == 409
    changed = client.put("/api/v1/quizzes/basics", json={**QUIZ, "title": "Basics 2"})
    assert changed.status_code == 200 and changed.get_json()["title"] == "Basics 2"
