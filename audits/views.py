"""HTML pages: assigning visits, the auditor's visits, the visit form (works as plain posts;
static/visit.js adds autosave and offline), the audit page and photos."""

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, flash, g, redirect, render_template, request, url_for
from marshmallow import ValidationError
from wtforms import SelectChoice

from audits import photos, review, store
from audits.document import moment
from audits.formdata import answer_from_field, document_from_form, item_hints, local_input
from audits.forms import (
    ActionForm,
    AppealForm,
    AssignmentForm,
    CorrectionForm,
    DecisionForm,
    ReasonForm,
    StartVisitForm,
)
from audits.schemas import UUID_RE, load_document
from checklists.scoring import explain, format_percent
from checklists.store import list_checklists, load_checklist
from db import get_db
from org import store as org_store
from org.auth import require
from org.errors import AppError, flatten_messages
from org.roles import ADMIN, AUDITOR, MANAGER, REVIEWER
from org.views import home_sections

bp = Blueprint("audits", __name__)


def _audit_uuid(audit_id: str) -> str:
    if not UUID_RE.match(audit_id):
        raise AppError(f"Audit {audit_id} does not exist.", 404)
    return audit_id.lower()


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


# Home page parts


def _auditor_home(db, user) -> dict:
    visits = store.list_assignments(db, auditor_id=user["user_id"], open_only=True)
    return {
        "template": "audits/_home_auditor.html",
        "visits": visits,
        "today": _today(),
        "recent": store.list_audits_of_auditor(db, user["user_id"])[:10],
    }


def _office_home(db, user) -> dict:
    open_visits = store.list_assignments(db, open_only=True)
    today = _today()
    return {
        "template": "audits/_home_office.html",
        "overdue": [v for v in open_visits if v["due_by"] < today],
        "upcoming": [v for v in open_visits if v["due_by"] >= today][:10],
    }


def _review_home(db, user) -> dict:
    return {
        "template": "audits/_home_review.html",
        "queue": review.review_queue(db),
        "appeals": review.appeals_list(db),
    }


def _manager_home(db, user) -> dict:
    branch_ids = set(org_store.manager_branch_ids(db, user["user_id"]))
    results = review.published_for_manager(db, user)
    return {
        "template": "audits/_home_manager.html",
        "new": [r for r in results if not r["acknowledged_at"]],
        "recent": results[:20],
        "actions": review.actions_list(db, branch_ids=branch_ids, open_only=True),
        "appeals": review.appeals_list(db, branch_ids=branch_ids),
    }


home_sections.setdefault(AUDITOR, []).append(_auditor_home)
for _role in (REVIEWER, ADMIN):
    home_sections.setdefault(_role, []).extend([_review_home, _office_home])
home_sections.setdefault(MANAGER, []).insert(0, _manager_home)


# Assignments


def _choices(form, db) -> None:
    form.branch_id.choices = [
        SelectChoice(b["branch_id"], f"{b['code']} · {b['name']}")
        for b in org_store.list_branches(db)
        if b["active"]
    ]
    form.checklist_id.choices = [SelectChoice(c["checklist_id"], c["title"]) for c in list_checklists(db)]
    if hasattr(form, "auditor_id"):
        form.auditor_id.choices = [
            SelectChoice(u["user_id"], u["name"] or u["email"])
            for u in org_store.list_users(db)
            if u["role"] == AUDITOR and u["active"]
        ]


@bp.route("/assignments", methods=["GET", "POST"])
@require(ADMIN, REVIEWER)
def assignments():
    db = get_db()
    form = AssignmentForm()
    _choices(form, db)
    if form.validate_on_submit():
        store.create_assignment(
            db,
            form.branch_id.data,
            form.checklist_id.data,
            form.auditor_id.data,
            form.due_from.data.isoformat() if form.due_from.data else "",
            form.due_by.data.isoformat(),
            form.notes.data or "",
            g.user["user_id"],
        )
        flash("Visit assigned.")
        return redirect(url_for("audits.assignments"))
    rows = store.list_assignments(db)
    today = _today()
    groups = {
        "Overdue": [r for r in rows if r["status"] in (None, "draft", "returned") and r["due_by"] < today],
        "Upcoming": [r for r in rows if r["status"] in (None, "draft", "returned") and r["due_by"] >= today],
        "Done": [r for r in rows if r["status"] in ("submitted", "published")],
    }
    status = 400 if form.errors else 200
    return render_template("audits/assignments.html", form=form, groups=groups), status


@bp.route("/visits/new", methods=["GET", "POST"])
@require(AUDITOR, ADMIN)
def start_visit():
    if g.user["role"] == AUDITOR and not current_app.config["ALLOW_UNSCHEDULED_VISITS"]:
        raise AppError("Only assigned visits can be made; ask head office to assign this one.", 403)
    db = get_db()
    form = StartVisitForm()
    _choices(form, db)
    if form.validate_on_submit():
        audit_id = str(uuid.uuid4())
        return redirect(
            url_for(
                "audits.visit",
                audit_id=audit_id,
                branch=form.branch_id.data,
                checklist=form.checklist_id.data,
            )
        )
    return render_template("audits/start.html", form=form)


# The visit form


def _new_document(db, audit_id: str) -> tuple[dict, dict | None]:
    """The starting document of a visit not yet saved: from its assignment or the query string."""
    assignment = store.assignment_by_audit(db, audit_id)
    if assignment is not None:
        if assignment["auditor_id"] != g.user["user_id"] and g.user["role"] != ADMIN:
            raise AppError(f"Audit {audit_id} does not exist.", 404)
        branch_id, checklist_id = assignment["branch_id"], assignment["checklist_id"]
    else:
        branch_id, checklist_id = request.args.get("branch", type=int), request.args.get("checklist", "")
        unscheduled = g.user["role"] == ADMIN or current_app.config["ALLOW_UNSCHEDULED_VISITS"]
        if not branch_id or not checklist_id or not unscheduled:
            raise AppError(f"Audit {audit_id} does not exist.", 404)
    checklist = load_checklist(db, checklist_id)
    org_store.get_branch(db, branch_id)
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    document = {
        "checklist_id": checklist.id,
        "checklist_version": checklist.version,
        "branch_id": branch_id,
        "visited_at": datetime.now(zone).isoformat(timespec="seconds"),
        "revision": 0,
        "answers": {},
        "employees": {},
        "employee_descriptions": {},
    }
    return document, assignment


def _visit_page(audit_id: str, document: dict, status: str, errors: dict | None = None, code: int = 200):
    db = get_db()
    checklist = load_checklist(db, document["checklist_id"], document["checklist_version"])
    branch = org_store.get_branch(db, document["branch_id"])
    employees = (
        org_store.list_employees(db, branch["branch_id"], active_only=True)
        if branch["staff_informed"]
        else []
    )
    try:
        audit = store.get_audit(db, audit_id)
    except AppError:
        audit = None  # a visit not saved yet: nothing is scored so far
    saved = (
        {**store.audit_view(db, audit), "returned_reason": audit.get("returned_reason")} if audit else None
    )
    return render_template(
        "audits/visit.html",
        audit_id=audit_id,
        document=document,
        checklist=checklist,
        branch=branch,
        employees=employees,
        status=status,
        errors=errors or {},
        saved=saved,
        visited_local=local_input(document["visited_at"]),
        offset_minutes=int(moment(document["visited_at"]).utcoffset().total_seconds() // 60),
        assignment=store.assignment_by_audit(db, audit_id),
        hints=item_hints(checklist),
        returned_reason=(saved or {}).get("returned_reason"),
    ), code


@bp.get("/audits/<audit_id>/form")
@require(AUDITOR, ADMIN)
def visit(audit_id):
    audit_id = _audit_uuid(audit_id)
    db = get_db()
    try:
        audit = store.audit_in_scope(db, audit_id, g.user)
    except AppError:
        document, _assignment = _new_document(db, audit_id)
        return _visit_page(audit_id, document, "new")
    if audit["status"] in store.LOCKED:
        return redirect(url_for("audits.show", audit_id=audit_id))
    return _visit_page(audit_id, audit["document"], audit["status"])


def _form_photos(audit: dict) -> dict[str, list[str]]:
    """Store the photos of a plain form post; their ids by field name."""
    db, ids = get_db(), {}
    for field_name, upload in request.files.items(multi=True):
        data = upload.read()
        if not data:
            continue
        try:
            processed = photos.process(data)
        except photos.PhotoError as exc:
            raise AppError(str(exc), 422, {field_name: [str(exc)]}) from None
        photo_id = str(uuid.uuid4())
        store.save_photo(db, photo_id, audit, g.user, processed)
        ids.setdefault(field_name, []).append(photo_id)
    return ids


@bp.post("/audits/<audit_id>/form")
@require(AUDITOR, ADMIN)
def save_visit(audit_id):
    audit_id = _audit_uuid(audit_id)
    db = get_db()
    try:
        audit = store.audit_in_scope(db, audit_id, g.user)
        base, status = audit["document"], audit["status"]
    except AppError:
        audit = None
        base, _assignment = _new_document(db, audit_id)
        status = "new"
    if audit is not None and audit["status"] in store.LOCKED:
        return redirect(url_for("audits.show", audit_id=audit_id))
    checklist = load_checklist(db, base["checklist_id"], base["checklist_version"])
    offset = request.form.get("tz_offset", type=int)
    if offset is None:
        offset = int(moment(base["visited_at"]).utcoffset().total_seconds() // 60)
    try:
        if audit is None:
            audit, _outcome = store.save_audit(db, audit_id, load_document(base), g.user)
        new_photos = _form_photos(audit)
        raw = document_from_form(checklist, request.form, audit["document"], offset, new_photos)
        document = load_document(raw)
        store.save_audit(db, audit_id, document, g.user)
        if request.form.get("action") == "submit":
            store.submit_audit(db, audit_id, g.user)
            flash("Audit submitted. Thank you!")
            return redirect(url_for("audits.show", audit_id=audit_id))
    except ValidationError as exc:
        return _visit_page(audit_id, raw, status, flatten_messages(exc.messages), 422)
    except AppError as exc:
        if exc.status != 422:
            raise
        current = store.get_audit(db, audit_id)["document"]
        return _visit_page(audit_id, current, status, exc.fields, 422)
    flash("Saved.")
    return redirect(url_for("audits.visit", audit_id=audit_id))


@bp.after_app_request
def _name_the_pages_user(response):
    """Name the user a page was made for, so the service worker never shows it to anyone else."""
    if response.mimetype == "text/html":
        user = g.get("user")
        response.headers["X-Visitscore-User"] = str(user["user_id"]) if user else "none"
    return response


@bp.get("/sw.js")
def service_worker():
    """The service worker, served from the root so that it may keep every page of the app."""
    response = current_app.send_static_file("sw.js")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


# Reading


@bp.get("/audits/<audit_id>")
@require()
def show(audit_id):
    db = get_db()
    audit = store.audit_in_scope(db, _audit_uuid(audit_id), g.user)
    checklist, result = store.audit_score(db, audit)
    branch = org_store.get_branch(db, audit["branch_id"])
    staff = {e["employee_id"]: e["name"] for e in org_store.list_employees(db, branch["branch_id"])}
    role = g.user["role"]
    lost = review.lost_points(result)
    deadline = (
        review.appeal_deadline(audit, current_app.config["APPEAL_DAYS"]) if audit["published_at"] else None
    )
    appeal_form = AppealForm()
    appeal_form.items.choices = [SelectChoice(i, checklist.item(i).text) for i in lost]
    action_form = ActionForm()
    action_form.item.choices = [SelectChoice(i, checklist.item(i).text) for i in lost]
    return render_template(
        "audits/show.html",
        audit=audit,
        document=audit["document"],
        checklist=checklist,
        result=result,
        branch=branch,
        staff=staff,
        explanation=explain(checklist, result),
        format_percent=format_percent,
        office=role in (ADMIN, REVIEWER),
        auditor=org_store.get_user(db, audit["auditor_id"]) if role in (ADMIN, REVIEWER) else None,
        trail=review.trail(db, audit["audit_id"], hide_auditor=role == MANAGER),
        appeals=review.appeals_list(db, status=None, audit_id=audit["audit_id"]),
        actions=review.actions_list(db, audit_id=audit["audit_id"]),
        lost=lost,
        deadline=deadline,
        appeal_open=deadline is not None and datetime.now(UTC).date() <= deadline,
        reason_form=ReasonForm(),
        correction_form=CorrectionForm(),
        decision_form=DecisionForm(),
        appeal_form=appeal_form,
        action_form=action_form,
    )


# Review and the branch's answers to it (HTML forms; the same actions as the JSON API)


def _done(audit_id: str, action, success: str):
    """Run a review action; say what happened, or why it was refused, on the audit page."""
    try:
        action()
    except AppError as exc:
        if exc.status == 404:
            raise
        details = " ".join(f"{path}: {' '.join(m)}" for path, m in exc.fields.items())
        flash(f"{exc.message} {details}".strip(), "error")
    else:
        flash(success)
    return redirect(url_for("audits.show", audit_id=audit_id))


def _form_error(form) -> AppError:
    fields = {name: list(errors) for name, errors in form.errors.items()}
    return AppError("Please fill in every field.", 422, fields)


@bp.get("/review")
@require(REVIEWER, ADMIN)
def review_queue():
    db = get_db()
    filters = {
        "branch_id": request.args.get("branch", type=int),
        "auditor_id": request.args.get("auditor", type=int),
        "checklist_id": request.args.get("checklist") or None,
    }
    return render_template(
        "audits/review.html",
        queue=review.review_queue(db, **filters),
        appeals=review.appeals_list(db),
        branches=org_store.list_branches(db),
        auditors=[u for u in org_store.list_users(db) if u["role"] == AUDITOR],
        checklists=list_checklists(db),
        filters=filters,
    )


@bp.post("/audits/<audit_id>/approve")
@require(REVIEWER, ADMIN)
def approve(audit_id):
    audit_id = _audit_uuid(audit_id)
    return _done(
        audit_id, lambda: review.approve(get_db(), audit_id, g.user), "Approved and published to the branch."
    )


@bp.post("/audits/<audit_id>/return")
@require(REVIEWER, ADMIN)
def return_audit(audit_id):
    audit_id = _audit_uuid(audit_id)
    form = ReasonForm()

    def action():
        if not form.validate_on_submit():
            raise _form_error(form)
        review.return_to_auditor(get_db(), audit_id, g.user, form.reason.data)

    return _done(audit_id, action, "Returned to the auditor.")


@bp.post("/audits/<audit_id>/correct")
@require(REVIEWER, ADMIN)
def correct(audit_id):
    audit_id = _audit_uuid(audit_id)
    form = CorrectionForm()

    def action():
        if not form.validate_on_submit():
            raise _form_error(form)
        db = get_db()
        checklist, _result = store.audit_score(db, store.audit_in_scope(db, audit_id, g.user))
        try:
            kind = checklist.item(form.item.data).type
        except KeyError:
            raise AppError(f"No item {form.item.data!r} in this checklist.", 422) from None
        review.correct(
            db, audit_id, g.user, form.item.data, answer_from_field(kind, form.value.data), form.reason.data
        )

    return _done(audit_id, action, "Answer corrected; the score was recomputed.")


@bp.post("/audits/<audit_id>/acknowledge")
@require(MANAGER)
def acknowledge(audit_id):
    audit_id = _audit_uuid(audit_id)
    return _done(audit_id, lambda: review.acknowledge(get_db(), audit_id, g.user), "Acknowledged.")


@bp.post("/audits/<audit_id>/appeal")
@require(MANAGER)
def appeal(audit_id):
    audit_id = _audit_uuid(audit_id)
    db = get_db()
    audit = store.audit_in_scope(db, audit_id, g.user)
    form = AppealForm()
    form.items.choices = [SelectChoice(i) for i in review.lost_points(store.audit_score(db, audit)[1])]

    def action():
        if not form.validate_on_submit():
            raise _form_error(form)
        evidence = []
        upload = form.photo.data
        if getattr(upload, "filename", None):
            try:
                processed = photos.process(upload.read())
            except photos.PhotoError as exc:
                raise AppError(str(exc), 422) from None
            photo_id = str(uuid.uuid4())
            store.save_photo(db, photo_id, audit, g.user, processed, evidence=True)
            evidence.append(photo_id)
        days = current_app.config["APPEAL_DAYS"]
        review.open_appeals(db, audit_id, g.user, form.items.data, form.text.data, days, evidence)

    return _done(audit_id, action, "Appeal sent to head office.")


@bp.post("/appeals/<int:appeal_id>/decide")
@require(REVIEWER, ADMIN)
def decide(appeal_id):
    db = get_db()
    appeal_row = review.get_appeal(db, appeal_id, g.user)
    form = DecisionForm()

    def action():
        if not form.validate_on_submit():
            raise _form_error(form)
        answer = None
        if form.outcome.data == "upheld" and form.value.data:
            audit = store.get_audit(db, appeal_row["audit_id"])
            kind = store.audit_score(db, audit)[0].item(appeal_row["item_id"]).type
            answer = answer_from_field(kind, form.value.data)
        review.decide_appeal(db, appeal_id, g.user, form.outcome.data, form.reason.data, answer)

    return _done(appeal_row["audit_id"], action, "Appeal decided.")


@bp.post("/audits/<audit_id>/actions")
@require(MANAGER)
def add_action(audit_id):
    audit_id = _audit_uuid(audit_id)
    db = get_db()
    audit = store.audit_in_scope(db, audit_id, g.user)
    form = ActionForm()
    form.item.choices = [SelectChoice(i) for i in review.lost_points(store.audit_score(db, audit)[1])]

    def action():
        if not form.validate_on_submit():
            raise _form_error(form)
        review.add_action(
            db, audit_id, g.user, form.item.data, form.what.data, form.who.data, form.due.data.isoformat()
        )

    return _done(audit_id, action, "Action added to the plan.")


@bp.post("/actions/<int:action_id>/done")
@require(MANAGER)
def action_done(action_id):
    action_row = review.get_action(get_db(), action_id, g.user)
    return _done(
        action_row["audit_id"], lambda: review.complete_action(get_db(), action_id, g.user), "Marked done."
    )


@bp.get("/audits/<audit_id>/photos/<photo_id>")
@require()
def photo(audit_id, photo_id):
    db = get_db()
    store.audit_in_scope(db, _audit_uuid(audit_id), g.user)
    info = store.get_photo_info(db, _audit_uuid(photo_id))
    if info["audit_id"] != audit_id.lower():
        raise AppError(f"Photo {photo_id} does not exist.", 404)
    data = store.photo_bytes(db, info["photo_id"], thumbnail=request.args.get("size") == "thumb")
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response
