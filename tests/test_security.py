"""Issue 12, trust: each test here failed on the code before the fix it checks."""

import pytest

from org import store
from tests.conftest import csrf_header, csrf_token, publish

# 1. The shopper stays anonymous whatever role their user holds later


def test_the_trail_hides_the_shopper_from_the_branch_after_a_role_change(client, actions, db, company):
    audit_id = publish(db, company, "N1", "2026-10-05T10:00:00+00:00", "yes", "yes", "yes")
    shopper = company["auditor"]
    store.update_user(db, shopper["user_id"], "Sam Shopper", "reviewer", True, [])
    actions.login_as("manager", branches=[company["N1"]])
    trail = client.get(f"/api/v1/audits/{audit_id}/trail").get_json()["trail"]
    submitted = next(t for t in trail if t["action"] == "submitted")
    assert submitted["who"] == "Auditor"
    page = client.get(f"/audits/{audit_id}").get_data(as_text=True)
    assert "Sam Shopper" not in page and "shopper@example.com" not in page
    pdf = client.get(f"/audits/{audit_id}/report.pdf")
    assert pdf.status_code == 200 and b"Sam Shopper" not in pdf.data


# 13. Auditors get on the API the trail they see on the page


def test_an_auditor_reads_the_trail_of_their_own_audit_on_the_api_too(client, actions, db, company):
    audit_id = publish(db, company, "N1", "2026-10-05T10:00:00+00:00", "yes", "yes", "yes")
    headers = {"Authorization": f"Bearer {store.create_token(db, company['auditor']['user_id'])}"}
    response = client.get(f"/api/v1/audits/{audit_id}/trail", headers=headers)
    assert response.status_code == 200
    assert [t["action"] for t in response.get_json()["trail"]] == ["submitted", "approved"]
    other = actions.token("auditor", "other@example.com")
    assert client.get(f"/api/v1/audits/{audit_id}/trail", headers=other).status_code == 404


# 6. CSRF on every cookie-authenticated unsafe request; bearer tokens exempt


def test_a_body_less_api_post_with_only_the_cookie_changes_nothing(client, actions, db, company):
    audit_id = publish(db, company, "N1", "2026-10-05T10:00:00+00:00", "yes", "yes", "yes")
    actions.login_as("manager", branches=[company["N1"]], scripts=False)
    refused = client.post(f"/api/v1/audits/{audit_id}/acknowledge")
    assert refused.status_code == 400 and "CSRF" in refused.get_json()["error"]
    assert db["audits"].get(audit_id)["acknowledged_at"] is None
    accepted = client.post(f"/api/v1/audits/{audit_id}/acknowledge", headers=csrf_header(client))
    assert accepted.status_code == 200
    assert db["audits"].get(audit_id)["acknowledged_at"] is not None


def test_bearer_requests_need_no_csrf_token(client, actions, db, company):
    audit_id = publish(db, company, "N1", "2026-10-05T10:00:00+00:00", "yes", "yes", "yes")
    headers = actions.token("manager", branches=[company["N1"]])
    assert client.post(f"/api/v1/audits/{audit_id}/acknowledge", headers=headers).status_code == 200


def test_the_page_carries_the_csrf_token_for_scripts(client, actions):
    actions.login_as("auditor")
    header = csrf_header(client)
    assert header["X-CSRFToken"]


# 8. Sessions end on logout and password change; tokens expire and are revoked


def test_logout_ends_the_session_even_for_a_copied_cookie(app, client, actions):
    actions.login_as("auditor")
    cookie = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert thief.get("/").status_code == 302


def test_a_password_change_ends_other_sessions_but_keeps_this_one(app, client, actions, db):
    admin = actions.login_as("admin")
    other = app.test_client()
    Other = type(actions)(other, db)
    Other.login_as("admin")
    path = f"/users/{admin['user_id']}/edit"
    form = {"name": "Admin", "role": "admin", "active": "y", "password": "a new password 1"}
    response = client.post(path, data={**form, "csrf_token": csrf_token(client, path)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302


def test_end_sessions_ends_every_session_of_the_user(app, client, actions, db):
    user = actions.login_as("reviewer")
    store.end_sessions(db, user["user_id"])
    assert client.get("/").status_code == 302


def test_tokens_expire_record_their_use_and_can_be_revoked(client, actions, db):
    user = actions.user("reviewer")
    token = store.create_token(db, user["user_id"], days=30)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/branches", headers=headers).status_code == 200
    [row] = store.list_tokens(db, user["user_id"])
    assert row["last_used_at"] is not None and row["expires_at"] > row["created_at"]
    db.execute("update api_tokens set expires_at = '2000-01-01T00:00:00+00:00'")
    assert client.get("/api/v1/branches", headers=headers).status_code == 401
    fresh = store.create_token(db, user["user_id"])
    actions.login_as("reviewer")
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "expired" in page and "no expiry" in page
    token_id = store.list_tokens(db, user["user_id"])[0]["token_id"]
    path = f"/account/tokens/{token_id}/revoke"
    assert client.post(path, data={"csrf_token": csrf_token(client, "/account/tokens")}).status_code == 302
    assert client.get("/api/v1/branches", headers={"Authorization": f"Bearer {fresh}"}).status_code == 401


def test_a_user_cannot_revoke_someone_elses_token(client, actions, db):
    owner = actions.user("admin")
    store.create_token(db, owner["user_id"])
    token_id = store.list_tokens(db, owner["user_id"])[0]["token_id"]
    actions.login_as("auditor")
    response = client.post(
        f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(client, "/account/tokens")}
    )
    assert response.status_code == 404
    assert len(store.list_tokens(db, owner["user_id"])) == 1


def test_the_tokens_page_creates_a_token_shown_once(client, actions, db):
    user = actions.login_as("manager")
    response = client.post(
        "/account/tokens", data={"days": "7", "csrf_token": csrf_token(client, "/account/tokens")}
    )
    assert response.status_code == 200
    token = __import__("re").search(r"data-new-token>([^<]+)<", response.get_data(as_text=True)).group(1)
    assert store.user_for_token(db, token)["user_id"] == user["user_id"]


def test_revoke_token_cli(runner, actions, db):
    user = actions.user("admin")
    token = store.create_token(db, user["user_id"])
    result = runner.invoke(args=["revoke-token", "admin@example.com"])
    assert result.exit_code == 0 and "Revoked 1 token(s)" in result.output
    assert store.user_for_token(db, token) is None
    result = runner.invoke(args=["revoke-token", "admin@example.com", "--id", "99"])
    assert result.exit_code == 1 and "no token 99" in result.output


def test_create_token_cli_with_expiry(runner, actions, db):
    user = actions.user("admin")
    result = runner.invoke(args=["create-token", "admin@example.com", "--days", "10"])
    assert result.exit_code == 0
    assert store.user_for_token(db, result.output.strip().splitlines()[-1])["user_id"] == user["user_id"]
    assert store.list_tokens(db, user["user_id"])[0]["expires_at"] is not None


# 3. Switching staff_informed off hides employee names everywhere a manager looks


def _pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_switching_staff_informed_off_hides_names_on_page_api_and_cached_pdfs(client, actions, db, company):
    audit_id = publish(db, company, "N1", "2026-10-05T10:00:00+00:00", "yes", "no", "yes", "ann")
    headers = actions.token("manager", branches=[company["N1"]])
    assert "Ann Lee" in _pdf_text(client.get(f"/audits/{audit_id}/report.pdf", headers=headers).data)
    assert db["pdf_cache"].count == 1
    store.update_branch(db, company["N1"], staff_informed=False)
    assert db["pdf_cache"].count == 0
    body = client.get(f"/api/v1/audits/{audit_id}", headers=headers).get_json()
    assert body["sections"]["greet"]["employee_id"] is None
    assert body["employees"] == {} and body["document"]["employees"] == {}
    assert "Ann Lee" not in _pdf_text(client.get(f"/audits/{audit_id}/report.pdf", headers=headers).data)
    actions.login_as("manager", branches=[company["N1"]])
    assert "Ann Lee" not in client.get(f"/audits/{audit_id}").get_data(as_text=True)
    assert client.get(f"/reports/employees/{company['ann']}/scorecard.pdf?period=2026-10").status_code == 404


# 4. Auditors see the staff of a branch only when a visit there needs it


def test_an_auditor_lists_staff_only_of_informed_branches_they_visit(client, actions, db, company):
    from audits import store as audits_store

    headers = actions.token("auditor", "visitor@example.com")
    visitor = store.user_by_email(db, "visitor@example.com")
    url = f"/api/v1/branches/{company['N1']}/employees"
    assert client.get(url, headers=headers).status_code == 404
    audits_store.create_assignment(db, company["N1"], "mini", visitor["user_id"], "", "2026-10-31", "", 1)
    names = [e["name"] for e in client.get(url, headers=headers).get_json()["employees"]]
    assert names == ["Ann Lee", "Bob Ray"]
    store.update_branch(db, company["N1"], staff_informed=False)
    assert client.get(url, headers=headers).status_code == 404
    store.create_employee(db, company["N2"], "Nia Newtown")
    audits_store.create_assignment(db, company["N2"], "mini", visitor["user_id"], "", "2026-10-31", "", 1)
    assert client.get(f"/api/v1/branches/{company['N2']}/employees", headers=headers).status_code == 404
    assert client.get(url, headers=actions.token("reviewer")).status_code == 200


# 5. The PDF cache: purged with employee data, bounded, and no implausible periods


def test_purge_employee_data_drops_cached_pdfs_that_name_them(client, runner, actions, db, company):
    audit_id = publish(db, company, "N1", "2020-05-03T10:00:00+01:00", "yes", "no", "yes", "ann")
    headers = actions.token("admin")
    assert "Ann Lee" in _pdf_text(client.get(f"/audits/{audit_id}/report.pdf", headers=headers).data)
    assert db["pdf_cache"].count == 1
    assert runner.invoke(args=["purge-employee-data", "--months", "24"]).exit_code == 0
    assert db["pdf_cache"].count == 0
    assert "Ann Lee" not in _pdf_text(client.get(f"/audits/{audit_id}/report.pdf", headers=headers).data)


@pytest.mark.parametrize("period", ["1000-01", "1999-12", "1999-Q4", "1999", "9999", "3000-01"])
def test_implausible_periods_are_422_and_never_cached(client, actions, db, company, period):
    headers = actions.token("admin")
    for url in (
        f"/reports/branches/{company['N1']}/scorecard.pdf?period={period}",
        f"/api/v1/reports/comparison?period={period}",
        f"/reports/comparison.csv?period={period}",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 422, url
    assert db["pdf_cache"].count == 0


def test_the_pdf_cache_is_bounded_by_size_and_age(app, client, actions, db, company):
    headers = actions.token("admin")
    db["pdf_cache"].insert({"cache_key": "old", "pdf": b"x", "created_at": "2020-01-01T00:00:00+00:00"})
    app.config["PDF_CACHE_MAX_MB"] = 0
    client.get(f"/reports/branches/{company['N1']}/scorecard.pdf?period=2026-10", headers=headers)
    assert db["pdf_cache"].count == 0  # the old entry aged out; the new one exceeds a 0 MB budget
    app.config["PDF_CACHE_MAX_MB"] = 200
    client.get(f"/reports/branches/{company['N1']}/scorecard.pdf?period=2026-10", headers=headers)
    client.get(f"/reports/branches/{company['N2']}/scorecard.pdf?period=2026-10", headers=headers)
    assert db["pdf_cache"].count == 2


# 13. Private files, a Secure cookie over HTTPS, and check-security


def _mode(path) -> int:
    import os
    import stat

    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_database_its_wal_and_backups_are_private(app, runner, db, tmp_path):
    import os

    old = os.umask(0o022)
    try:
        db["probe"].insert({"x": 1})
        for suffix in ("", "-wal", "-shm"):
            assert _mode(app.config["DATABASE"] + suffix) == 0o600, suffix
        result = runner.invoke(args=["backup", str(tmp_path / "copy.db")])
        assert result.exit_code == 0, result.output
        assert _mode(tmp_path / "copy.db") == 0o600
        (tmp_path / "existing.db").write_bytes(b"")
        os.chmod(tmp_path / "existing.db", 0o644)
        assert runner.invoke(args=["backup", str(tmp_path / "existing.db")]).exit_code == 0
        assert _mode(tmp_path / "existing.db") == 0o600
    finally:
        os.umask(old)


def test_the_session_cookie_is_secure_over_https_and_configurable(app, actions):
    from tests.conftest import PASSWORD

    actions.user("auditor")

    def login_cookie(base_url):
        client = app.test_client()
        page = client.get("/login", base_url=base_url).get_data(as_text=True)
        token = __import__("re").search(r'name="csrf_token"[^>]*? value="([^"]+)"', page).group(1)
        form = {"email": "auditor@example.com", "password": PASSWORD, "csrf_token": token}
        response = client.post(
            "/login", data=form, base_url=base_url, headers={"Referer": base_url + "/login"}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))

    assert "Secure" in login_cookie("https://visits.example.com")
    assert "Secure" not in login_cookie("http://visits.lan")
    app.config["SESSION_COOKIE_SECURE"] = True
    assert "Secure" in login_cookie("http://visits.lan")


def test_check_security_reports_weak_keys_and_open_files(app, runner, db, tmp_path):
    import os

    backup = tmp_path / "backup.db"
    backup.write_bytes(b"")
    os.chmod(backup, 0o644)
    result = runner.invoke(args=["check-security", str(backup)])
    assert result.exit_code == 1
    assert "FAIL  The secret key is weak (4 characters)" in result.output
    assert f"FAIL  The file {backup} has mode 0644" in result.output
    assert f"ok    The database {app.config['DATABASE']} has mode 0600" in result.output
    assert "ok    The session cookie is Secure on every HTTPS request" in result.output
    os.chmod(backup, 0o600)
    app.config["SECRET_KEY"] = "9f2c1e7a4b8d0f3e6a5c9b2d7e1f4a8c0b3d6e9f2a5c8b1d4e7f0a3c6b9d2e5f"
    result = runner.invoke(args=["check-security", str(backup)])
    assert result.exit_code == 0 and "Every check passed." in result.output
    app.config["SESSION_COOKIE_SECURE"] = False
    assert "FAIL  VISITSCORE_SESSION_COOKIE_SECURE is false" in runner.invoke(args=["check-security"]).output


def test_the_csrf_rule_holds_for_any_blueprint_even_one_marked_exempt(tmp_path):
    from flask import Blueprint

    from app import create_app, csrf
    from db import connect
    from tests.conftest import Actions

    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "bp.db"), "SECRET_KEY": "test"})
    later = Blueprint("later_api", __name__, url_prefix="/api/v1/later")
    later.post("/things")(lambda: ({"ok": True}, 201))
    csrf.exempt(later)
    app.register_blueprint(later)
    client = app.test_client()
    db = connect(app.config["DATABASE"])
    actions = Actions(client, db)
    actions.login_as("admin", scripts=False)
    assert client.post("/api/v1/later/things", json={}).status_code == 400
    assert client.post("/api/v1/later/things", json={}, headers=csrf_header(client)).status_code == 201
    assert client.post("/api/v1/later/things", json={}, headers=actions.token("admin")).status_code == 201
    db.conn.close()
