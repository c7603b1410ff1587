"""What follows a visit: mail on every event, and action items followed until they are verified."""

import io
import uuid
from datetime import UTC, date, datetime, timedelta

from audits import notices
from tests.audits.conftest import AUDIT_ID, URL, design_document
from tests.audits.test_views import jpeg_bytes
from tests.conftest import body, deliver

DUE = (date.today() + timedelta(days=14)).isoformat()


def test_the_branch_is_mailed_a_published_result_without_the_shopper(
    smtp, client, people, published, db, app
):
    deliver(app, db)
    [mail] = smtp.to("manager@example.com")
    assert mail["Subject"] == "New audit result: Covent Garden"
    text = body(mail) + body(mail, "html")
    assert "65.0%" in text and f"https://vs.example.com/audits/{AUDIT_ID}" in text
    assert "auditor@example.com" not in text and "Auditor" not in text
    assert smtp.to("other-manager@example.com") == []


def test_a_returned_audit_is_mailed_to_its_auditor_with_the_reason(smtp, client, people, submitted, db, app):
    client.post(f"{URL}/return", json={"reason": "Add the wait time."}, headers=people["reviewer"])
    deliver(app, db)
    [mail] = smtp.to("auditor@example.com")
    assert "Add the wait time." in body(mail)
    assert f"/audits/{AUDIT_ID}/form" in body(mail)


def test_appeals_filed_and_decided_are_mailed(smtp, client, people, published, db, app):
    client.post(
        f"{URL}/appeals", json={"items": ["offer"], "text": "It was offered."}, headers=people["manager"]
    )
    deliver(app, db)
    assert [m["Subject"] for m in smtp.to("reviewer@example.com")] == ["Appeal filed: Covent Garden"]
    appeal_id = db.execute("select appeal_id from appeals").fetchone()[0]
    client.post(
        f"/api/v1/appeals/{appeal_id}/decision",
        json={"outcome": "rejected", "reason": "CCTV shows no card."},
        headers=people["reviewer"],
    )
    deliver(app, db)
    decided = [m for m in smtp.to("manager@example.com") if m["Subject"].startswith("Appeal")]
    assert len(decided) == 1 and "CCTV shows no card." in body(decided[0])


def test_an_action_has_an_assignee_of_the_branch_and_a_future_due_date(
    smtp, client, actions, people, published, db, app, visit_setup
):
    actions.user("manager", "deputy@example.com", branches=[visit_setup["branch_id"]])
    base = {"item": "offer", "what": "Brief the team"}
    past = client.post(f"{URL}/actions", json=base | {"due": "2020-01-01"}, headers=people["manager"])
    assert past.status_code == 422 and "due" in past.get_json()["fields"]
    stranger = client.post(
        f"{URL}/actions",
        json=base | {"due": DUE, "assignee": "other-manager@example.com"},
        headers=people["manager"],
    )
    assert stranger.status_code == 422 and "assignee" in stranger.get_json()["fields"]
    response = client.post(
        f"{URL}/actions",
        json=base | {"due": DUE, "assignee": "deputy@example.com"},
        headers=people["manager"],
    )
    assert response.status_code == 201
    action = response.get_json()
    assert (action["assignee"], action["who"], action["state"], action["overdue"]) == (
        "deputy@example.com",
        "Manager",
        "open",
        False,
    )
    own = client.post(f"{URL}/actions", json=base | {"due": DUE}, headers=people["manager"]).get_json()
    assert own["assignee"] == "manager@example.com"
    deliver(app, db)
    [mail] = smtp.to("deputy@example.com")
    assert f"https://vs.example.com/actions/{action['id']}" in body(mail)
    assert db["action_items"].count == 2


def test_overdue_actions_are_listed_for_head_office_and_mailed_once(smtp, client, people, published, db, app):
    action = client.post(
        f"{URL}/actions",
        json={"item": "offer", "what": "Brief the team", "due": DUE},
        headers=people["manager"],
    ).get_json()
    db.execute("update action_items set due = '2026-01-10' where action_id = ?", [action["id"]])
    overdue = client.get("/api/v1/actions?status=overdue", headers=people["reviewer"]).get_json()["actions"]
    assert [(a["id"], a["overdue"], a["branch"]) for a in overdue] == [(action["id"], True, "Covent Garden")]
    assert (
        client.get("/api/v1/actions?status=overdue", headers=people["other_manager"]).get_json()["actions"]
        == []
    )
    assert client.get("/api/v1/actions?status=late", headers=people["reviewer"]).status_code == 400
    today = datetime.now(UTC).date()
    assert notices.action_reminders(db, today) == 1
    assert notices.action_reminders(db, today) == 0
    deliver(app, db)
    [mail] = [m for m in smtp.to("manager@example.com") if m["Subject"].startswith("Action overdue")]
    assert "was due on 2026-01-10" in body(mail)
    page = client.get("/actions?status=overdue", headers=people["reviewer"]).get_data(as_text=True)
    assert "Brief the team" in page and "overdue" in page


def test_done_with_a_note_and_proof_photo_then_verified_by_head_office(client, people, published, db):
    action = client.post(
        f"{URL}/actions",
        json={"item": "offer", "what": "Brief the team", "due": DUE},
        headers=people["manager"],
    ).get_json()
    early = client.post(f"/api/v1/actions/{action['id']}/verify", headers=people["reviewer"])
    assert early.status_code == 409
    done = client.post(
        f"/api/v1/actions/{action['id']}/done",
        data={"note": "Briefed all five", "photo": (io.BytesIO(jpeg_bytes()), "proof.jpg")},
        headers=people["manager"],
        content_type="multipart/form-data",
    ).get_json()
    assert (done["state"], done["done_note"]) == ("done", "Briefed all five")
    assert db["photos"].get(done["proof_photo_id"])["audit_id"] == AUDIT_ID
    verified = client.post(f"/api/v1/actions/{action['id']}/verify", headers=people["reviewer"]).get_json()
    assert verified["state"] == "verified" and verified["verified_at"]
    assert [
        a["id"]
        for a in client.get("/api/v1/actions?status=verified", headers=people["manager"]).get_json()[
            "actions"
        ]
    ] == [action["id"]]


def test_the_next_visit_that_finds_the_item_in_order_verifies_the_action(
    client, people, published, db, visit_setup
):
    action = client.post(
        f"{URL}/actions",
        json={"item": "offer", "what": "Brief the team", "due": DUE},
        headers=people["manager"],
    ).get_json()
    next_visit = str(uuid.uuid4())
    document = design_document(visit_setup["branch_id"], visit_setup["ana"])
    document["answers"]["offer"] = {"value": "Offered unprompted"}
    del document["answers"]["why-not"]
    assert (
        client.put(f"/api/v1/audits/{next_visit}", json=document, headers=people["auditor"]).status_code
        == 201
    )
    client.post(f"/api/v1/audits/{next_visit}/submit", headers=people["auditor"])
    client.post(f"/api/v1/audits/{next_visit}/approve", headers=people["reviewer"])
    row = db["action_items"].get(action["id"])
    assert row["state"] == "verified" and row["verified_at"]
