"""The programme through the pages head office uses: assign (past dates refused, the rotation warned
about), edit, reassign, cancel, and schedules with the plan shown before it is created."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from audits import store as audits_store
from checklists import spec
from checklists.store import save_checklist
from org import store
from tests.conftest import CHECKLIST, csrf_token

SOON = (datetime.now(UTC).date() + timedelta(days=20)).isoformat()
LATER = (datetime.now(UTC).date() + timedelta(days=50)).isoformat()


@pytest.fixture
def office(db, actions, client):
    save_checklist(db, spec.load(CHECKLIST, "yaml"))
    branch = store.create_branch(db, "N1", "Northgate", "North")
    ann = actions.user("auditor", "ann@example.com")
    bob = actions.user("auditor", "bob@example.com")
    actions.login_as("admin")
    return {"branch": branch, "ann": ann, "bob": bob}


def post(client, path, data, page=None):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page or path)})


def assign(client, office, auditor, due, **extra):
    form = {
        "branch_id": office["branch"],
        "checklist_id": "mini",
        "auditor_id": auditor["user_id"],
        "due_by": due,
    }
    return post(client, "/assignments", form | extra)


def test_a_past_due_date_is_refused_and_what_was_typed_is_kept(client, db, office):
    response = assign(client, office, office["ann"], "2020-01-01", notes="Ask about ISAs")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "in the past" in page and "Ask about ISAs" in page
    assert db["assignments"].count == 0


def test_the_form_warns_about_the_rotation_and_assigns_when_told_to(client, db, office):
    assert assign(client, office, office["ann"], SOON).status_code == 302
    warned = assign(client, office, office["ann"], LATER)
    assert warned.status_code == 400
    page = warned.get_data(as_text=True)
    assert "rotation interval of 90 days" in page and 'name="override"' in page
    assert db["assignments"].count == 1
    assert assign(client, office, office["ann"], LATER, override="y").status_code == 302
    assert db["assignments"].count == 2
    assert (
        db.execute("select count(*) from mail_queue where recipient = 'ann@example.com'").fetchone()[0] == 2
    )


def test_reassign_from_the_page_moves_the_draft_and_cancel_hides_the_visit(client, db, office):
    assign(client, office, office["ann"], SOON)
    assignment_id, audit_id = db.execute("select assignment_id, audit_id from assignments").fetchone()
    document = {
        "checklist_id": "mini",
        "checklist_version": 1,
        "branch_id": office["branch"],
        "visited_at": "2026-10-05T14:30:00+02:00",
        "revision": 1,
        "answers": {"hello": {"value": "yes"}},
        "employees": {},
    }
    from audits.schemas import load_document

    audits_store.save_audit(db, audit_id, load_document(document), office["ann"])
    edit = f"/assignments/{assignment_id}/edit"
    assert "saved draft moves" in client.get(edit).get_data(as_text=True)
    response = post(client, edit, {"auditor_id": office["bob"]["user_id"], "due_by": LATER})
    assert response.status_code == 302
    assert db.execute("select auditor_id from audits").fetchone()[0] == office["bob"]["user_id"]
    assert db.execute("select auditor_id, due_by from assignments").fetchone() == (
        office["bob"]["user_id"],
        LATER,
    )
    assert (
        post(client, edit, {"auditor_id": office["bob"]["user_id"], "due_by": "2020-01-01"}).status_code
        == 400
    )
    assert post(client, f"/assignments/{assignment_id}/cancel", {}, page=edit).status_code == 302
    assert "Northgate" not in client.get("/assignments").get_data(as_text=True).split("Assign</button>")[1]
    assert "can no longer be changed" in client.get(edit).get_data(as_text=True)


def test_a_submitted_visit_cannot_be_cancelled_from_the_page(client, db, office):
    assign(client, office, office["ann"], SOON)
    assignment_id = db.execute("select assignment_id from assignments").fetchone()[0]
    edit = f"/assignments/{assignment_id}/edit"
    token = csrf_token(client, edit)
    db.execute(
        "insert into audits (audit_id, checklist_id, checklist_version, branch_id, auditor_id, status, revision, "
        "document, document_hash, visited_at, visited_utc, period_month, created_at, updated_at) "
        "select audit_id, 'mini', 1, branch_id, auditor_id, 'submitted', 1, '{}', 'h', '2026-10-05', '2026-10-05', "
        "'2026-10', 'now', 'now' from assignments"
    )
    response = client.post(f"/assignments/{assignment_id}/cancel", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(edit)
    assert db.execute("select cancelled_at from assignments").fetchone()[0] is None


def test_schedule_then_see_the_plan_then_create_it(client, db, office):
    page = client.get("/schedules").get_data(as_text=True)
    region = re.search(r'<option value="(\d+)">North</option>', page).group(1)
    response = post(
        client,
        "/schedules",
        {"checklist_id": "mini", "region_id": region, "visits": 2, "every": "month", "rotation_days": 90},
    )
    assert response.status_code == 302
    assert (
        post(
            client,
            "/schedules",
            {"checklist_id": "mini", "region_id": 0, "visits": 1, "every": "month", "rotation_days": 90},
        ).status_code
        == 400
    )
    plan = client.get("/schedules/plan?period=2030-04").get_data(as_text=True)
    assert (
        "2 visit(s) would be created" in plan and "ann@example.com 1" in plan and "bob@example.com 1" in plan
    )
    assert db["assignments"].count == 0
    assert (
        post(
            client, "/schedules/plan", {"period": "2030-04"}, page="/schedules/plan?period=2030-04"
        ).status_code
        == 302
    )
    assert db["assignments"].count == 2
    again = client.get("/schedules/plan?period=2030-04").get_data(as_text=True)
    assert "0 visit(s) would be created" in again
    assert client.get("/schedules/plan?period=2030-13").status_code == 400


def test_a_new_schedule_suggests_the_visits_a_clear_signal_needs(client, db, office):
    from reports.intervals import suggested_visits

    needed = suggested_visits(db)  # no audit yet: the widest spread, so many visits
    page = client.get("/schedules").get_data(as_text=True)
    default = re.search(r'<input[^>]*id="visits"[^>]*value="(\d+)"', page).group(1)
    assert int(default) == min(needed, 31) and needed > 1
    assert f"{needed} audits a period tell a branch 5 points from the company mean apart at 90%" in page
