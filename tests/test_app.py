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
