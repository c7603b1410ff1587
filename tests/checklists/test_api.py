import json

import pytest

from checklists import store
from checklists.scoring import score
from tests.conftest import VALID

YAML = {"Content-Type": "application/yaml"}


@pytest.fixture
def admin(actions):
    return actions.token("admin")


def post_yaml(client, headers, text, media_type="application/yaml"):
    return client.post("/api/v1/checklists", data=text, headers={**headers, "Content-Type": media_type})


@pytest.mark.parametrize("media_type", ["application/yaml", "application/x-yaml", "text/yaml"])
def test_import_yaml(client, admin, db, media_type):
    response = post_yaml(client, admin, VALID, media_type)
    assert response.status_code == 201
    assert response.get_json() == {"id": "store-visit", "version": 1, "created": True}
    assert db["checklist_versions"].count == 1


def test_import_json_and_read_back(client, admin):
    document = json.loads(json.dumps(__import__("yaml").safe_load(VALID)))
    response = client.post("/api/v1/checklists", json=document, headers=admin)
    assert response.status_code == 201
    body = client.get("/api/v1/checklists/store-visit", headers=admin).get_json()
    assert body["id"] == "store-visit" and body["version"] == 1
    assert body["sections"][0]["items"][1]["bands"] == [
        {"max": 2, "score": 1},
        {"max": 5, "score": 0.5},
        {"score": 0},
    ]


def test_a_changed_checklist_is_a_new_version_and_the_same_content_is_none(client, admin, db):
    assert post_yaml(client, admin, VALID).get_json()["version"] == 1
    same = post_yaml(client, admin, VALID + "\n# a comment changes nothing\n")
    assert same.status_code == 200
    assert same.get_json() == {"id": "store-visit", "version": 1, "created": False}
    changed = post_yaml(client, admin, VALID.replace("pass_mark: 80", "pass_mark: 75"))
    assert changed.status_code == 201 and changed.get_json()["version"] == 2
    assert client.get("/api/v1/checklists/store-visit", headers=admin).get_json()["pass_mark"] == 75
    old = client.get("/api/v1/checklists/store-visit?version=1", headers=admin).get_json()
    assert old["pass_mark"] == 80 and old["version"] == 1
    versions = client.get("/api/v1/checklists/store-visit/versions", headers=admin).get_json()["versions"]
    assert [v["version"] for v in versions] == [2, 1]


def test_the_read_back_document_can_be_posted_again_unchanged(client, admin):
    post_yaml(client, admin, VALID)
    document = client.get("/api/v1/checklists/store-visit", headers=admin).get_json()
    again = client.post("/api/v1/checklists", json=document, headers=admin)
    assert again.get_json() == {"id": "store-visit", "version": 1, "created": False}


def test_an_edit_never_changes_a_stored_score(client, admin, db):
    post_yaml(client, admin, VALID)
    answers = {
        "greeted-30s": {"value": "yes"},
        "wait-minutes": {"value": 3.5},
        "friendliness": {"value": 4},
        "offer": {"value": "Not offered"},
    }
    before = score(store.load_checklist(db, "store-visit", 1), answers).percent
    post_yaml(client, admin, VALID.replace("weight: 2", "weight: 10"))
    assert score(store.load_checklist(db, "store-visit", 1), answers).percent == before == 65
    assert score(store.load_checklist(db, "store-visit"), answers).percent != before


def test_download_as_yaml(client, admin):
    post_yaml(client, admin, VALID)
    response = client.get("/api/v1/checklists/store-visit?format=yaml", headers=admin)
    assert response.mimetype == "application/yaml"
    assert 'filename="store-visit-v1.yaml"' in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("id: store-visit\n")
    assert "version: 1" in text
    by_accept = client.get("/api/v1/checklists/store-visit", headers={**admin, "Accept": "application/yaml"})
    assert by_accept.get_data(as_text=True) == text


def test_invalid_checklist_is_422_with_every_path_and_line_and_stores_nothing(client, admin, db):
    broken = VALID.replace("weight: 2", "weight: -2").replace("{score: 0}]", "{max: 9, score: 0}]")
    response = post_yaml(client, admin, broken)
    assert response.status_code == 422
    body = response.get_json()
    assert "2 problem" in body["error"]
    assert body["fields"] == {
        "sections[0].items[0].weight": ["Must be a positive number. (line 14)"],
        "sections[0].items[1].bands": [
            "The last band must leave out max (a catch-all band) so that every value fits. (line 21)"
        ],
    }
    assert db["checklists"].count == 0 and db["checklist_versions"].count == 0


def test_yaml_syntax_error_is_400_with_the_line(client, admin, db):
    response = post_yaml(client, admin, "id: c\ntitle: [broken\n")
    assert response.status_code == 400
    assert "line" in response.get_json()["error"]
    assert db["checklists"].count == 0


def test_python_tags_are_refused(client, admin, db):
    response = post_yaml(client, admin, "id: !!python/object/apply:os.system ['touch /tmp/pwned']\n")
    assert response.status_code == 400
    assert "not allowed" in response.get_json()["error"]


def test_other_media_types_are_refused(client, admin):
    response = client.post("/api/v1/checklists", data=VALID, headers={**admin, "Content-Type": "text/plain"})
    assert response.status_code == 400
    assert "application/yaml" in response.get_json()["error"]


def test_validate_reports_without_storing(client, admin, db):
    ok = client.post("/api/v1/checklists/validate", data=VALID, headers={**admin, **YAML}).get_json()
    assert ok == {"valid": True, "errors": []}
    bad = client.post(
        "/api/v1/checklists/validate",
        data=VALID.replace("type: scale", "type: stars"),
        headers={**admin, **YAML},
    )
    assert bad.get_json()["valid"] is False
    assert bad.get_json()["errors"][0]["path"] == "sections[0].items[2].type"
    assert db["checklists"].count == 0


def test_unknown_checklist_or_version_is_404(client, admin):
    assert client.get("/api/v1/checklists/nope", headers=admin).status_code == 404
    post_yaml(client, admin, VALID)
    assert client.get("/api/v1/checklists/store-visit?version=9", headers=admin).status_code == 404
    for not_a_number in ("x", "²"):  # "²" is a digit to str.isdigit() but not a number to int()
        response = client.get(f"/api/v1/checklists/store-visit?version={not_a_number}", headers=admin)
        assert response.status_code == 400


def test_only_admin_imports(client, actions, db):
    for role in ("reviewer", "auditor", "manager"):
        response = post_yaml(client, actions.token(role), VALID)
        assert response.status_code == 403
    assert db["checklists"].count == 0


def test_list_checklists(client, admin):
    post_yaml(client, admin, VALID)
    listed = client.get("/api/v1/checklists", headers=admin).get_json()["checklists"]
    assert [(c["id"], c["version"]) for c in listed] == [("store-visit", 1)]


def test_oversized_body_is_413(app, client, admin):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = post_yaml(client, admin, VALID + "#" * 2000)
    assert response.status_code == 413
    assert "error" in response.get_json()
