import re

import pytest

from tests.conftest import csrf_header


def test_admin_creates_a_branch_and_lists_it(client, actions, db):
    headers = actions.token("admin")
    response = client.post(
        "/api/v1/branches",
        json={"code": "MAN-01", "name": "Manchester", "region": "North", "staff_informed": True},
        headers=headers,
    )
    assert response.status_code == 201
    branch_id = response.get_json()["id"]
    row = db["branches"].get(branch_id)
    assert (row["code"], row["name"], row["staff_informed"], row["active"]) == ("MAN-01", "Manchester", 1, 1)
    assert db.execute("select name from regions").fetchall() == [("North",)]
    listed = client.get("/api/v1/branches", headers=headers).get_json()["branches"]
    assert [(b["id"], b["code"], b["region"], b["staff_informed"]) for b in listed] == [
        (branch_id, "MAN-01", "North", True)
    ]


def test_staff_informed_defaults_to_false(client, actions, db):
    headers = actions.token("admin")
    branch_id = client.post(
        "/api/v1/branches", json={"code": "X1", "name": "X", "region": "R"}, headers=headers
    ).get_json()["id"]
    assert db["branches"].get(branch_id)["staff_informed"] == 0


def test_branches_in_one_region_share_it(client, actions, db):
    headers = actions.token("admin")
    for code in ("A1", "A2"):
        client.post("/api/v1/branches", json={"code": code, "name": code, "region": "South"}, headers=headers)
    assert db["regions"].count == 1


def test_employees_of_a_branch(client, actions, db):
    headers = actions.token("admin")
    branch_id = actions.branch()
    response = client.post(
        f"/api/v1/branches/{branch_id}/employees", json={"name": "Ana Pérez"}, headers=headers
    )
    assert response.status_code == 201
    employee_id = response.get_json()["id"]
    assert db["employees"].get(employee_id)["branch_id"] == branch_id
    listed = client.get(f"/api/v1/branches/{branch_id}/employees", headers=headers).get_json()
    assert listed == {
        "employees": [{"id": employee_id, "branch_id": branch_id, "name": "Ana Pérez", "active": True}]
    }


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "No code", "region": "R"}, 422, "code"),
        ({"code": "B2", "region": "R"}, 422, "name"),
        ({"code": "B2", "name": "N"}, 422, "region"),
        ({"code": "B2", "name": "N", "region": "R", "staff_informed": "perhaps"}, 422, "staff_informed"),
        ({"code": 12, "name": "N", "region": "R"}, 422, "code"),
        ({"code": "has space", "name": "N", "region": "R"}, 422, "code"),
        ({"code": "B2", "name": "   ", "region": "R"}, 422, "name"),
        ({"code": "B2", "name": "N", "region": "R", "colour": "red"}, 422, "colour"),
        ({"code": "LDN-01", "name": "Twin", "region": "R"}, 409, "code"),
        (["not", "an", "object"], 422, "_body"),
    ],
)
def test_bad_branch_bodies_name_the_field_and_store_nothing(client, actions, db, body, status, field):
    actions.branch()
    before = db["branches"].count
    response = client.post("/api/v1/branches", json=body, headers=actions.token("admin"))
    assert response.status_code == status
    error = response.get_json()
    assert error["error"]
    assert field in error["fields"], error
    assert db["branches"].count == before


def test_malformed_json_is_400_with_its_line(client, actions, db):
    response = client.post(
        "/api/v1/branches",
        data='{"code": "B1",\n "name": }',
        headers={**actions.token("admin"), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "line 2" in response.get_json()["error"]
    assert db["branches"].count == 0


def test_empty_body_is_400(client, actions):
    response = client.post(
        "/api/v1/branches", data="", headers={**actions.token("admin"), "Content-Type": "application/json"}
    )
    assert response.status_code == 400


def test_session_api_writes_need_json_content_type(client, actions, db):
    actions.login_as("admin")
    response = client.post("/api/v1/branches", data={"code": "F1", "name": "Form", "region": "R"})
    assert response.status_code == 400
    assert db["branches"].count == 0
    headers = csrf_header(client)
    response = client.post(
        "/api/v1/branches", data={"code": "F1", "name": "Form", "region": "R"}, headers=headers
    )
    assert response.status_code == 400
    assert db["branches"].count == 0
    response = client.post(
        "/api/v1/branches", json={"code": "F1", "name": "Form", "region": "R"}, headers=headers
    )
    assert response.status_code == 201


def test_unknown_branch_is_404(client, actions):
    headers = actions.token("admin")
    assert client.get("/api/v1/branches/999/employees", headers=headers).status_code == 404
    response = client.post("/api/v1/branches/999/employees", json={"name": "Ghost"}, headers=headers)
    assert response.status_code == 404
    assert response.get_json()["error"] == "Branch 999 does not exist."


def test_manager_sees_only_their_branches(client, actions):
    own = actions.branch("OWN", "Own branch")
    other = actions.branch("OTH", "Other branch")
    headers = actions.token("manager", branches=[own])
    listed = client.get("/api/v1/branches", headers=headers).get_json()["branches"]
    assert [b["code"] for b in listed] == ["OWN"]
    assert client.get(f"/api/v1/branches/{own}/employees", headers=headers).status_code == 200
    assert client.get(f"/api/v1/branches/{other}/employees", headers=headers).status_code == 404
    assert client.get(f"/api/v1/branches/{other}", headers=headers).status_code == 404


def test_only_admin_creates(client, actions, db):
    branch_id = actions.branch()
    for role in ("reviewer", "auditor", "manager"):
        headers = actions.token(role, branches=[branch_id] if role == "manager" else ())
        response = client.post(
            "/api/v1/branches", json={"code": "Z", "name": "Z", "region": "Z"}, headers=headers
        )
        assert response.status_code == 403
        response = client.post(f"/api/v1/branches/{branch_id}/employees", json={"name": "Z"}, headers=headers)
        assert response.status_code == 403
    assert db["branches"].count == 1
    assert db["employees"].count == 0


def test_stranger_gets_401_json(client):
    response = client.get("/api/v1/branches")
    assert response.status_code == 401
    assert set(response.get_json()) == {"error", "fields"}


def test_unknown_api_route_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert "error" in response.get_json()


def test_openapi_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)  # <int:x>, <uuid:x>, <x> -> {x}
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (path, method.lower()) in documented
    create = document["paths"]["/api/v1/branches"]["post"]
    schema_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    branch_in = document["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert set(branch_in["required"]) == {"code", "name", "region"}
    assert "staff_informed" in branch_in["properties"]
