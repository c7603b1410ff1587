"""The access matrix: every route of the app, who may use it, and what everyone else gets.

A route missing from ACCESS fails the test; every later feature adds its rows here.
"""

import re

import pytest

from org import store
from standards import store as standards_store
from surveys.store import survey_token
from tests.conftest import Actions, csrf_header, csrf_token

PUBLIC = "public"
ALL = ("admin", "reviewer", "auditor", "manager")
ROLES = ALL

# endpoint -> roles allowed (or PUBLIC)
ACCESS = {
    "static": PUBLIC,
    "org.login": PUBLIC,
    "org.logout": PUBLIC,
    "org.favicon": PUBLIC,
    "org.company_settings": ("admin",),
    "org.logo": ALL,
    "org.home": ALL,
    "org.regions": ("admin",),
    "org.edit_region": ("admin",),
    "org.branches": ("admin", "reviewer", "manager"),
    "org.new_branch": ("admin",),
    "org.edit_branch": ("admin",),
    "org.add_employee": ("admin",),
    "org.edit_employee": ("admin",),
    "org.users": ("admin",),
    "org.tokens": ALL,
    "org.revoke_token": ALL,
    "org.new_user": ("admin",),
    "org.edit_user": ("admin",),
    "org_api.index": PUBLIC,
    "org_api.openapi": PUBLIC,
    "org_api.list_branches": ALL,
    "org_api.create_branch": ("admin",),
    "org_api.get_branch": ALL,
    "org_api.list_employees": ALL,
    "org_api.create_employee": ("admin",),
    "checklists.index": ("admin", "reviewer"),
    "checklists.show": ("admin", "reviewer"),
    "checklists.import_file": ("admin",),
    "checklists.new": ("admin",),
    "checklists.edit": ("admin",),
    "checklists_api.list_checklists": ALL,
    "checklists_api.create_checklist": ("admin",),
    "checklists_api.validate_checklist": ("admin",),
    "checklists_api.get_checklist": ALL,
    "checklists_api.list_versions": ALL,
    "audits.assignments": ("admin", "reviewer"),
    "audits.start_visit": ("admin", "auditor"),
    "audits.visit": ("admin", "auditor"),
    "audits.save_visit": ("admin", "auditor"),
    "audits.show": ALL,
    "audits.photo": ALL,
    "audits_api.save": ("admin", "auditor"),
    "audits_api.read": ALL,
    "audits_api.submit": ("admin", "auditor"),
    "audits_api.upload_photo": ("admin", "auditor"),
    "audits.service_worker": PUBLIC,
    "audits.review_queue": ("admin", "reviewer"),
    "audits.approve": ("admin", "reviewer"),
    "audits.return_audit": ("admin", "reviewer"),
    "audits.correct": ("admin", "reviewer"),
    "audits.acknowledge": ("manager",),
    "audits.appeal": ("manager",),
    "audits.decide": ("admin", "reviewer"),
    "audits.add_action": ("manager",),
    "audits.action_done": ("manager",),
    "audits_api.approve": ("admin", "reviewer"),
    "audits_api.return_audit": ("admin", "reviewer"),
    "audits_api.correct": ("admin", "reviewer"),
    "audits_api.acknowledge": ("manager",),
    "audits_api.appeal": ("manager",),
    "audits_api.list_appeals": ALL,
    "audits_api.decide": ("admin", "reviewer"),
    "audits_api.add_action": ("manager",),
    "audits_api.action_done": ("manager",),
    "audits_api.trail": ALL,
    "audits_api.list_assignments": ("admin", "reviewer", "auditor"),
    "audits_api.create_assignment": ("admin", "reviewer"),
    "audits_api.get_assignment": ("admin", "reviewer", "auditor"),
    "audits_api.patch_assignment": ("admin", "reviewer"),
    "audits_api.cancel_assignment": ("admin", "reviewer"),
    "audits_api.list_schedules": ("admin", "reviewer"),
    "audits_api.create_schedule": ("admin", "reviewer"),
    "audits_api.stop_schedule": ("admin", "reviewer"),
    "audits_api.plan": ("admin", "reviewer"),
    "org.password_reset": PUBLIC,
    "org.set_password": PUBLIC,
    "org_api.list_users": ("admin",),
    "org_api.invite_user": ("admin",),
    "org_api.import_org": ("admin",),
    "org.import_page": ("admin",),
    "org.import_confirm": ("admin",),
    "audits.edit_assignment": ("admin", "reviewer"),
    "audits.cancel_assignment": ("admin", "reviewer"),
    "audits.schedules_page": ("admin", "reviewer"),
    "audits.stop_schedule": ("admin", "reviewer"),
    "audits.plan_page": ("admin", "reviewer"),
    "audits.actions_page": ("admin", "reviewer", "manager"),
    "audits.action_page": ("admin", "reviewer", "manager"),
    "audits.action_verify": ("admin", "reviewer"),
    "audits_api.list_actions": ("admin", "reviewer", "manager"),
    "audits_api.action_verify": ("admin", "reviewer"),
    "reports_api.comparison": ("admin", "reviewer", "manager"),
    "reports_api.regions": ("admin", "reviewer", "manager"),
    "reports_api.heatmap": ("admin", "reviewer", "manager"),
    "reports_api.trend": ("admin", "reviewer", "manager"),
    "reports_api.missed": ("admin", "reviewer", "manager"),
    "reports_api.employees": ("admin", "reviewer", "manager"),
    "reports.visit_report": ALL,
    "reports.branch_scorecard": ("admin", "reviewer", "manager"),
    "reports.employee_scorecard": ("admin", "reviewer", "manager"),
    "reports.scorecards_zip": ("admin", "reviewer"),
    "reports.dashboard_page": ("admin", "reviewer", "manager"),
    "reports.missed_audits": ("admin", "reviewer", "manager"),
    "reports.comparison_csv": ("admin", "reviewer", "manager"),
    "reports.comparison_xlsx": ("admin", "reviewer", "manager"),
    "reports.items_csv": ("admin", "reviewer", "manager"),
    "reports.items_xlsx": ("admin", "reviewer", "manager"),
    "reports.standards_book": ALL,
    "reports.standards_compliance": ("admin", "reviewer", "manager"),
    "reports.standard_compliance": ("admin", "reviewer", "manager"),
    "reports_api.standards": ("admin", "reviewer", "manager"),
    "standards_api.list_standards": ALL,
    "standards_api.create_standard": ("admin",),
    "standards_api.get_standard": ALL,
    "standards_api.change_standard": ("admin",),
    "standards_api.list_versions": ALL,
    "standards_api.list_quizzes": ("admin", "reviewer", "manager"),
    "standards_api.create_quiz": ("admin",),
    "standards_api.get_quiz": ("admin", "reviewer", "manager"),
    "standards_api.change_quiz": ("admin",),
    "standards_api.invite": ("admin", "manager"),
    "standards_api.employee_quizzes": ("admin", "reviewer", "manager"),
    "standards.index": ALL,
    "standards.new": ("admin",),
    "standards.show": ALL,
    "standards.edit": ("admin",),
    "standards.quizzes_index": ("admin", "reviewer", "manager"),
    "standards.new_quiz": ("admin",),
    "standards.edit_quiz": ("admin",),
    "standards.quiz": ("admin", "reviewer", "manager"),
    "standards.invite": ("admin", "manager"),
    "standards.take_quiz": PUBLIC,
    "reports.branch_page": ("admin", "reviewer", "manager"),
    "reports.survey_poster": ("admin", "reviewer", "manager"),
    "reports_api.nps": ("admin", "reviewer", "manager"),
    "kpis_api.create_kpi": ("admin",),
    "kpis_api.list_kpis": ("admin", "reviewer", "manager"),
    "kpis_api.import_kpi_values": ("admin",),
    "surveys.survey": PUBLIC,
    "surveys_api.survey_link": ("admin", "reviewer", "manager"),
    "audits_api.upload_recording": ("admin", "auditor"),
    "audits.recording": ALL,
    "audits.add_recording": ("admin", "auditor"),
}

AUDIT_ID = "5d0c3b8e-2f7a-4c1d-9e8b-7a6f5e4d3c2b"
PHOTO_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
RECORDING_ID = "3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a"
OTHER_AUDIT_ID = "1e2d3c4b-5a69-4788-9766-554433221100"


def published_audit(db, audit_id, branch_id, auditor, photo_id=None, recording_id=None):
    """A published audit of branch_id by auditor, so that every role that may see it can."""
    from audits import store as audits_store
    from audits.photos import process
    from tests.audits.test_views import jpeg_bytes

    document = {
        "checklist_id": "visit",
        "checklist_version": 1,
        "branch_id": branch_id,
        "visited_at": "2026-10-05T14:30:00+02:00",
        "revision": 1,
        "answers": {"a": {"value": "yes"}},
        "employees": {},
        "employee_descriptions": {},
    }
    audit, _ = audits_store.save_audit(db, audit_id, document, auditor)
    if photo_id:
        audits_store.save_photo(db, photo_id, audit, auditor, process(jpeg_bytes()))
    if recording_id:
        from audits import recordings
        from tests.audits.test_recordings import wav_bytes

        audits_store.save_recording(db, recording_id, audit, auditor, recordings.process(wav_bytes()))
    db["audits"].update(audit_id, {"status": "published", "published_at": "2026-10-06T09:00:00+00:00"})
    appeal_id = (
        db["appeals"]
        .insert(
            {
                "audit_id": audit_id,
                "item_id": "a",
                "text": "t",
                "status": "open",
                "opened_by": auditor["user_id"],
                "opened_at": "2026-10-06",
            }
        )
        .last_pk
    )
    action_id = (
        db["action_items"]
        .insert(
            {
                "audit_id": audit_id,
                "item_id": "a",
                "what": "w",
                "who": "x",
                "due": "2026-11-01",
                "created_by": auditor["user_id"],
                "created_at": "2026-10-06",
            }
        )
        .last_pk
    )
    return appeal_id, action_id


@pytest.fixture
def company(db):
    from checklists import spec
    from checklists.store import save_checklist

    save_checklist(
        db,
        spec.load(
            "id: visit\ntitle: Visit\nsections: [{id: s, title: S, items: [{id: a, text: A, type: yes_no}]}]",
            "yaml",
        ),
    )
    import io

    from PIL import Image

    from org import settings

    logo = io.BytesIO()
    Image.new("RGB", (60, 20)).save(logo, "PNG")
    settings.save_branding(db, "Access test", "#0b5d54", logo.getvalue())
    own = store.create_branch(db, "OWN", "Own branch", "North", staff_informed=True)
    other = store.create_branch(db, "OTH", "Other branch", "South", staff_informed=True)
    auditor = Actions(None, db).user("auditor")
    own_appeal, own_action = published_audit(db, AUDIT_ID, own, auditor, PHOTO_ID, RECORDING_ID)
    other_appeal, other_action = published_audit(db, OTHER_AUDIT_ID, other, auditor)
    own_employee = store.create_employee(db, own, "Ann Own")
    standard = {"code": "STD-1", "title": "Greet", "text": "Greet everyone.", "category": "Greeting"}
    standards_store.create_standard(db, standard)
    question = {"id": "q1", "text": "When?", "standard": "STD-1", "options": ["Now", "Later"], "correct": 0}
    standards_store.save_quiz(
        db, {"id": "quiz", "title": "Quiz", "pass_mark": 80, "questions": [question]}, True
    )
    invitation_token, _expires = standards_store.create_invitation(db, "quiz", own_employee, None)
    from audits import schedules
    from audits import store as audits_store
    from org import accounts

    return {
        "assignment": audits_store.create_assignment(
            db, own, "visit", auditor["user_id"], "", "2099-12-01", "", auditor["user_id"]
        ),
        "schedule": schedules.create_schedule(db, "visit", 1, "month", branch_ids=[own]),
        "link_token": accounts.issue_token(db, auditor["user_id"], accounts.RESET),
        "own": own,
        "other": other,
        "own_employee": own_employee,
        "invitation_token": invitation_token,
        "other_employee": store.create_employee(db, other, "Oli Other"),
        "region": db["branches"].get(own)["region_id"],
        "own_audit": AUDIT_ID,
        "other_audit": OTHER_AUDIT_ID,
        "own_appeal": own_appeal,
        "other_appeal": other_appeal,
        "own_action": own_action,
        "other_action": other_action,
        "token": survey_token(db, own),
    }


def sample_values(company, db, scope: str) -> dict:
    """URL arguments naming an object inside (scope='own') or outside (scope='other') a manager's reach."""
    user_id = db.execute("select user_id from users where role = 'auditor'").fetchone()[0]
    return {
        "branch_id": company[scope],
        "employee_id": company[f"{scope}_employee"],
        "region_id": company["region"],
        "user_id": user_id,
        "filename": "style.css",
        "checklist_id": "visit",
        "audit_id": company[f"{scope}_audit"],
        "photo_id": PHOTO_ID,
        "recording_id": RECORDING_ID,
        "token": company["token"],
        "appeal_id": company[f"{scope}_appeal"],
        "action_id": company[f"{scope}_action"],
        "token_id": 0,
        "code": "STD-1",
        "quiz_id": "quiz",
        "invitation_token": company["invitation_token"],
        "assignment_id": company["assignment"],
        "schedule_id": company["schedule"],
        "link_token": company["link_token"],
        "kind": "branches",
    }


def routes(app):
    """Every (rule, method); reads first, since an edit form posted empty changes what later reads see."""
    pairs = [
        (rule, method) for rule in app.url_map.iter_rules() for method in rule.methods - {"HEAD", "OPTIONS"}
    ]
    return sorted(pairs, key=lambda pair: (pair[1] != "GET", pair[0].rule, pair[1]))


def build(app, rule, values):
    missing = [arg for arg in rule.arguments if arg not in values]
    assert not missing, f"add sample values for {missing} of {rule.rule}"
    with app.test_request_context():
        return app.url_for(rule.endpoint, **{arg: values[arg] for arg in rule.arguments})


def request(client, method, url):
    """One request as a browser or script would send it: forms carry the session's CSRF token,
    scripts send it as X-CSRFToken."""
    if method == "GET":
        return client.get(url)
    if url.startswith("/api/"):
        return client.open(url, method=method, json={}, headers=csrf_header(client))
    return client.open(url, method=method, data={"csrf_token": csrf_token(client)})


def test_every_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - ACCESS.keys() == set(), "add these routes to ACCESS"
    assert ACCESS.keys() - endpoints == set(), "these routes no longer exist"


@pytest.mark.parametrize("who", ["stranger", *ROLES])
def test_each_role_gets_what_the_table_says(app, db, company, who):
    client = app.test_client()
    actions = Actions(client, db)
    for role in ROLES:
        actions.user(role, branches=[company["own"]] if role == "manager" else ())
    values = sample_values(company, db, "own")
    if who != "stranger":
        user = actions.login_as(who, branches=[company["own"]] if who == "manager" else ())
        store.create_token(db, user["user_id"])
        values["token_id"] = store.list_tokens(db, user["user_id"])[0]["token_id"]
    for rule, method in routes(app):
        allowed = ACCESS[rule.endpoint]
        url = build(app, rule, values)
        if rule.endpoint == "org.logout":
            continue  # would end this client's session; tested in tests/org/test_auth.py
        response = request(client, method, url)
        response.close()
        where = f"{who} {method} {url} -> {response.status_code}"
        if allowed == PUBLIC or who in allowed:
            assert response.status_code not in (401, 403, 404, 405), where
            assert response.status_code < 500, where
        elif who == "stranger":
            if url.startswith("/api/"):
                assert response.status_code == 401, where
            else:
                assert response.status_code == 302, where
                assert re.match(r"^/login\?next=", response.headers["Location"]), where
        else:
            assert response.status_code == 403, where


def test_a_manager_gets_404_for_another_branchs_objects(app, db, company):
    client = app.test_client()
    actions = Actions(client, db)
    actions.user("auditor")
    actions.login_as("manager", branches=[company["own"]])
    values = sample_values(company, db, "other")
    checked = 0
    for rule, method in routes(app):
        allowed = ACCESS[rule.endpoint]
        scoped = {"branch_id", "employee_id", "audit_id", "appeal_id", "action_id"} & rule.arguments
        if not scoped or allowed == PUBLIC or "manager" not in allowed:
            continue
        response = request(client, method, build(app, rule, values))
        assert response.status_code == 404, f"{method} {rule.rule} -> {response.status_code}"
        checked += 1
    assert checked >= 3


@pytest.mark.parametrize("who", ROLES)
def test_every_unsafe_request_needs_the_csrf_token(app, db, company, who):
    """Forms and the JSON API alike: the session cookie alone (a cross-site request) changes nothing."""
    client = app.test_client()
    actions = Actions(client, db)
    actions.user("auditor")
    actions.login_as(who, branches=[company["own"]] if who == "manager" else (), scripts=False)
    values = sample_values(company, db, "own")
    before = {
        t: db[t].count for t in ("audits", "appeals", "action_items", "audit_trail", "branches", "users")
    }
    posted = 0
    for rule, method in routes(app):
        if method == "GET" or rule.endpoint == "static":
            continue
        url = build(app, rule, values)
        if url.startswith("/api/"):
            response = client.open(url, method=method, json={})
            assert response.status_code == 400, f"{method} {rule.rule} -> {response.status_code}"
            assert "CSRF" in response.get_json()["error"]
        else:
            response = client.open(url, method=method, data={})
            assert response.status_code in (302, 400, 403), f"{method} {rule.rule} -> {response.status_code}"
            if response.status_code == 302:  # only the login redirect of a stranger may answer otherwise
                assert "/login" in response.headers["Location"]
        posted += 1
    assert posted >= 30
    assert {t: db[t].count for t in before} == before


UUID_ARGUMENT = re.compile(r"<uuid:(\w+)>")


def test_a_malformed_uuid_is_404_on_every_route_that_takes_one(app, db, company):
    """A malformed id matches no route: 404 for everyone, as for an id out of scope (issue 19)."""
    client = app.test_client()
    Actions(client, db).login_as("admin")
    values = sample_values(company, db, "own")
    checked = 0
    for rule, method in routes(app):
        for name in UUID_ARGUMENT.findall(rule.rule):
            url = build(app, rule, {**values, name: "not-a-uuid"})
            response = request(client, method, url)
            assert response.status_code == 404, f"{method} {url} -> {response.status_code}"
            checked += 1
    assert checked >= 20
    for rule in app.url_map.iter_rules():
        plain = rule.arguments & {"audit_id", "photo_id", "recording_id"} - set(
            UUID_ARGUMENT.findall(rule.rule)
        )
        assert not plain, f"{rule.rule}: take {plain} as <uuid:...>"
