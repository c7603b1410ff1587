"""Accounts by mail: invitations and password resets end to end, and limits that hold across processes."""

import re
from datetime import UTC, datetime, timedelta

from app import create_app
from org import accounts, store
from tests.conftest import PASSWORD, body, csrf_token, deliver


def link_in(message) -> str:
    return re.search(r"https://vs\.example\.com(/password/\S+)", body(message)).group(1)


def set_password(client, path, password, confirm=None):
    return client.post(
        path,
        data={"password": password, "confirm": confirm or password, "csrf_token": csrf_token(client, path)},
    )


def test_an_invited_user_chooses_a_password_with_the_mailed_link_once(client, actions, db, app, smtp):
    branch = actions.branch()
    response = client.post(
        "/api/v1/users",
        json={"email": "Mia@Example.com", "name": "Mia", "role": "manager", "branches": ["LDN-01"]},
        headers=actions.token("admin"),
    )
    assert response.status_code == 201
    user = store.get_user(db, response.get_json()["id"])
    assert (user["email"], user["branch_ids"]) == ("mia@example.com", [branch])
    deliver(app, db)
    [invitation] = smtp.to("mia@example.com")
    assert invitation["Subject"] == "You are invited to Visitscore"
    assert "72 hours" in body(invitation)
    path = link_in(invitation)
    assert "Welcome to Visitscore" in client.get(path).get_data(as_text=True)
    assert set_password(client, path, "short").status_code == 400
    assert set_password(client, path, "a good long one", "another one").status_code == 400
    response = set_password(client, path, "a good long one")
    assert response.status_code == 302
    assert client.get("/api/v1/").get_json()["user"]["email"] == "mia@example.com"
    assert client.get(path).status_code == 410  # single use
    assert store.authenticate(db, "mia@example.com", "a good long one") is not None


def test_an_invitation_expires_after_72_hours(db, actions):
    user = actions.user("auditor")
    token = accounts.issue_token(
        db, user["user_id"], accounts.INVITATION, now=datetime.now(UTC) - timedelta(hours=73)
    )
    try:
        accounts.token_user(db, token)
    except Exception as exc:
        assert exc.status == 410
    else:
        raise AssertionError("an expired invitation still worked")
    fresh = accounts.issue_token(
        db, user["user_id"], accounts.INVITATION, now=datetime.now(UTC) - timedelta(hours=71)
    )
    assert accounts.token_user(db, fresh)[0]["user_id"] == user["user_id"]


def test_bad_invitations_are_422_and_store_nothing(client, actions, db):
    headers = actions.token("admin")
    actions.branch()
    for body_, field in (
        ({"email": "not-an-email", "role": "auditor"}, "email"),
        ({"email": "x@example.com", "role": "boss"}, "role"),
        ({"email": "x@example.com", "role": "manager"}, "branches"),
        ({"email": "x@example.com", "role": "manager", "branches": ["NOPE", 999]}, "branches[0]"),
        ({"email": "x@example.com", "role": "auditor", "branches": ["LDN-01"]}, "branches"),
    ):
        response = client.post("/api/v1/users", json=body_, headers=headers)
        assert response.status_code == 422, body_
        assert field in response.get_json()["fields"]
    assert (
        client.post(
            "/api/v1/users", json={"email": "admin@example.com", "role": "auditor"}, headers=headers
        ).status_code
        == 409
    )
    assert db["users"].count == 1 and db["mail_queue"].count == 0


def test_password_reset_end_to_end_with_the_same_answer_for_an_unknown_address(
    client, actions, db, app, smtp
):
    actions.user("auditor")
    ask = lambda email: client.post(  # noqa: E731
        "/password-reset", data={"email": email, "csrf_token": csrf_token(client, "/password-reset")}
    )
    known, unknown = ask("auditor@example.com"), ask("nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    deliver(app, db)
    assert smtp.to("nobody@example.com") == []
    [mail] = smtp.to("auditor@example.com")
    path = link_in(mail)
    assert set_password(client, path, "my new password").status_code == 302
    assert store.authenticate(db, "auditor@example.com", PASSWORD) is None
    assert store.authenticate(db, "auditor@example.com", "my new password") is not None
    assert client.get(path).status_code == 410


def test_a_new_reset_link_replaces_the_old_one(db, actions):
    user = actions.user("auditor")
    old = accounts.issue_token(db, user["user_id"], accounts.RESET)
    new = accounts.issue_token(db, user["user_id"], accounts.RESET)
    assert accounts.token_user(db, new)[0]["user_id"] == user["user_id"]
    try:
        accounts.use_token(db, old, "whatever long")
    except Exception as exc:
        assert exc.status == 410
    else:
        raise AssertionError("an older link still worked")


def test_login_failures_are_counted_across_worker_processes(app, actions, tmp_path):
    actions.user("auditor")
    # Two app instances on one database stand for two worker processes.
    other = create_app({"TESTING": True, "DATABASE": app.config["DATABASE"], "SECRET_KEY": "test"})
    clients = [app.test_client(), other.test_client()]
    statuses = []
    for attempt in range(11):
        client = clients[attempt % 2]
        form = {"email": "auditor@example.com", "password": "guess", "csrf_token": csrf_token(client)}
        statuses.append(client.post("/login", data=form).status_code)
    assert statuses == [400] * 10 + [429]
    right = {"email": "auditor@example.com", "password": PASSWORD, "csrf_token": csrf_token(clients[0])}
    assert clients[0].post("/login", data=right).status_code == 429


def test_reset_requests_are_limited_and_mail_at_most_three_links_an_hour(client, actions, db):
    actions.user("auditor")
    token = csrf_token(client, "/password-reset")
    statuses = [
        client.post("/password-reset", data={"email": "auditor@example.com", "csrf_token": token}).status_code
        for _ in range(11)
    ]
    assert statuses == [200] * 10 + [429]
    assert db["mail_queue"].count == 3


def test_a_script_may_set_the_password_without_the_confirmation(client, actions, db):
    user = actions.user("auditor")
    path = f"/password/{accounts.issue_token(db, user['user_id'], accounts.RESET)}"
    token = csrf_token(client, path)
    assert client.post(path, data={"password": "short", "csrf_token": token}).status_code == 400
    assert client.post(path, data={"password": "long enough now", "csrf_token": token}).status_code == 302
    assert store.authenticate(db, "auditor@example.com", "long enough now") is not None
