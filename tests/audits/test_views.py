"""The visit form without JavaScript: plain form posts from start to submit."""

import io
from datetime import UTC, datetime, timedelta

from PIL import Image

from audits import store
from tests.audits.conftest import AUDIT_ID
from tests.conftest import csrf_token

TODAY = datetime.now(UTC).date().isoformat()
IN_A_MONTH = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()


def jpeg_bytes(size=(800, 600), colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def assign(db, visit_setup, auditor):
    return store.create_assignment(
        db,
        visit_setup["branch_id"],
        "store-visit",
        auditor["user_id"],
        "",
        "2026-12-01",
        "Ask for a phone case",
        1,
    )


def test_auditor_home_lists_assigned_visits_due_soonest_first(client, actions, db, visit_setup):
    auditor = actions.login_as("auditor")
    store.create_assignment(
        db, visit_setup["branch_id"], "store-visit", auditor["user_id"], "", "2026-12-20", "", 1
    )
    store.create_assignment(
        db, visit_setup["branch_id"], "store-visit", auditor["user_id"], "", "2026-01-02", "", 1
    )
    page = client.get("/").get_data(as_text=True)
    assert page.index("due 2026-01-02") < page.index("due 2026-12-20")
    assert "overdue" in page


def test_a_whole_visit_by_plain_form_posts(client, actions, db, visit_setup):
    auditor = actions.login_as("auditor")
    assign(db, visit_setup, auditor)
    audit_id = db.execute("select audit_id from assignments").fetchone()[0]
    url = f"/audits/{audit_id}/form"
    page = client.get(url).get_data(as_text=True)
    assert "Greeted within 30 seconds of entering" in page and "Ana Pérez" in page
    token = csrf_token(client, url)
    form = {
        "csrf_token": token,
        "tz_offset": "120",
        "visited_at": "2026-10-05T14:30",
        "a.greeted-30s": "no",
        "c.greeted-30s": "Nobody looked up",
        "a.wait-minutes": "3,5",
        "a.friendliness": "4",
        "a.offer": "Not offered",
        "a.why-not": "We have no cards today",
        "emp.greeting": str(visit_setup["ben"]),
        "action": "save",
    }
    response = client.post(url, data=form)
    assert response.status_code == 302
    audit = store.get_audit(db, audit_id)
    assert audit["document"]["answers"]["wait-minutes"] == {"value": 3.5}
    assert audit["document"]["visited_at"] == "2026-10-05T14:30:00+02:00"
    assert audit["document"]["employees"] == {"greeting": visit_setup["ben"]}
    assert audit["percent"] == 25.0
    response = client.post(url, data={**form, "action": "submit", "a.greeted-30s": "yes"})
    assert response.status_code == 302 and response.headers["Location"] == f"/audits/{audit_id}"
    audit = store.get_audit(db, audit_id)
    assert (audit["status"], audit["percent"], audit["document"]["revision"]) == ("submitted", 65.0, 2)
    page = client.get(f"/audits/{audit_id}").get_data(as_text=True)
    assert "65.0%" in page and "How this score was computed" in page
    assert client.get(url).status_code == 302  # a submitted audit is locked for the auditor


def test_submit_with_missing_answers_shows_them_and_keeps_what_was_entered(client, actions, db, visit_setup):
    auditor = actions.login_as("auditor")
    assign(db, visit_setup, auditor)
    audit_id = db.execute("select audit_id from assignments").fetchone()[0]
    url = f"/audits/{audit_id}/form"
    form = {
        "csrf_token": csrf_token(client, url),
        "visited_at": "2026-10-05T14:30",
        "a.greeted-30s": "yes",
        "action": "submit",
    }
    response = client.post(url, data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Please fix" in page and "Answer this item." in page
    audit = store.get_audit(db, audit_id)
    assert audit["status"] == "draft" and audit["document"]["answers"] == {"greeted-30s": {"value": "yes"}}


def test_a_bad_value_is_shown_at_its_item_and_nothing_is_lost(client, actions, db, visit_setup):
    auditor = actions.login_as("auditor")
    assign(db, visit_setup, auditor)
    audit_id = db.execute("select audit_id from assignments").fetchone()[0]
    url = f"/audits/{audit_id}/form"
    token = csrf_token(client, url)
    client.post(url, data={"csrf_token": token, "visited_at": "2026-10-05T14:30", "a.greeted-30s": "yes"})
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "visited_at": "2026-10-05T14:30",
            "a.greeted-30s": "yes",
            "a.wait-minutes": "soon",
        },
    )
    assert response.status_code == 422
    assert "Answer with a number." in response.get_data(as_text=True)
    assert store.get_audit(db, audit_id)["document"]["answers"] == {"greeted-30s": {"value": "yes"}}


def test_photos_by_plain_post_are_reencoded_and_shown(client, actions, db, visit_setup):
    auditor = actions.login_as("auditor")
    assign(db, visit_setup, auditor)
    audit_id = db.execute("select audit_id from assignments").fetchone()[0]
    url = f"/audits/{audit_id}/form"
    data = {
        "csrf_token": csrf_token(client, url),
        "visited_at": "2026-10-05T14:30",
        "a.greeted-30s": "no",
        "p.greeted-30s": (io.BytesIO(jpeg_bytes((3000, 2000))), "shop.jpg"),
    }
    from checklists import spec
    from checklists.store import save_checklist
    from tests.conftest import VALID

    save_checklist(db, spec.load(VALID.replace("photo_on_fail: false", "photo_on_fail: true"), "yaml"))
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    answer = store.get_audit(db, audit_id)["document"]["answers"]["greeted-30s"]
    [photo_id] = answer["photos"]
    info = db["photos"].get(photo_id)
    assert (info["width"], info["height"]) == (1600, 1067)
    thumb = client.get(f"/audits/{audit_id}/photos/{photo_id}?size=thumb")
    assert thumb.mimetype == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.data)).size) == 320


def test_unscheduled_visit_starts_from_a_branch_and_checklist(client, actions, db, visit_setup):
    actions.login_as("auditor")
    response = client.post(
        "/visits/new",
        data={
            "csrf_token": csrf_token(client, "/visits/new"),
            "branch_id": visit_setup["branch_id"],
            "checklist_id": "store-visit",
        },
    )
    assert response.status_code == 302
    form_url = response.headers["Location"]
    assert "/form?branch=" in form_url
    assert "Greeted within 30 seconds" in client.get(form_url).get_data(as_text=True)


def test_head_office_assigns_a_visit(client, actions, db, visit_setup):
    auditor = actions.user("auditor")
    actions.login_as("admin")
    response = client.post(
        "/assignments",
        data={
            "csrf_token": csrf_token(client, "/assignments"),
            "branch_id": visit_setup["branch_id"],
            "checklist_id": "store-visit",
            "auditor_id": auditor["user_id"],
            "due_from": TODAY,
            "due_by": IN_A_MONTH,
        },
    )
    assert response.status_code == 302
    row = db.execute("select auditor_id, due_from, due_by from assignments").fetchone()
    assert row == (auditor["user_id"], TODAY, IN_A_MONTH)
    assert "Covent Garden" in client.get("/assignments").get_data(as_text=True)


def test_another_auditors_visit_is_404(client, actions, db, visit_setup):
    owner = actions.user("auditor", email="owner@example.com")
    assign(db, visit_setup, owner)
    audit_id = db.execute("select audit_id from assignments").fetchone()[0]
    actions.login_as("auditor")
    assert client.get(f"/audits/{audit_id}/form").status_code == 404
    assert client.get(f"/audits/{AUDIT_ID}/form").status_code == 404
    assert client.get("/audits/not-a-uuid/form").status_code == 404


def test_unscheduled_visits_can_be_switched_off(app, client, actions, db, visit_setup):
    app.config["ALLOW_UNSCHEDULED_VISITS"] = False
    actions.login_as("auditor")
    assert "Start an unscheduled visit" not in client.get("/").get_data(as_text=True)
    assert client.get("/visits/new").status_code == 403
    assert (
        client.get(
            f"/audits/{AUDIT_ID}/form?branch={visit_setup['branch_id']}&checklist=store-visit"
        ).status_code
        == 404
    )
