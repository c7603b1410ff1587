"""Issue 12: saves are bound to their assignment; a cookie-only photo upload is refused."""

import io
import uuid

import pytest

from audits import store as audits_store
from org import store
from tests.audits.conftest import AUDIT_ID, design_document
from tests.audits.test_views import jpeg_bytes
from tests.conftest import PASSWORD, csrf_header


def test_a_multipart_photo_put_with_only_the_cookie_is_refused(client, actions, db, visit_setup):
    actions.login_as("auditor", scripts=False)
    headers = csrf_header(client)
    document = design_document(visit_setup["branch_id"], visit_setup["ana"])
    assert client.put(f"/api/v1/audits/{AUDIT_ID}", json=document, headers=headers).status_code == 201
    url = f"/api/v1/audits/{AUDIT_ID}/photos/{uuid.uuid4()}"
    form = {"photo": (io.BytesIO(jpeg_bytes()), "p.jpg", "image/jpeg")}
    response = client.put(url, data=form, content_type="multipart/form-data")
    assert response.status_code == 400
    assert db["photos"].count == 0


# 7. Saves are bound to their assignment


@pytest.fixture
def assigned(db, visit_setup):
    auditor = store.get_user(db, store.create_user(db, "auditor@example.com", "auditor", PASSWORD))
    other_branch = store.create_branch(db, "LDN-02", "Soho", "London", staff_informed=True)
    assignment_id = audits_store.create_assignment(
        db, visit_setup["branch_id"], "store-visit", auditor["user_id"], "", "2026-10-31", "", 1
    )
    audit_id = db["assignments"].get(assignment_id)["audit_id"]
    return {**visit_setup, "auditor": auditor, "other_branch": other_branch, "audit_id": audit_id}


def _put(client, headers, audit_id, document):
    return client.put(f"/api/v1/audits/{audit_id}", json=document, headers=headers)


def test_the_assignee_cannot_switch_branch(client, actions, db, assigned):
    headers = actions.token("auditor")
    document = design_document(assigned["other_branch"], None, employees={})
    response = _put(client, headers, assigned["audit_id"], document)
    assert response.status_code == 422 and "branch_id" in response.get_json()["fields"]
    assert db["audits"].count == 0


def test_another_auditor_cannot_save_under_someone_elses_assignment(client, actions, db, assigned):
    headers = actions.token("auditor", "intruder@example.com")
    document = design_document(assigned["branch_id"], assigned["ana"])
    assert _put(client, headers, assigned["audit_id"], document).status_code == 404
    assert db["audits"].count == 0


def test_a_draft_keeps_its_branch(client, actions, db, assigned):
    headers = actions.token("auditor")
    audit_id = str(uuid.uuid4())
    assert (
        _put(client, headers, audit_id, design_document(assigned["branch_id"], assigned["ana"])).status_code
        == 201
    )
    moved = design_document(assigned["other_branch"], None, revision=8, employees={})
    response = _put(client, headers, audit_id, moved)
    assert response.status_code == 422 and "branch_id" in response.get_json()["fields"]
    assert db["audits"].get(audit_id)["branch_id"] == assigned["branch_id"]


def test_unscheduled_visits_switched_off_hold_on_the_api(app, client, actions, db, assigned):
    app.config["ALLOW_UNSCHEDULED_VISITS"] = False
    headers = actions.token("auditor")
    document = design_document(assigned["branch_id"], assigned["ana"])
    assert _put(client, headers, str(uuid.uuid4()), document).status_code == 403
    assert db["audits"].count == 0
    assert _put(client, headers, assigned["audit_id"], document).status_code == 201
