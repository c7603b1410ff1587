"""Review, acknowledgement, action plans and appeals through the pages people use."""

import io
from datetime import date, timedelta

import pytest

from audits import review, store
from tests.audits.conftest import AUDIT_ID, design_document
from tests.audits.test_views import jpeg_bytes
from tests.conftest import csrf_token

PAGE = f"/audits/{AUDIT_ID}"


@pytest.fixture
def submitted(db, actions, visit_setup):
    auditor = actions.user("auditor")
    from audits.schemas import load_document

    store.save_audit(
        db, AUDIT_ID, load_document(design_document(visit_setup["branch_id"], visit_setup["ana"])), auditor
    )
    store.submit_audit(db, AUDIT_ID, auditor)
    return auditor


def post(client, path, data, page=PAGE, **kwargs):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page)}, **kwargs)


def test_reviewer_sees_the_queue_and_the_whole_audit(client, actions, submitted, db):
    actions.login_as("reviewer")
    queue = client.get("/review").get_data(as_text=True)
    assert "Covent Garden" in queue and "1 submitted, oldest first" in queue
    page = client.get(PAGE).get_data(as_text=True)
    assert "<dt>Auditor</dt><dd>Auditor</dd>" in page  # head office sees who audited
    assert "How this score was computed" in page and "Approve and publish" in page
    assert "“smiled”" in page


def test_reviewer_corrects_returns_and_approves(client, actions, submitted, db):
    actions.login_as("reviewer")
    response = post(
        client,
        f"{PAGE}/correct",
        {"item": "offer", "value": "Only when asked", "reason": "Receipt shows it."},
    )
    assert response.status_code == 302
    assert "Answer corrected" in client.get(PAGE).get_data(as_text=True)
    assert db["audits"].get(AUDIT_ID)["percent"] == 75.0
    no_reason = post(client, f"{PAGE}/correct", {"item": "offer", "value": "Not offered", "reason": ""})
    assert no_reason.status_code == 422  # the same page, with what was typed and the message by the field
    page = no_reason.get_data(as_text=True)
    assert 'value="Not offered" aria-invalid="true"' not in page  # the answer was fine
    assert 'id="reason-offer" name="reason" rows="2" required aria-invalid="true"' in page
    assert 'value="Not offered"' in page and "This field is required." in page
    assert db["audits"].get(AUDIT_ID)["percent"] == 75.0
    post(client, f"{PAGE}/approve", {})
    assert db["audits"].get(AUDIT_ID)["status"] == "published"
    page = client.get(PAGE).get_data(as_text=True)
    assert "Receipt shows it." in page and "corrected" in page  # in the trail


def test_returned_audit_shows_the_reason_to_the_auditor(client, actions, submitted, db):
    actions.login_as("reviewer")
    post(client, f"{PAGE}/return", {"reason": "Please add the wait time comment."})
    assert db["audits"].get(AUDIT_ID)["status"] == "returned"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    actions.login_as("auditor")
    form = client.get(f"{PAGE}/form").get_data(as_text=True)
    assert "Please add the wait time comment." in form


def test_manager_acknowledges_plans_and_appeals_with_a_photo(client, actions, submitted, db, visit_setup):
    reviewer = actions.user("reviewer")
    review.approve(db, AUDIT_ID, reviewer)
    actions.login_as("manager", branches=[visit_setup["branch_id"]])
    home = client.get("/").get_data(as_text=True)
    assert "New results" in home and "Store visit" in home
    page = client.get(PAGE).get_data(as_text=True)
    assert "auditor@example.com" not in page and "Auditor</dt>" not in page
    post(client, f"{PAGE}/acknowledge", {})
    assert db["audits"].get(AUDIT_ID)["acknowledged_at"]
    manager_id = db.execute("select user_id from users where role = 'manager'").fetchone()[0]
    due = (date.today() + timedelta(days=14)).isoformat()
    post(
        client,
        f"{PAGE}/actions",
        {"item": "offer", "what": "Brief the team", "assignee": manager_id, "due": due},
    )
    action_id = db.execute("select action_id from action_items").fetchone()[0]
    assert "Brief the team" in client.get("/").get_data(as_text=True)
    assert post(client, f"/actions/{action_id}/done", {}).status_code == 422  # a note is needed
    post(
        client,
        f"/actions/{action_id}/done",
        {"note": "Briefed all five", "photo": (io.BytesIO(jpeg_bytes()), "proof.jpg")},
        content_type="multipart/form-data",
    )
    done = db["action_items"].get(action_id)
    assert done["done_at"] and done["state"] == "done" and done["proof_photo_id"]
    response = post(
        client,
        f"{PAGE}/appeal",
        {
            "items": ["offer"],
            "text": "The card was offered; see the photo.",
            "photo": (io.BytesIO(jpeg_bytes()), "receipt.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    appeal = db.execute("select item_id, status, photos from appeals").fetchone()
    assert appeal[:2] == ("offer", "open") and len(appeal[2]) == 36
    assert "Appeal sent to head office." in client.get(PAGE).get_data(as_text=True)


def test_an_appeal_on_a_full_marks_item_is_refused_with_a_message(
    client, actions, submitted, db, visit_setup
):
    review.approve(db, AUDIT_ID, actions.user("reviewer"))
    actions.login_as("manager", branches=[visit_setup["branch_id"]])
    response = post(client, f"{PAGE}/appeal", {"items": ["greeted-30s"], "text": "My evidence"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "is not a valid choice" in page and "My evidence</textarea>" in page
    assert '<fieldset class="field checks has-error" aria-describedby="items-error-1">' in page
    assert db["appeals"].count == 0


def test_reviewer_upholds_an_appeal_and_everyone_sees_before_and_after(
    client, actions, submitted, db, visit_setup
):
    reviewer = actions.user("reviewer")
    review.approve(db, AUDIT_ID, reviewer)
    manager = actions.user("manager", branches=[visit_setup["branch_id"]])
    [appeal_id] = review.open_appeals(db, AUDIT_ID, manager, ["offer"], "CCTV shows it.", 7)
    actions.login_as("reviewer")
    assert "Appeals to decide" in client.get("/").get_data(as_text=True)
    post(
        client,
        f"/appeals/{appeal_id}/decide",
        {"outcome": "upheld", "value": "Offered unprompted", "reason": "CCTV confirms."},
    )
    assert db["appeals"].get(appeal_id)["status"] == "upheld"
    page = client.get(PAGE).get_data(as_text=True)
    assert "65.0% → 85.0%" in page and "85.0%" in page
