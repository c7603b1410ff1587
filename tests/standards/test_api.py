"""The standards catalogue API: create, list, change as versions, and bad input."""

import pytest

NEW = {"code": "GRE-1", "title": "Greet promptly", "text": "Greet within 30 seconds.", "category": "Greeting"}


@pytest.fixture
def admin(client, actions):
    actions.login_as("admin")
    return client


def test_create_list_and_read_a_standard(admin, db):
    response = admin.post("/api/v1/standards", json=NEW)
    assert response.status_code == 201
    assert response.get_json() == {"id": response.get_json()["id"], "code": "GRE-1"}
    listed = admin.get("/api/v1/standards").get_json()["standards"]
    assert [(s["code"], s["title"], s["text"], s["category"], s["version"]) for s in listed] == [
        ("GRE-1", "Greet promptly", "Greet within 30 seconds.", "Greeting", 1)
    ]
    assert admin.get("/api/v1/standards/GRE-1").get_json()["version"] == 1
    assert db["standard_versions"].count == 1


def test_a_change_is_a_new_version_and_old_versions_are_kept(admin, db):
    admin.post("/api/v1/standards", json=NEW)
    changed = admin.put("/api/v1/standards/GRE-1", json={"text": "Greet within 20 seconds."})
    assert changed.status_code == 200
    assert changed.get_json()["version"] == 2
    assert changed.get_json()["text"] == "Greet within 20 seconds."
    same = admin.put("/api/v1/standards/GRE-1", json={**NEW, "text": "Greet within 20 seconds."})
    assert same.get_json()["version"] == 2, "the same content makes no version"
    versions = admin.get("/api/v1/standards/GRE-1/versions").get_json()["versions"]
    assert [(v["version"], v["text"]) for v in versions] == [
        (2, "Greet within 20 seconds."),
        (1, "Greet within 30 seconds."),
    ]
    assert versions[0]["created_by"] == "admin@example.com"
    assert admin.get("/api/v1/standards").get_json()["standards"][0]["version"] == 2


def test_a_duplicate_code_is_409_and_nothing_is_stored(admin, db):
    admin.post("/api/v1/standards", json=NEW)
    response = admin.post("/api/v1/standards", json={**NEW, "title": "Other"})
    assert response.status_code == 409
    assert "code" in response.get_json()["fields"]
    assert db["standards"].count == 1
    assert db["standard_versions"].count == 1


@pytest.mark.parametrize(
    "body, path",
    [
        ({**NEW, "code": "GRE 1"}, "code"),
        ({**NEW, "code": "GRE/1"}, "code"),
        ({**NEW, "code": ""}, "code"),
        ({**NEW, "colour": "red"}, "colour"),
        ({k: v for k, v in NEW.items() if k != "title"}, "title"),
        ({**NEW, "text": "   "}, "text"),
        ({**NEW, "effective_date": "soon"}, "effective_date"),
    ],
)
def test_bad_fields_are_422_by_path(admin, db, body, path):
    response = admin.post("/api/v1/standards", json=body)
    assert response.status_code == 422
    assert path in response.get_json()["fields"]
    assert db["standards"].count == 0


def test_codes_may_hold_dots_and_underscores(admin):
    assert admin.post("/api/v1/standards", json={**NEW, "code": "Service_2.1"}).status_code == 201
    assert admin.get("/api/v1/standards/Service_2.1/versions").status_code == 200


def test_changing_bad_input_and_unknown_codes(admin, db):
    admin.post("/api/v1/standards", json=NEW)
    assert admin.put("/api/v1/standards/NOPE", json={"text": "x"}).status_code == 404
    assert admin.put("/api/v1/standards/GRE-1", json={"code": "GRE-2", "text": "x"}).status_code == 422
    assert admin.put("/api/v1/standards/GRE-1", json={"extra": 1}).status_code == 422
    assert admin.put("/api/v1/standards/GRE-1", json={}).status_code == 422
    assert admin.get("/api/v1/standards/NOPE/versions").status_code == 404
    assert db["standard_versions"].count == 1


def test_only_admins_change_the_catalogue(client, actions):
    actions.login_as("manager")
    assert client.post("/api/v1/standards", json=NEW).status_code == 403
    assert client.get("/api/v1/standards").status_code == 200
