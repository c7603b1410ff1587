import io

from checklists import store
from tests.conftest import VALID, csrf_token


def upload(client, data):
    return client.post(
        "/checklists/import",
        data={**data, "csrf_token": csrf_token(client, "/checklists/import")},
        content_type="multipart/form-data",
    )


def test_admin_uploads_a_file(client, actions, db):
    actions.login_as("admin")
    response = upload(client, {"file": (io.BytesIO(VALID.encode()), "visit.yaml")})
    assert response.status_code == 302
    assert response.headers["Location"] == "/checklists/store-visit"
    page = client.get("/checklists/store-visit").get_data(as_text=True)
    assert "Saved as version 1." in page
    assert "Greeted within 30 seconds of entering" in page
    assert "Rules of interaction with the customer" in page


def test_upload_with_problems_lists_each_with_its_line_and_stores_nothing(client, actions, db):
    actions.login_as("admin")
    broken = VALID.replace("weight: 2", "weight: -2").replace("type: scale", "type: stars")
    response = upload(client, {"file": (io.BytesIO(broken.encode()), "visit.yaml")})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "2 problems: nothing was stored" in page
    assert "Line 14" in page and "sections[0].items[0].weight" in page
    assert "Line 24" in page and "sections[0].items[2].type" in page
    assert db["checklists"].count == 0


def test_pasted_yaml_is_imported(client, actions, db):
    actions.login_as("admin")
    assert upload(client, {"text": VALID}).status_code == 302
    assert db["checklists"].count == 1


def test_same_content_says_no_new_version(client, actions, db):
    actions.login_as("admin")
    upload(client, {"text": VALID})
    response = upload(client, {"text": VALID})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Same content as version 1; no new version was made." in page


def test_an_empty_upload_asks_for_a_file(client, actions):
    actions.login_as("admin")
    response = upload(client, {"text": ""})
    assert response.status_code == 400
    assert "Choose a file or paste YAML." in response.get_data(as_text=True)


def test_a_wrong_file_type_is_refused(client, actions):
    actions.login_as("admin")
    response = upload(client, {"file": (io.BytesIO(b"MZ"), "virus.exe")})
    assert response.status_code == 400
    assert "Choose a .yaml, .yml or .json file." in response.get_data(as_text=True)


def test_versions_stay_readable(client, actions, db):
    actions.login_as("reviewer")
    from checklists import spec

    store.save_checklist(db, spec.load(VALID, "yaml"))
    store.save_checklist(db, spec.load(VALID.replace("Store visit", "Shop visit"), "yaml"))
    assert "Shop visit" in client.get("/checklists/store-visit").get_data(as_text=True)
    old = client.get("/checklists/store-visit?version=1").get_data(as_text=True)
    assert "<h1>Store visit" in old and "v1 ·" in old
    assert client.get("/checklists/store-visit?version=7").status_code == 404


def test_user_text_in_a_checklist_is_escaped(client, actions, db):
    from checklists import spec

    store.save_checklist(db, spec.load(VALID.replace("Store visit", "<img src=x onerror=alert(1)>"), "yaml"))
    actions.login_as("admin")
    page = client.get("/checklists/store-visit").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x" in page
    editor = client.get("/checklists/store-visit/edit").get_data(as_text=True)
    assert "<img src=x" not in editor


def test_editor_pages_carry_the_document(client, actions, db):
    from checklists import spec

    store.save_checklist(db, spec.load(VALID, "yaml"))
    actions.login_as("admin")
    page = client.get("/checklists/store-visit/edit").get_data(as_text=True)
    assert 'id="checklist-document"' in page and "greeted-30s" in page
    assert "null" in client.get("/checklists/new").get_data(as_text=True)


def test_text_posted_where_a_file_belongs_is_not_a_file(client, actions, db):
    actions.login_as("admin")
    response = client.post(
        "/checklists/import",
        data={"file": "not a file", "text": "", "csrf_token": csrf_token(client, "/checklists/import")},
    )
    assert response.status_code == 400
    assert "Choose a file or paste YAML." in response.get_data(as_text=True)
