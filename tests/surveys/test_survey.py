import re

import pytest

from app import create_app
from surveys import store


def csrf(client, url):
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def survey_url(client, actions, branch_id):
    response = client.get(f"/api/v1/branches/{branch_id}/survey", headers=actions.token("admin"))
    assert response.status_code == 200
    url = response.json["url"]
    assert url.startswith("http://localhost/survey/")
    return url.removeprefix("http://localhost")


def answer(client, url, score, comment="", headers=None, **extra):
    data = {"score": score, "comment": comment, "csrf_token": csrf(client, url), **extra}
    return client.post(url, data=data, headers=headers or {})


def count(db, branch_id):
    return db["survey_responses"].count_where("branch_id = ?", [branch_id])


def test_the_page_asks_and_thanks_without_an_account(client, db, actions):
    branch_id = actions.branch()
    url = survey_url(client, actions, branch_id)
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "How likely are you to recommend us" in html
    assert html.count('type="radio" name="score"') == 11
    assert 'name="website"' in html  # the honeypot
    assert len(page.data) < 20_000
    response = answer(client, url, "9", "Quick & <b>kind</b>")
    assert response.status_code == 200
    assert "Thank you" in response.get_data(as_text=True)
    rows = list(db.query("select score, comment, address_key from survey_responses"))
    assert [(r["score"], r["comment"]) for r in rows] == [(9, "Quick & <b>kind</b>")]
    assert rows[0]["address_key"] != "127.0.0.1"  # never the address itself


@pytest.mark.parametrize("score", ["11", "-1", "abc", "", "7.5"])
def test_a_bad_score_is_422_and_stores_nothing(client, db, actions, score):
    branch_id = actions.branch()
    url = survey_url(client, actions, branch_id)
    response = answer(client, url, score)
    assert response.status_code == 422
    assert "0 to 10" in response.get_data(as_text=True)
    assert count(db, branch_id) == 0


def test_without_the_csrf_token_nothing_is_stored(client, db, actions):
    branch_id = actions.branch()
    url = survey_url(client, actions, branch_id)
    assert client.post(url, data={"score": "9"}).status_code == 400
    assert count(db, branch_id) == 0


def test_the_honeypot_thanks_a_bot_and_keeps_nothing(client, db, actions):
    branch_id = actions.branch()
    url = survey_url(client, actions, branch_id)
    response = answer(client, url, "10", website="http://spam.example")
    assert response.status_code == 200
    assert "Thank you" in response.get_data(as_text=True)
    assert count(db, branch_id) == 0


def test_an_unknown_survey_is_404(client):
    assert client.get("/survey/not-a-token").status_code == 404


def test_ten_an_hour_from_one_address_per_branch(client, db, actions):
    first, second = actions.branch("A1", "Alpha", "North"), actions.branch("B1", "Beta", "North")
    url, other_url = survey_url(client, actions, first), survey_url(client, actions, second)
    for _ in range(10):
        assert answer(client, url, "8").status_code == 200
    refused = answer(client, url, "8")
    assert refused.status_code == 429
    assert "did not keep" in refused.get_data(as_text=True)
    assert count(db, first) == 10
    # Another branch from the same address is another count.
    assert answer(client, other_url, "8").status_code == 200
    # Without trusted proxies X-Forwarded-For is ignored: a forged header does not get around the limit.
    assert answer(client, url, "8", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 429
    assert count(db, first) == 10


def test_behind_a_trusted_proxy_the_client_address_counts(tmp_path):
    app = create_app(
        {"TESTING": True, "DATABASE": str(tmp_path / "p.db"), "SECRET_KEY": "t", "PROXY_HOPS": 1}
    )
    from db import connect
    from tests.conftest import Actions

    db = connect(app.config["DATABASE"])
    client = app.test_client()
    actions = Actions(client, db)
    branch_id = actions.branch()
    url = survey_url(client, actions, branch_id)
    # One proxy: its X-Forwarded-For's last entry is the client; anything before it is the client's word.
    for _ in range(10):
        assert (
            answer(client, url, "9", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.5"}).status_code
            == 200
        )
    assert (
        answer(client, url, "9", headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.5"}).status_code == 429
    )
    assert answer(client, url, "9", headers={"X-Forwarded-For": "203.0.113.6"}).status_code == 200
    assert count(db, branch_id) == 11
    db.conn.close()


def test_sender_keys_are_cleared_after_the_hour(db, actions):
    from datetime import UTC, datetime, timedelta

    branch_id = actions.branch()
    start = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
    for minute in range(10):
        assert store.add_response(db, branch_id, 9, "", "k", start + timedelta(minutes=minute))
    assert not store.add_response(db, branch_id, 9, "", "k", start + timedelta(minutes=30))
    assert store.add_response(db, branch_id, 9, "", "k", start + timedelta(minutes=61))
    keys = [
        r["address_key"] for r in db.query("select address_key from survey_responses order by response_id")
    ]
    # At 10:01 only the 09:00 response left the window: its key is gone, the others still count.
    assert keys == [None] + ["k"] * 10


def test_the_link_is_in_scope_for_managers_only_of_their_branch(client, actions):
    mine, other = actions.branch("M1", "Mine", "North"), actions.branch("O1", "Other", "North")
    headers = actions.token("manager", branches=[mine])
    assert client.get(f"/api/v1/branches/{mine}/survey", headers=headers).status_code == 200
    assert client.get(f"/api/v1/branches/{other}/survey", headers=headers).status_code == 404
    assert client.get(f"/api/v1/branches/{mine}/survey", headers=actions.token("auditor")).status_code == 403
