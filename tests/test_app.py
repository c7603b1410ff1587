import os

from app import create_app


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_and_nothing_from_outside(client, actions):
    actions.login_as("admin")
    for path in ("/login", "/", "/branches", "/users", "/regions"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>" not in page and " onclick=" not in page
        assert "http://" not in page and "https://" not in page, path


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("VISITSCORE_SECRET_KEY", raising=False)
    config = {"DATABASE": str(tmp_path / "a.db")}
    first = create_app(config)
    key_file = os.path.join(first.instance_path, "secret_key")
    assert first.config["SECRET_KEY"]
    assert create_app(config).config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert oct(os.stat(key_file).st_mode & 0o777) == "0o600"


def test_configuration_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "from-env.db"
    monkeypatch.setenv("VISITSCORE_DATABASE", str(path))
    monkeypatch.setenv("VISITSCORE_SECRET_KEY", "from-env")
    app = create_app()
    assert app.config["DATABASE"] == str(path)
    assert app.config["SECRET_KEY"] == "from-env"
    assert path.exists()


def test_unknown_page_is_html_404_and_unknown_api_is_json_404(client):
    page = client.get("/no/such/page")
    assert page.status_code == 404 and page.mimetype == "text/html"
    api = client.get("/api/v1/no/such")
    assert api.status_code == 404 and api.get_json()["error"]


def test_wrong_method_is_405_not_500(client):
    response = client.delete("/api/v1/branches")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_refuses_to_start_without_a_key_it_can_keep(tmp_path, monkeypatch):
    import pytest

    from app import StartupError

    monkeypatch.delenv("VISITSCORE_SECRET_KEY", raising=False)
    monkeypatch.setattr(os, "access", lambda path, mode: False if str(path).endswith("instance") else True)
    monkeypatch.setattr(
        os.path,
        "exists",
        lambda path: (
            False if str(path).endswith("secret_key") else os.path.isdir(path) or os.path.isfile(path)
        ),
    )
    with pytest.raises(StartupError, match="VISITSCORE_SECRET_KEY is not set"):
        create_app({"DATABASE": str(tmp_path / "a.db")})


def test_clear_messages_for_a_missing_or_read_only_database(tmp_path):
    import pytest

    from app import StartupError

    with pytest.raises(StartupError, match="folder of the database .* does not exist"):
        create_app({"DATABASE": str(tmp_path / "nowhere" / "a.db"), "SECRET_KEY": "x"})
    path = tmp_path / "ro.db"
    create_app({"DATABASE": str(path), "SECRET_KEY": "x"})
    path.chmod(0o444)
    try:
        if os.access(path, os.W_OK):  # root can write anyway; the check is about what the OS says
            pytest.skip("running as root: a read-only file is still writable")
        with pytest.raises(StartupError, match="is read-only"):
            create_app({"DATABASE": str(path), "SECRET_KEY": "x"})
    finally:
        path.chmod(0o644)


def test_a_backup_restores_to_a_working_app(app, runner, db, tmp_path):
    from org import store

    store.create_branch(db, "B1", "Kept branch", "North")
    backup = tmp_path / "backup.db"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    restored = create_app({"DATABASE": str(backup), "SECRET_KEY": "x"})
    headers = {
        "Authorization": "Bearer "
        + store.create_token(db, store.create_user(db, "r@example.com", "admin", "password-1"))
    }
    # The token was made after the backup: it is not in the restored copy, as a restore should be.
    assert restored.test_client().get("/api/v1/branches", headers=headers).status_code == 401
    from db import connect

    copy = connect(str(backup))
    assert [b["name"] for b in store.list_branches(copy)] == ["Kept branch"]
