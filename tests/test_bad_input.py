"""Hostile and broken input answers a clear 4xx, never a 500, and stores nothing (issue 12, item 10).

schemathesis (tests/test_api_fuzz.py) generates requests from the schemas; these are the cases it
does not reach: bodies that break the parser, text that is not text, headers and files made to hurt."""

import io

import pytest
from PIL import Image

from tests.audits.conftest import AUDIT_ID
from tests.conftest import PASSWORD, csrf_token

NESTED = b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
LONG_NUMBER = b'{"code": "X1", "name": "Long", "region": "North", "staff_informed": ' + b"9" * 5000 + b"}"
SURROGATE = b'{"code": "X1", "name": "Bad \\ud800 name", "region": "North"}'


@pytest.mark.parametrize(
    ("url", "method", "body"),
    [
        ("/api/v1/branches", "POST", NESTED),
        ("/api/v1/branches", "POST", LONG_NUMBER),
        ("/api/v1/branches", "POST", SURROGATE),
        (f"/api/v1/audits/{AUDIT_ID}", "PUT", NESTED),
        ("/api/v1/checklists", "POST", NESTED),
        ("/api/v1/checklists", "POST", b'{"id": "x", "title": "\\udfff", "sections": []}'),
    ],
)
def test_bodies_that_break_the_parser_are_400(client, actions, db, url, method, body):
    headers = {**actions.token("admin"), "Content-Type": "application/json"}
    response = client.open(url, method=method, data=body, headers=headers)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"]
    assert db["branches"].count == 0 and db["checklists"].count == 0


def test_a_lone_surrogate_in_yaml_is_400(client, actions, db):
    headers = {**actions.token("admin"), "Content-Type": "application/yaml"}
    response = client.post(
        "/api/v1/checklists", data=b'id: x\ntitle: "\\ud800"\nsections: []\n', headers=headers
    )
    assert response.status_code in (400, 422)
    assert db["checklists"].count == 0


@pytest.mark.parametrize(
    "url", ["/api/v1/branches/99999999999999999999", "/api/v1/branches/99999999999999999999/employees"]
)
def test_huge_ids_in_the_path_are_422(client, actions, url):
    response = client.get(url, headers=actions.token("admin"))
    assert response.status_code == 422


@pytest.mark.parametrize(
    "target", ["/\r\nSet-Cookie: x=1", "/ok\rLocation: http://evil.example", "/\\evil.example", "/\n/evil"]
)
def test_crlf_in_next_after_login_goes_home(client, actions, target):
    actions.user("auditor")
    form = {"email": "auditor@example.com", "password": PASSWORD, "csrf_token": csrf_token(client)}
    response = client.post("/login", query_string={"next": target}, data=form)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "x=1" not in response.headers.get("Set-Cookie", "")


def test_a_decompression_bomb_logo_is_422(client, actions, db):
    actions.login_as("admin")
    bomb = io.BytesIO()
    Image.new("1", (40_000, 40_000)).save(bomb, "PNG")  # 1.6 gigapixels in a few kilobytes
    form = {
        "company": "Bomb Ltd",
        "colour": "#0b5d54",
        "logo": (io.BytesIO(bomb.getvalue()), "logo.png", "image/png"),
        "csrf_token": csrf_token(client, "/settings"),
    }
    response = client.post("/settings", data=form, content_type="multipart/form-data")
    assert response.status_code in (400, 422)
    assert "too large" in response.get_data(as_text=True)
    assert db.execute("select count(*) from settings where key = 'logo'").fetchone()[0] == 0
