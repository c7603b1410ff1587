import json
import re

import pytest

from tests.audits.conftest import AUDIT_ID, design_document

URL = f"/api/v1/audits/{AUDIT_ID}"


@pytest.fixture
def auditor(actions):
    return actions.token("auditor")


def put(client, headers, document, audit_id=AUDIT_ID):
    return client.put(f"/api/v1/audits/{audit_id}", json=document, headers=headers)


def test_save_the_design_document_and_read_its_scores(client, auditor, visit_setup, db):
    document = design_document(visit_setup["branch_id"], visit_setup["ana"])
    response = put(client, auditor, document)
    assert response.status_code == 201
    body = client.get(URL, headers=auditor).get_json()
    assert body["status"] == "draft"
    assert body["answers"] == document["answers"] and body["document"]["revision"] == 7
    assert body["score"] == {
        "percent": 65.0,
        "earned": 3.25,
        "possible": 5.0,
        "passed": False,
        "critical_failure": False,
    }
    assert body["sections"] == {
        "greeting": {"percent": 65.0, "earned": 3.25, "possible": 5.0, "employee_id": visit_setup["ana"]}
    }
    row = db["audits"].get(AUDIT_ID)
    assert (row["period_month"], row["percent"], row["percent_value"]) == ("2026-10", 65.0, 65.0)
    assert (row["earned"], row["possible"]) == ("13/4", "5/1")  # the exact source: no percent_exact
    assert "percent_exact" not in row
    # A draft is one row; its section and item rows are derived once, on submit.
    assert db["audit_sections"].count == 0 and db["audit_items"].count == 0
    client.post(f"{URL}/submit", headers=auditor)
    assert db["audit_sections"].get((AUDIT_ID, "greeting"))["employee_id"] == visit_setup["ana"]
    assert {r["item_id"]: r["fraction"] for r in db["audit_items"].rows} == {
        "greeted-30s": "1/1",
        "wait-minutes": "1/2",
        "friendliness": "3/4",
        "offer": "0/1",
    }


def test_the_same_document_again_changes_nothing(client, auditor, visit_setup, db):
    document = design_document(visit_setup["branch_id"], visit_setup["ana"])
    put(client, auditor, document)
    before = db["audits"].get(AUDIT_ID)
    again = put(client, auditor, document)
    assert again.status_code == 200 and again.get_json()["saved"] == "unchanged"
    assert db["audits"].get(AUDIT_ID) == before
    assert db["audits"].count == 1


def test_an_older_revision_never_overwrites_a_newer_one(client, auditor, visit_setup, db):
    newer = design_document(visit_setup["branch_id"], visit_setup["ana"], revision=8)
    older = design_document(visit_setup["branch_id"], visit_setup["ana"], revision=5)
    older["answers"]["greeted-30s"] = {"value": "no"}
    put(client, auditor, newer)
    response = put(client, auditor, older)
    assert response.status_code == 200 and response.get_json()["saved"] == "stale"
    assert response.get_json()["answers"]["greeted-30s"] == {"value": "yes"}
    assert json.loads(db["audits"].get(AUDIT_ID)["document"])["revision"] == 8


def test_a_newer_revision_replaces_the_document(client, auditor, visit_setup):
    put(client, auditor, design_document(visit_setup["branch_id"], visit_setup["ana"], revision=1))
    changed = design_document(visit_setup["branch_id"], visit_setup["ana"], revision=2)
    changed["answers"]["offer"] = {"value": "Offered unprompted"}
    body = put(client, auditor, changed).get_json()
    assert body["saved"] == "updated"
    assert body["score"]["percent"] == 85.0
    assert "why-not" in body["answers"]  # kept as sent, hidden now and not scored


def test_a_newer_revision_writes_only_the_columns_that_changed(app, client, auditor, visit_setup, db):
    put(client, auditor, design_document(visit_setup["branch_id"], visit_setup["ana"], revision=1))
    statements = []
    app.extensions["db_connections"].entry[1].conn.set_trace_callback(statements.append)
    changed = design_document(
        visit_setup["branch_id"], visit_setup["ana"], revision=2, visited_at="2026-11-02T09:00:00+01:00"
    )
    changed["answers"]["greeted-30s"] = {"value": "no"}
    assert put(client, auditor, changed).get_json()["saved"] == "updated"
    [update] = [s for s in statements if s.startswith("update audits")]
    named = set(re.findall(r"(\w+) = ", update))
    assert {"revision", "period_month", "percent_value", "document"} <= named
    assert not named & {
        "branch_id",
        "checklist_id",
        "checklist_version",
    }  # unchanged: their indexes untouched
    row = db["audits"].get(AUDIT_ID)
    assert (row["revision"], row["period_month"], row["visited_utc"]) == (
        2,
        "2026-11",
        "2026-11-02T08:00:00+00:00",
    )
    assert (row["branch_id"], row["checklist_id"], row["checklist_version"]) == (
        visit_setup["branch_id"],
        "store-visit",
        1,
    )
    assert row["percent"] == put(client, auditor, changed).get_json()["score"]["percent"]


def test_submit_locks_the_audit_and_is_idempotent(client, auditor, visit_setup, db):
    document = design_document(visit_setup["branch_id"], visit_setup["ana"])
    put(client, auditor, document)
    first = client.post(f"{URL}/submit", headers=auditor)
    assert first.status_code == 200
    assert first.get_json()["status"] == "submitted" and first.get_json()["score"]["percent"] == 65.0
    again = client.post(f"{URL}/submit", headers=auditor)
    assert again.status_code == 200 and again.get_json()["status"] == "submitted"
    assert db["audit_trail"].count_where("action = 'submitted'") == 1
    assert put(client, auditor, document).status_code == 200  # the same document: nothing to change
    changed = design_document(visit_setup["branch_id"], visit_setup["ana"], revision=9)
    changed["answers"]["greeted-30s"] = {"value": "no"}
    response = put(client, auditor, changed)
    assert response.status_code == 409
    assert "error" in response.get_json()
    assert json.loads(db["audits"].get(AUDIT_ID)["document"])["answers"]["greeted-30s"] == {"value": "yes"}


def test_submit_names_every_missing_item(client, auditor, visit_setup, db):
    document = design_document(visit_setup["branch_id"], visit_setup["ana"])
    del document["answers"]["wait-minutes"]
    document["answers"]["greeted-30s"] = {"value": "no"}  # a failed answer that needs a comment
    put(client, auditor, document)
    response = client.post(f"{URL}/submit", headers=auditor)
    assert response.status_code == 422
    assert response.get_json()["fields"] == {
        "answers.wait-minutes": ["Answer this item."],
        "answers.greeted-30s.comment": ["A failed answer needs a comment."],
    }
    assert db["audits"].get(AUDIT_ID)["status"] == "draft"


def test_na_counts_as_answered_where_allowed(client, auditor, visit_setup):
    document = design_document(visit_setup["branch_id"], visit_setup["ana"])
    document["answers"]["greeted-30s"] = {"na": True}
    put(client, auditor, document)
    body = client.post(f"{URL}/submit", headers=auditor).get_json()
    assert body["status"] == "submitted"
    assert (body["score"]["earned"], body["score"]["possible"]) == (1.25, 3.0)


def test_a_visit_in_the_future_cannot_be_submitted(client, auditor, visit_setup):
    put(
        client,
        auditor,
        design_document(visit_setup["branch_id"], visit_setup["ana"], visited_at="2099-01-01T10:00:00+00:00"),
    )
    response = client.post(f"{URL}/submit", headers=auditor)
    assert response.status_code == 422
    assert "visited_at" in response.get_json()["fields"]


def test_end_before_start_cannot_be_submitted(client, auditor, visit_setup):
    document = design_document(
        visit_setup["branch_id"],
        visit_setup["ana"],
        started_at="2026-10-05T14:30:00+02:00",
        ended_at="2026-10-05T14:00:00+02:00",
    )
    put(client, auditor, document)
    assert "ended_at" in client.post(f"{URL}/submit", headers=auditor).get_json()["fields"]


@pytest.mark.parametrize(
    ("change", "status", "path"),
    [
        ({"answers": {"nope": {"value": "yes"}}}, 422, "answers.nope"),
        ({"answers": {"greeted-30s": {"value": True}}}, 422, "answers.greeted-30s.value"),
        ({"answers": {"greeted-30s": {"value": "maybe"}}}, 422, "answers.greeted-30s.value"),
        ({"answers": {"offer": {"value": "Sometimes"}}}, 422, "answers.offer.value"),
        ({"answers": {"friendliness": {"value": 9}}}, 422, "answers.friendliness.value"),
        ({"answers": {"friendliness": {"value": "4"}}}, 422, "answers.friendliness.value"),
        ({"answers": {"wait-minutes": {"value": "three"}}}, 422, "answers.wait-minutes.value"),
        ({"answers": {"wait-minutes": {"na": True}}}, 422, "answers.wait-minutes.na"),
        ({"answers": {"why-not": {"value": 12}}}, 422, "answers.why-not.value"),
        ({"answers": {"offer": {"value": "Not offered", "colour": "red"}}}, 422, "answers.offer.colour"),
        ({"branch_id": 999}, 422, "branch_id"),
        ({"branch_id": "3"}, 422, "branch_id"),
        ({"checklist_version": 4}, 422, "checklist_version"),
        ({"checklist_id": "ghost"}, 422, "checklist_id"),
        ({"visited_at": "yesterday"}, 422, "visited_at"),
        ({"visited_at": "2026-10-05T14:30:00"}, 422, "visited_at"),
        ({"revision": -1}, 422, "revision"),
        ({"employees": {"greeting": 9999}}, 422, "employees.greeting"),
        ({"employees": {"nosuch": 1}}, 422, "employees.nosuch"),
        ({"extra": 1}, 422, "extra"),
    ],
)
def test_bad_documents_are_refused_with_the_path_and_store_nothing(
    client, auditor, visit_setup, db, change, status, path
):
    document = design_document(visit_setup["branch_id"], visit_setup["ana"]) | change
    response = put(client, auditor, document)
    assert response.status_code == status, response.get_json()
    assert path in response.get_json()["fields"], response.get_json()
    assert db["audits"].count == 0 and db["audit_sections"].count == 0


def test_a_bad_document_never_touches_the_stored_one(client, auditor, visit_setup, db):
    put(client, auditor, design_document(visit_setup["branch_id"], visit_setup["ana"], revision=1))
    before = db["audits"].get(AUDIT_ID)
    bad = design_document(
        visit_setup["branch_id"], visit_setup["ana"], revision=2, answers={"offer": {"value": "??"}}
    )
    assert put(client, auditor, bad).status_code == 422
    assert db["audits"].get(AUDIT_ID) == before


def test_malformed_uuid_and_broken_json(client, auditor, visit_setup):
    # A malformed id matches no route: 404 like an audit out of scope (issue 19).
    response = put(client, auditor, {}, audit_id="not-a-uuid")
    assert response.status_code == 404
    assert response.get_json()["error"]
    response = client.put(URL, data="{broken", headers={**auditor, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert "Malformed JSON" in response.get_json()["error"]


def test_employees_are_not_linked_where_staff_are_not_informed(client, auditor, visit_setup, db):
    from org import store as org_store

    org_store.update_branch(db, visit_setup["branch_id"], staff_informed=False)
    put(client, auditor, design_document(visit_setup["branch_id"], visit_setup["ana"]))
    body = client.get(URL, headers=auditor).get_json()
    assert body["employees"] == {} and body["sections"]["greeting"]["employee_id"] is None
    client.post(f"{URL}/submit", headers=auditor)
    assert db["audit_sections"].get((AUDIT_ID, "greeting"))["employee_id"] is None


def test_an_audit_keeps_its_checklist_version(client, auditor, visit_setup, db):
    from checklists import spec
    from checklists.store import save_checklist
    from tests.conftest import VALID

    put(client, auditor, design_document(visit_setup["branch_id"], visit_setup["ana"], revision=1))
    save_checklist(db, spec.load(VALID.replace("weight: 2", "weight: 5"), "yaml"))
    moved = design_document(visit_setup["branch_id"], visit_setup["ana"], revision=2, checklist_version=2)
    assert put(client, auditor, moved).status_code == 409
    assert client.get(URL, headers=auditor).get_json()["score"]["percent"] == 65.0


def test_other_auditors_and_managers_cannot_see_a_draft(client, actions, auditor, visit_setup):
    put(client, auditor, design_document(visit_setup["branch_id"], visit_setup["ana"]))
    other = actions.token("auditor", email="other@example.com")
    assert client.get(URL, headers=other).status_code == 404
    assert (
        put(
            client, other, design_document(visit_setup["branch_id"], visit_setup["ana"], revision=99)
        ).status_code
        == 404
    )
    assert client.post(f"{URL}/submit", headers=other).status_code == 404
    manager = actions.token("manager", branches=[visit_setup["branch_id"]])
    assert client.get(URL, headers=manager).status_code == 404
    assert client.get(URL, headers=actions.token("reviewer")).status_code == 200


def test_managers_and_reviewers_cannot_save(client, actions, visit_setup):
    for role in ("manager", "reviewer"):
        headers = actions.token(role, branches=[visit_setup["branch_id"]] if role == "manager" else ())
        assert (
            put(client, headers, design_document(visit_setup["branch_id"], visit_setup["ana"])).status_code
            == 403
        )


def test_staff_on_duty_is_kept_with_the_audit(client, auditor, visit_setup, db):
    response = put(
        client, auditor, design_document(visit_setup["branch_id"], visit_setup["ana"], staff_on_duty=1)
    )
    assert response.status_code == 201 and response.get_json()["staff_on_duty"] == 1
    assert db["audits"].get(AUDIT_ID)["staff_on_duty"] == 1
    bad = put(
        client,
        auditor,
        design_document(visit_setup["branch_id"], visit_setup["ana"], revision=9, staff_on_duty=-2),
    )
    assert bad.status_code == 422 and "staff_on_duty" in bad.get_json()["fields"]
