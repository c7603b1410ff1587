"""Hostile and broken audits answer a clear 4xx, never a 500, and store nothing (issue 12, item 10)."""

import json

import pytest

from tests.audits.conftest import AUDIT_ID, design_document
from tests.audits.test_views import assign
from tests.conftest import csrf_token


@pytest.mark.parametrize("where", ["comment", "employee_descriptions"])
def test_a_lone_surrogate_in_an_audit_is_400_and_nothing_is_stored(client, actions, db, visit_setup, where):
    document = design_document(visit_setup["branch_id"], visit_setup["ana"])
    if where == "comment":
        document["answers"]["friendliness"]["comment"] = "SURROGATE"
    else:
        document["employee_descriptions"] = {"greeting": "SURROGATE"}
    body = json.dumps(document).replace("SURROGATE", "\\ud83d").encode()
    headers = {**actions.token("auditor"), "Content-Type": "application/json"}
    response = client.put(f"/api/v1/audits/{AUDIT_ID}", data=body, headers=headers)
    assert response.status_code == 400
    assert db["audits"].count == 0


def test_a_5000_digit_answer_is_4xx(client, actions, db, visit_setup):
    body = json.dumps(design_document(visit_setup["branch_id"], visit_setup["ana"]))
    body = body.replace('"value": 3.5', '"value": ' + "7" * 5000).encode()
    headers = {**actions.token("auditor"), "Content-Type": "application/json"}
    response = client.put(f"/api/v1/audits/{AUDIT_ID}", data=body, headers=headers)
    assert 400 <= response.status_code < 500
    assert db["audits"].count == 0


def test_a_huge_branch_id_in_a_body_is_422_naming_it(client, actions, db, visit_setup):
    document = design_document(10**20, visit_setup["ana"])
    response = client.put(f"/api/v1/audits/{AUDIT_ID}", json=document, headers=actions.token("auditor"))
    assert response.status_code == 422 and "branch_id" in response.get_json()["fields"]
    assert db["audits"].count == 0


def test_a_bad_visited_at_in_the_plain_form_is_422(client, actions, db, visit_setup):
    auditor = actions.login_as("auditor")
    assign(db, visit_setup, auditor)
    audit_id = db.execute("select audit_id from assignments").fetchone()[0]
    url = f"/audits/{audit_id}/form"
    for bad in ("2026-13-45T99:99", "yesterday", "9999999-01-01T00:00", "2026-10-05T25:00"):
        form = {
            "csrf_token": csrf_token(client, url),
            "tz_offset": "120",
            "visited_at": bad,
            "action": "save",
        }
        response = client.post(url, data=form)
        assert response.status_code == 422, (bad, response.status_code)
