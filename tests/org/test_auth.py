import pytest

from tests.conftest import PASSWORD, csrf_token


def test_login_lands_on_the_home_page_of_the_role(client, actions):
    actions.user("auditor")
    response = client.post(
        "/login",
        data={"email": "AUDITOR@example.com ", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "My visits" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "heading"),
    [
        ("admin", "Head office"),
        ("reviewer", "Quality review"),
        ("auditor", "My visits"),
        ("manager", "My branches"),
    ],
)
def test_each_role_has_its_home(client, actions, role, heading):
    actions.login_as(role)
    assert f"<h1>{heading}</h1>" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("email", "password"),
    [("auditor@example.com", "wrong password"), ("nobody@example.com", PASSWORD), ("", ""), ("a@b.c", "")],
)
def test_bad_login_says_so_and_sets_no_session(client, actions, email, password):
    actions.user("auditor")
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_unknown_user_and_wrong_password_get_the_same_message(client, actions):
    actions.user("auditor")
    pages = [
        client.post(
            "/login", data={"email": email, "password": "nope-nope", "csrf_token": csrf_token(client)}
        ).get_data(as_text=True)
        for email in ("auditor@example.com", "ghost@example.com")
    ]
    assert all("Email or password is wrong." in page for page in pages)


def test_login_needs_the_csrf_token(client, actions):
    actions.user("auditor")
    response = client.post("/login", data={"email": "auditor@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_inactive_user_cannot_log_in(client, actions, db):
    user = actions.user("auditor")
    db["users"].update(user["user_id"], {"active": 0})
    response = client.post(
        "/login",
        data={"email": "auditor@example.com", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 400


def test_login_follows_next_only_within_the_site(client, actions):
    actions.user("admin")
    token = csrf_token(client)
    form = {"email": "admin@example.com", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login?next=/branches", data=form).headers["Location"] == "/branches"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    form["csrf_token"] = csrf_token(client)
    response = client.post("/login?next=https://evil.example/", data=form)
    assert response.headers["Location"] == "/"


def test_logout_ends_the_session(client, actions):
    actions.login_as("manager")
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.headers["Location"] == "/login"
    assert client.get("/").headers["Location"].startswith("/login")


def test_failed_logins_are_rate_limited(client, actions):
    actions.user("auditor")
    token = csrf_token(client)
    statuses = [
        client.post(
            "/login", data={"email": "auditor@example.com", "password": "guess", "csrf_token": token}
        ).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    right = {"email": "auditor@example.com", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=right).status_code == 429


def test_successful_logins_are_not_counted_against_the_limit(client, actions):
    actions.user("auditor")
    for _ in range(12):
        token = csrf_token(client)
        form = {"email": "auditor@example.com", "password": PASSWORD, "csrf_token": token}
        assert client.post("/login", data=form).status_code == 302


def test_bearer_token_authenticates_api_calls(client, actions, db):
    headers = actions.token("reviewer")
    body = client.get("/api/v1/", headers=headers).get_json()
    assert body["user"]["email"] == "reviewer@example.com"
    stored = db.execute("select token_hash from api_tokens").fetchone()[0]
    assert headers["Authorization"].split()[1] not in stored


def test_a_wrong_bearer_token_is_401(client):
    response = client.get("/api/v1/branches", headers={"Authorization": "Bearer vs_nope"})
    assert response.status_code == 401
    assert "error" in response.get_json()


def test_session_cookie_is_httponly_and_samesite(client, actions):
    actions.user("auditor")
    response = client.post(
        "/login",
        data={"email": "auditor@example.com", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_passwords_are_stored_hashed(actions, db):
    actions.user("auditor")
    stored = db.execute("select password_hash from users").fetchone()[0]
    assert PASSWORD not in stored
    assert stored.startswith(("scrypt:", "pbkdf2:"))
