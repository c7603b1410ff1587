"""Review before release, the branch's acknowledgement, action plans and appeals, through the API."""

from datetime import date, timedelta

import pytest

from audits import review
from tests.audits.conftest import AUDIT_ID, URL, design_document


def trail_actions(db):
    return [r[0] for r in db.execute("select action from audit_trail order by entry_id")]


def test_approve_publishes_to_the_branch_without_the_shoppers_identity(client, people, submitted, db):
    assert client.get(URL, headers=people["manager"]).status_code == 404  # not before review
    body = client.post(f"{URL}/approve", headers=people["reviewer"]).get_json()
    assert body["status"] == "published"
    seen = client.get(URL, headers=people["manager"])
    assert seen.status_code == 200 and seen.get_json()["score"]["percent"] == 65.0
    assert "auditor" not in seen.get_data(as_text=True)
    assert client.get(URL, headers=people["other_manager"]).status_code == 404
    trail = client.get(f"{URL}/trail", headers=people["manager"]).get_json()["trail"]
    assert [e["action"] for e in trail] == ["submitted", "approved"]
    assert trail[0]["who"] == "Auditor"


def test_approving_twice_is_idempotent_but_a_draft_cannot_be_approved(client, people, visit_setup, db):
    client.put(
        URL, json=design_document(visit_setup["branch_id"], visit_setup["ana"]), headers=people["auditor"]
    )
    response = client.post(f"{URL}/approve", headers=people["reviewer"])
    assert response.status_code == 409
    assert db["audits"].get(AUDIT_ID)["status"] == "draft"
    client.post(f"{URL}/submit", headers=people["auditor"])
    client.post(f"{URL}/approve", headers=people["reviewer"])
    assert client.post(f"{URL}/approve", headers=people["reviewer"]).status_code == 200
    assert trail_actions(db).count("approved") == 1


def test_return_sends_it_back_and_the_auditor_resubmits(client, people, submitted, visit_setup, db):
    assert client.post(f"{URL}/return", json={}, headers=people["reviewer"]).status_code == 422
    body = client.post(
        f"{URL}/return", json={"reason": "Wait time looks wrong; please check."}, headers=people["reviewer"]
    ).get_json()
    assert body["status"] == "returned"
    fixed = design_document(visit_setup["branch_id"], visit_setup["ana"], revision=8)
    fixed["answers"]["wait-minutes"] = {"value": 1}
    assert client.put(URL, json=fixed, headers=people["auditor"]).status_code == 200
    assert client.post(f"{URL}/submit", headers=people["auditor"]).get_json()["score"]["percent"] == 75.0
    assert trail_actions(db) == ["submitted", "returned", "submitted"]
    returned = db.execute("select reason from audit_trail where action = 'returned'").fetchone()[0]
    assert returned == "Wait time looks wrong; please check."


def test_correction_needs_a_reason_and_is_recorded_with_before_and_after(client, people, submitted, db):
    missing_reason = client.post(
        f"{URL}/corrections",
        json={"item": "offer", "answer": {"value": "Only when asked"}},
        headers=people["reviewer"],
    )
    assert missing_reason.status_code == 422 and "reason" in missing_reason.get_json()["fields"]
    body = client.post(
        f"{URL}/corrections",
        json={
            "item": "offer",
            "answer": {"value": "Only when asked"},
            "reason": "Receipt shows the card was offered.",
        },
        headers=people["reviewer"],
    ).get_json()
    assert body["score"]["percent"] == 75.0
    assert db["audits"].get(AUDIT_ID)["percent"] == 75.0
    before, after = db.execute("select before, after from audit_trail where action = 'corrected'").fetchone()
    assert '"percent": 65.0' in before and '"percent": 75.0' in after


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"item": "nope", "answer": {"value": "yes"}, "reason": "x"}, 422),
        ({"item": "offer", "answer": {"value": "Maybe"}, "reason": "x"}, 422),
        ({"item": "offer", "answer": {"value": "Only when asked"}, "reason": "   "}, 422),
    ],
)
def test_bad_corrections_change_nothing(client, people, submitted, db, body, status):
    before = db["audits"].get(AUDIT_ID)
    assert client.post(f"{URL}/corrections", json=body, headers=people["reviewer"]).status_code == status
    assert db["audits"].get(AUDIT_ID) == before
    assert trail_actions(db) == ["submitted"]


def test_published_audits_are_locked(client, people, published, visit_setup):
    body = {"item": "offer", "answer": {"value": "Only when asked"}, "reason": "x"}
    assert client.post(f"{URL}/corrections", json=body, headers=people["reviewer"]).status_code == 409
    assert client.post(f"{URL}/return", json={"reason": "x"}, headers=people["reviewer"]).status_code == 409


def test_manager_acknowledges_and_plans_actions(client, people, published, db):
    assert client.post(f"{URL}/acknowledge", headers=people["manager"]).status_code == 200
    assert db["audits"].get(AUDIT_ID)["acknowledged_at"]
    due = (date.today() + timedelta(days=14)).isoformat()
    response = client.post(
        f"{URL}/actions",
        json={"item": "offer", "what": "Brief the team on the loyalty card", "due": due},
        headers=people["manager"],
    )
    assert response.status_code == 201
    action = response.get_json()
    assert (action["item_id"], action["due"], action["done_at"]) == ("offer", due, None)
    done = client.post(f"/api/v1/actions/{action['id']}/done", headers=people["manager"]).get_json()
    assert done["done_at"]
    no_loss = client.post(
        f"{URL}/actions",
        json={"item": "greeted-30s", "what": "x", "due": due},
        headers=people["manager"],
    )
    assert no_loss.status_code == 422


def test_an_upheld_appeal_rescores_and_shows_before_and_after(client, people, published, db):
    response = client.post(
        f"{URL}/appeals",
        json={"items": ["offer"], "text": "CCTV shows the card offered at 14:36."},
        headers=people["manager"],
    )
    assert response.status_code == 201
    [appeal_id] = response.get_json()["appeals"]
    decision = client.post(
        f"/api/v1/appeals/{appeal_id}/decision",
        json={"outcome": "upheld", "reason": "CCTV confirms it.", "answer": {"value": "Offered unprompted"}},
        headers=people["reviewer"],
    ).get_json()
    assert (decision["status"], decision["percent_before"], decision["percent_after"]) == (
        "upheld",
        65.0,
        85.0,
    )
    assert client.get(URL, headers=people["manager"]).get_json()["score"]["percent"] == 85.0
    listed = client.get(f"{URL}/appeals", headers=people["manager"]).get_json()["appeals"]
    assert [(a["item_id"], a["status"], a["percent_before"], a["percent_after"]) for a in listed] == [
        ("offer", "upheld", 65.0, 85.0)
    ]
    assert trail_actions(db)[-2:] == ["appeal_opened", "appeal_upheld"]


def test_a_rejected_appeal_keeps_the_score(client, people, published, db):
    [appeal_id] = client.post(
        f"{URL}/appeals", json={"items": ["offer"], "text": "We disagree."}, headers=people["manager"]
    ).get_json()["appeals"]
    decision = client.post(
        f"/api/v1/appeals/{appeal_id}/decision",
        json={"outcome": "rejected", "reason": "No evidence."},
        headers=people["reviewer"],
    )
    assert decision.get_json()["status"] == "rejected"
    assert db["audits"].get(AUDIT_ID)["percent"] == 65.0
    again = client.post(
        f"/api/v1/appeals/{appeal_id}/decision",
        json={"outcome": "upheld", "reason": "x", "answer": {"value": "Offered unprompted"}},
        headers=people["reviewer"],
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("items", "status", "message"),
    [
        (["ghost"], 422, "No item 'ghost'"),
        (["greeted-30s"], 422, "lost no points"),
    ],
)
def test_appeals_only_on_items_that_lost_points(client, people, published, db, items, status, message):
    response = client.post(
        f"{URL}/appeals", json={"items": items, "text": "Please check."}, headers=people["manager"]
    )
    assert response.status_code == status
    assert message in str(response.get_json()["fields"])
    assert db["appeals"].count == 0


def test_a_second_open_appeal_on_the_same_item_is_refused(client, people, published, db):
    client.post(f"{URL}/appeals", json={"items": ["offer"], "text": "One."}, headers=people["manager"])
    response = client.post(
        f"{URL}/appeals", json={"items": ["offer"], "text": "Two."}, headers=people["manager"]
    )
    assert response.status_code == 409
    assert db["appeals"].count == 1


def test_a_late_appeal_is_refused(client, people, published, db):
    db["audits"].update(AUDIT_ID, {"published_at": "2020-01-01T10:00:00+00:00"})
    response = client.post(
        f"{URL}/appeals", json={"items": ["offer"], "text": "Late."}, headers=people["manager"]
    )
    assert response.status_code == 422
    assert "ended on 2020-01-08" in response.get_json()["error"]
    assert db["appeals"].count == 0


def test_the_appeal_period_is_configurable(app, client, people, published, db):
    app.config["APPEAL_DAYS"] = 400
    db["audits"].update(
        AUDIT_ID, {"published_at": (date.today() - timedelta(days=300)).isoformat() + "T10:00:00+00:00"}
    )
    assert (
        client.post(
            f"{URL}/appeals", json={"items": ["offer"], "text": "In time."}, headers=people["manager"]
        ).status_code
        == 201
    )


def test_roles_for_review_actions(client, people, submitted, db):
    for role in ("auditor", "manager"):
        assert client.post(f"{URL}/approve", headers=people[role]).status_code == 403
        assert client.post(f"{URL}/return", json={"reason": "x"}, headers=people[role]).status_code == 403
    assert (
        client.post(
            f"{URL}/appeals", json={"items": ["offer"], "text": "x"}, headers=people["reviewer"]
        ).status_code
        == 403
    )
    assert db["audits"].get(AUDIT_ID)["status"] == "submitted"


def test_the_trail_can_never_be_edited(client, people, published, db):
    import sqlite3

    with pytest.raises(sqlite3.IntegrityError, match="cannot be changed"):
        db.execute("update audit_trail set reason = 'forged'")
    with pytest.raises(sqlite3.IntegrityError, match="cannot be changed"):
        db.execute("delete from audit_trail")


def test_lost_points_lists_items_short_of_full_marks(db, visit_setup, people, client, submitted):
    from audits.store import audit_score, get_audit

    _c, result = audit_score(db, get_audit(db, AUDIT_ID))
    assert sorted(review.lost_points(result)) == ["friendliness", "offer", "wait-minutes"]
