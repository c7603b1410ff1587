"""Review and branch forms keep what was typed; appeals, decisions and the trail read as words."""

import re

import pytest

from audits import review, store
from audits.schemas import load_document
from tests.audits.conftest import AUDIT_ID, design_document
from tests.audits.test_review_views import PAGE, post
from tests.org.test_forms import assert_accessible_errors


@pytest.fixture
def submitted(db, actions, visit_setup):
    auditor = actions.user("auditor")
    store.save_audit(
        db, AUDIT_ID, load_document(design_document(visit_setup["branch_id"], visit_setup["ana"])), auditor
    )
    store.submit_audit(db, AUDIT_ID, auditor)
    return auditor


@pytest.fixture
def published(db, actions, submitted):
    review.approve(db, AUDIT_ID, actions.user("reviewer"))


@pytest.fixture
def appeal_id(db, actions, published, visit_setup):
    manager = actions.user("manager", branches=[visit_setup["branch_id"]])
    [appeal] = review.open_appeals(db, AUDIT_ID, manager, ["offer"], "CCTV shows it.", 7)
    return appeal


def test_a_return_without_a_reason_comes_back_open_with_the_message(client, actions, submitted, db):
    actions.login_as("reviewer")
    response = post(client, f"{PAGE}/return", {"reason": "  "})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '<details class="card" open><summary>Return to the auditor' in page
    assert "Say why, for the auditor." in page
    assert_accessible_errors(page)
    assert db["audits"].get(AUDIT_ID)["status"] == "submitted"


def test_a_correction_the_engine_refuses_keeps_the_typed_answer(client, actions, submitted, db):
    actions.login_as("reviewer")
    response = post(
        client, f"{PAGE}/correct", {"item": "wait-minutes", "value": "lots", "reason": "Timed it."}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    form = page[page.index('id="item-wait-minutes"') :]
    form = form[: form.index("</form>")]
    assert '<details class="correct" open>' in form
    assert 'value="lots"' in form and "Timed it.</textarea>" in form
    assert 'aria-invalid="true"' in form and "wait-minutes" not in re.sub(r'"[^"]*"', "", form)
    assert_accessible_errors(page)
    assert db["audit_trail"].count == 1  # only the submission


def test_the_appeal_decision_is_never_preselected(client, actions, appeal_id, db):
    actions.login_as("reviewer")
    page = client.get(PAGE).get_data(as_text=True)
    start = page.index(f'<select id="outcome-appeal-{appeal_id}"')
    decision = page[start : page.index("</select>", start)]
    assert "selected" not in decision and '<option value="">Choose…</option>' in decision
    response = post(client, f"/appeals/{appeal_id}/decide", {"outcome": "", "reason": "Looked at CCTV."})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose to uphold or to reject the appeal." in page and "Looked at CCTV.</textarea>" in page
    assert_accessible_errors(page)
    upheld_without_answer = post(
        client, f"/appeals/{appeal_id}/decide", {"outcome": "upheld", "value": "", "reason": "CCTV."}
    )
    page = upheld_without_answer.get_data(as_text=True)
    assert upheld_without_answer.status_code == 422
    assert (
        f'<p class="error" id="value-appeal-{appeal_id}-error-1" role="alert">Required when upheld.</p>'
        in page
    )
    assert '<option selected value="upheld">' in page
    assert db["appeals"].get(appeal_id)["status"] == "open"


def test_an_action_needs_an_item_chosen_and_keeps_the_rest(client, actions, published, visit_setup, db):
    actions.login_as("manager", branches=[visit_setup["branch_id"]])
    page = client.get(PAGE).get_data(as_text=True)
    select = page[page.index('<select id="item"') : page.index("</select>", page.index('<select id="item"'))]
    assert "selected" not in select and '<option value="">Choose an item…</option>' in select
    response = post(client, f"{PAGE}/actions", {"item": "", "what": "Train the team", "due": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose the item this action is for." in page
    assert 'value="Train the team"' in page
    assert_accessible_errors(page)
    assert db["action_items"].count == 0


def test_appeals_show_the_item_section_answer_and_scores(client, actions, appeal_id, visit_setup):
    actions.login_as("reviewer")
    home = client.get("/").get_data(as_text=True)
    assert "Was a loyalty card offered?" in home and "(Greeting)" in home and "answered Not offered" in home
    assert "<code>offer</code>" not in home
    post(
        client,
        f"/appeals/{appeal_id}/decide",
        {"outcome": "upheld", "value": "Offered unprompted", "reason": "CCTV confirms."},
    )
    actions.login_as("manager", branches=[visit_setup["branch_id"]])
    page = client.get(PAGE).get_data(as_text=True)
    appeal = page[page.index(f'id="appeal-{appeal_id}"') :]
    assert "Was a loyalty card offered?" in appeal and "Greeting" in appeal
    assert "Answer: Not offered → Offered unprompted · score 65.0% → 85.0%" in appeal


def test_the_trail_reads_as_sentences(client, actions, submitted, db):
    actions.login_as("reviewer")
    post(
        client,
        f"{PAGE}/correct",
        {"item": "offer", "value": "Only when asked", "reason": "Receipt shows it."},
    )
    page = client.get(PAGE).get_data(as_text=True)
    trail = page[page.index('id="trail"') :]
    assert "corrected</strong> by Reviewer on" in trail
    assert "<li>Item: Was a loyalty card offered? (Greeting)</li>" in trail
    assert "<li>Answer: Not offered → Only when asked</li>" in trail
    assert "<li>Score: 65.0% → 75.0%</li>" in trail
    assert "Why: “Receipt shows it.”" in trail
    assert "{" not in trail  # no raw JSON


def test_the_manager_acknowledges_at_the_top_and_counts_match(client, actions, db, visit_setup):
    auditor, reviewer = actions.user("auditor"), actions.user("reviewer")
    ids = []
    for n, day in enumerate(("2026-10-05", "2026-10-20", "2026-10-12")):
        audit_id = f"0b7f3f5e-8a8f-4a62-9d55-6a3f2b1c9e0{n + 2}"
        document = design_document(
            visit_setup["branch_id"], visit_setup["ana"], visited_at=f"{day}T10:00:00+02:00"
        )
        store.save_audit(db, audit_id, load_document(document), auditor)
        store.submit_audit(db, audit_id, auditor)
        review.approve(db, audit_id, reviewer)
        ids.append(audit_id)
    manager = actions.login_as("manager", branches=[visit_setup["branch_id"]])
    review.acknowledge(db, ids[0], manager)
    home = client.get("/").get_data(as_text=True)
    new = home[home.index("New results") : home.index("Earlier results")]
    assert '<span class="muted">2</span>' in new
    assert re.findall(r"(2026-10-\d\d) ·", new) == ["2026-10-20", "2026-10-12"]  # newest first
    earlier = home[home.index("Earlier results") : home.index("Open action items")]
    assert re.findall(r"(2026-10-\d\d) ·", earlier) == ["2026-10-05"]
    page = client.get(f"/audits/{ids[1]}").get_data(as_text=True)
    assert page.index("Acknowledge this result") < page.index("<h2>Greeting")


def test_a_refused_assignment_comes_back_with_what_was_typed(client, actions, visit_setup, db):
    auditor = actions.user("auditor")
    actions.login_as("admin")
    response = post(
        client,
        "/assignments",
        {
            "branch_id": visit_setup["branch_id"],
            "checklist_id": "store-visit",
            "auditor_id": auditor["user_id"],
            "due_from": "2027-03-10",
            "due_by": "2027-03-01",
            "notes": "Ask about the loyalty card.",
        },
        page="/assignments",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert '<p class="error" id="due_by-error-1" role="alert">Before the start of the window.</p>' in page
    assert "Ask about the loyalty card.</textarea>" in page and 'value="2027-03-10"' in page
    assert "<code>" not in page
    assert_accessible_errors(page)
    assert db["assignments"].count == 0


def test_several_open_appeals_keep_distinct_element_ids(client, actions, published, visit_setup, db):
    manager = actions.user("manager", branches=[visit_setup["branch_id"]])
    _, result = store.audit_score(db, store.get_audit(db, AUDIT_ID))
    lost = review.lost_points(result)
    appeals = review.open_appeals(db, AUDIT_ID, manager, lost[:2], "CCTV shows it.", 7)
    assert len(appeals) == 2
    actions.login_as("reviewer")
    page = client.get(PAGE).get_data(as_text=True)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    for appeal in appeals:
        assert f'<label for="reason-appeal-{appeal}">' in page
