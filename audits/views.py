"""HTML pages: assigning visits, the auditor's visits, the visit form (works as plain posts;
static/visit.js adds autosave and offline), the audit page and photos."""

import io
import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from marshmallow import ValidationError
from wtforms import SelectChoice

from audits import notices, photos, recordings, review, schedules, store
from audits.formdata import answer_from_field, document_from_form, item_hints, local_input, offset_of
from audits.forms import (
    MAX_VISITS,
    ActionDoneForm,
    ActionForm,
    ActionVerifyForm,
    AppealForm,
    AssignmentEditForm,
    AssignmentForm,
    CancelForm,
    CorrectionForm,
    DecisionForm,
    PlanForm,
    ReasonForm,
    ScheduleForm,
    StartVisitForm,
)
from audits.schemas import UUID_RE, load_document
from checklists.scoring import explain
from checklists.store import list_checklists, load_checklist
from db import get_db, transaction
from errors import AppError, flatten_messages
from org import store as org_store
from org.auth import require
from org.forms import attach_errors
from org.roles import ADMIN, AUDITOR, MANAGER, REVIEWER
from reports import store as reports_store

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
        "overdue_actions": review.actions_list(db, state="overdue", today=today),
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
        "recent": [r for r in results if r["acknowledged_at"]][:20],
        "actions": review.actions_list(db, branch_ids=branch_ids, open_only=True),
        "appeals": review.appeals_list(db, branch_ids=branch_ids),
        "staff": scorecard_staff(db, org_store.list_branches(db, branch_ids)),
    }


def scorecard_staff(db, branches: list[dict]) -> list[dict]:
    """The employees of the informed branches among these, each with the period their scorecard
    opens on: the branch's newest month with a published audit (else this month)."""
    out = []
    for branch in branches:
        if not branch["staff_informed"]:
            continue  # staff not told they may be scored by name: no employee scorecards exist
        period = reports_store.latest_month(db, {branch["branch_id"]})
        for employee in org_store.list_employees(db, branch["branch_id"]):
            out.append({**employee, "branch": branch["name"], "period": period})
    return out


# The parts of each role's home page this package makes (create_app registers them).
HOME_SECTIONS = {
    AUDITOR: [_auditor_home],
    REVIEWER: [_review_home, _office_home],
    ADMIN: [_review_home, _office_home],
    MANAGER: [_manager_home],
}


# Assignments


def _choices(form, db) -> None:
    form.branch_id.choices = [
        SelectChoice(b["branch_id"], f"{b['code']} · {b['name']}")
        for b in org_store.list_branches(db)
        if b["active"]
    ]
    form.checklist_id.choices = [SelectChoice(c["checklist_id"], c["title"]) for c in list_checklists(db)]
    if hasattr(form, "auditor_id"):
        _auditor_choices(form, db)


def _auditor_choices(form, db) -> None:
    form.auditor_id.choices = [
        SelectChoice(u["user_id"], u["name"] or u["email"])
        for u in org_store.list_users(db)
        if u["role"] == AUDITOR and u["active"]
    ]


def _rotation_warning(form, db, branch_id, checklist_id, auditor_id, due_by, exclude=None) -> bool:
    """Put the rotation conflict next to the auditor field unless the form overrides it; True if warned."""
    conflict = store.rotation_conflict(db, branch_id, checklist_id, auditor_id, due_by, exclude)
    if conflict and not form.override.data:
        form.auditor_id.errors.append(conflict)
        return True
    return False


@bp.route("/assignments", methods=["GET", "POST"])
@require(ADMIN, REVIEWER)
def assignments():
    db = get_db()
    form = AssignmentForm()
    _choices(form, db)
    if form.validate_on_submit() and not _rotation_warning(
        form,
        db,
        form.branch_id.data,
        form.checklist_id.data,
        form.auditor_id.data,
        form.due_by.data.isoformat(),
    ):
        try:
            with transaction(db):
                assignment_id = store.create_assignment(
                    db,
                    form.branch_id.data,
                    form.checklist_id.data,
                    form.auditor_id.data,
                    form.due_from.data.isoformat() if form.due_from.data else "",
                    form.due_by.data.isoformat(),
                    form.notes.data or "",
                    g.user["user_id"],
                )
                notices.visit_assigned(db, store.get_assignment(db, assignment_id))
        except AppError as exc:
            if exc.status == 404:
                raise
            attach_errors(form, exc, "due_by")
        else:
            flash("Visit assigned; the auditor was mailed.")
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


@bp.route("/assignments/<int:assignment_id>/edit", methods=["GET", "POST"])
@require(ADMIN, REVIEWER)
def edit_assignment(assignment_id):
    """Reassign a visit (a saved draft moves along) or move its due date."""
    db = get_db()
    row = store.get_assignment(db, assignment_id)
    form = AssignmentEditForm(
        data={"auditor_id": row["auditor_id"], "due_by": date.fromisoformat(row["due_by"])}
    )
    _auditor_choices(form, db)
    locked = row["cancelled_at"] or row["status"] in store.LOCKED
    if not locked and form.validate_on_submit():
        moved = form.auditor_id.data != row["auditor_id"]
        due_by = form.due_by.data.isoformat()
        warned = moved and _rotation_warning(
            form, db, row["branch_id"], row["checklist_id"], form.auditor_id.data, due_by, assignment_id
        )
        if not warned:
            with transaction(db):
                updated, moved = store.reassign(db, assignment_id, form.auditor_id.data, due_by)
                if moved or due_by != row["due_by"]:
                    notices.visit_assigned(db, updated)
            flash("Visit reassigned; the auditor was mailed." if moved else "Visit saved.")
            return redirect(url_for("audits.assignments"))
    status = 400 if form.errors else 200
    return render_template("audits/assignment_edit.html", form=form, row=row, locked=locked), status


@bp.post("/assignments/<int:assignment_id>/cancel")
@require(ADMIN, REVIEWER)
def cancel_assignment(assignment_id):
    form = CancelForm()
    if not form.validate_on_submit():
        raise AppError("The form expired; please try again.", 400)
    try:
        store.cancel_assignment(get_db(), assignment_id)
    except AppError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return redirect(url_for("audits.edit_assignment", assignment_id=assignment_id))
    flash("Visit cancelled.")
    return redirect(url_for("audits.assignments"))


# Schedules and the plan of a period


def _schedule_form(db) -> ScheduleForm:
    needed = current_app.extensions["suggested_visits"](db)
    form = ScheduleForm(visits=min(needed, MAX_VISITS))
    form.visits.description = (
        f"{needed} audits a period tell a branch 5 points from the company mean apart at 90%, "
        "given today's spread of audit scores."
    )
    form.checklist_id.choices = [SelectChoice(c["checklist_id"], c["title"]) for c in list_checklists(db)]
    form.region_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(r["region_id"], r["name"]) for r in org_store.list_regions(db)
    ]
    form.branch_ids.choices = [
        SelectChoice(b["branch_id"], f"{b['code']} · {b['name']}")
        for b in org_store.list_branches(db)
        if b["active"]
    ]
    return form


def _next_month() -> str:
    today = datetime.now(UTC).date()
    return f"{today.year + today.month // 12}-{today.month % 12 + 1:02d}"


@bp.route("/schedules", methods=["GET", "POST"])
@require(ADMIN, REVIEWER)
def schedules_page():
    db = get_db()
    form = _schedule_form(db)
    if form.validate_on_submit():
        region = org_store.get_region(db, form.region_id.data)["name"] if form.region_id.data else None
        schedules.create_schedule(
            db,
            form.checklist_id.data,
            form.visits.data,
            form.every.data,
            branch_ids=None if region else form.branch_ids.data,
            region=region,
            rotation_days=form.rotation_days.data,
            user_id=g.user["user_id"],
        )
        flash("Schedule saved. Check the plan of the next period below before you create it.")
        return redirect(url_for("audits.schedules_page"))
    plan_form = PlanForm(formdata=None, period=_next_month())
    status = 400 if form.errors else 200
    return render_template(
        "audits/schedules.html", form=form, plan_form=plan_form, schedules=schedules.list_schedules(db)
    ), status


@bp.post("/schedules/<int:schedule_id>/stop")
@require(ADMIN, REVIEWER)
def stop_schedule(schedule_id):
    if not CancelForm().validate_on_submit():
        raise AppError("The form expired; please try again.", 400)
    schedules.stop_schedule(get_db(), schedule_id)
    flash("Schedule stopped; the visits it planned stay.")
    return redirect(url_for("audits.schedules_page"))


@bp.route("/schedules/plan", methods=["GET", "POST"])
@require(ADMIN, REVIEWER)
def plan_page():
    """The plan of a period before it is created (a dry run), then created on confirmation."""
    db = get_db()
    form = PlanForm(
        request.form if request.method == "POST" else request.args, meta={"csrf": request.method == "POST"}
    )
    if not form.validate():
        return render_template(
            "audits/plan.html", form=form, rows=None
        ), 400 if request.args or request.form else 200
    period = form.period.data
    if request.method == "POST":
        rows = schedules.plan_visits(db, period, user_id=g.user["user_id"])
        flash(f"{len(rows)} visit(s) created for {period}; the auditors were mailed.")
        return redirect(url_for("audits.assignments"))
    rows = schedules.plan_visits(db, period, dry_run=True)
    load = {}
    for row in rows:
        load[row["auditor"]] = load.get(row["auditor"], 0) + 1
    return render_template("audits/plan.html", form=form, rows=rows, load=load)


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
        offset_minutes=offset_of(document["visited_at"]),
        assignment=store.assignment_by_audit(db, audit_id),
        hints=item_hints(checklist),
        returned_reason=(saved or {}).get("returned_reason"),
        recordings=store.recordings_of(db, audit_id) if audit else [],
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
        offset = offset_of(base["visited_at"])
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


def recording_upload_limit() -> None:
    """Let recordings (up to 25 MB) past the app-wide body limit; registered before the CSRF check,
    which reads the body first."""
    if request.endpoint in ("audits.add_recording", "audits_api.upload_recording"):
        request.max_content_length = recordings.MAX_BYTES + 64 * 1024  # room for the multipart envelope


@bp.post("/audits/<audit_id>/recordings")
@require(AUDITOR, ADMIN)
def add_recording(audit_id):
    """Attach a call recording from the visit page (a plain form; the API does the same by UUID)."""
    audit_id = _audit_uuid(audit_id)
    db = get_db()
    try:
        audit = store.audit_in_scope(db, audit_id, g.user)
    except AppError:
        document, _assignment = _new_document(db, audit_id)
        audit, _outcome = store.save_audit(db, audit_id, load_document(document), g.user)
    upload = request.files.get("recording")
    data = upload.read() if upload else b""
    try:
        if not data:
            raise AppError("Choose a recording to upload.", 422)
        try:
            processed = recordings.process(data)
        except recordings.RecordingError as exc:
            raise AppError(str(exc), exc.status) from None
        store.save_recording(db, str(uuid.uuid4()), audit, g.user, processed)
    except AppError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash("Recording added.")
    return redirect(url_for("audits.visit", audit_id=audit_id) + "#recordings")


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
    return _audit_page(_audit_uuid(audit_id))


def _audit_page(audit_id: str, status: int = 200, **forms):
    """The audit page; a form given by name (answered with errors) replaces its empty twin."""
    db = get_db()
    audit = store.audit_in_scope(db, audit_id, g.user)
    checklist, result = store.audit_score(db, audit)
    branch = org_store.get_branch(db, audit["branch_id"])
    staff = {e["employee_id"]: e["name"] for e in org_store.list_employees(db, branch["branch_id"])}
    role = g.user["role"]
    lost = review.lost_points(result)
    deadline = (
        review.appeal_deadline(audit, current_app.config["APPEAL_DAYS"]) if audit["published_at"] else None
    )
    appeal_form = forms.get("appeal_form") or AppealForm(formdata=None)
    appeal_form.items.choices = [SelectChoice(i, checklist.item(i).text) for i in lost]
    action_form = forms.get("action_form") or ActionForm(formdata=None, assignee=g.user["user_id"])
    action_form.item.choices = [SelectChoice("", "Choose an item…")] + [
        SelectChoice(i, checklist.item(i).text) for i in lost
    ]
    action_form.assignee.choices = _assignee_choices(db, audit["branch_id"])
    page = render_template(
        "audits/show.html",
        audit=audit,
        document=store.shown_document(db, audit),
        checklist=checklist,
        result=result,
        branch=branch,
        staff=staff,
        explanation=explain(checklist, result),
        office=role in (ADMIN, REVIEWER),
        auditor=org_store.get_user(db, audit["auditor_id"]) if role in (ADMIN, REVIEWER) else None,
        trail=review.trail(db, audit, hide_shopper=role == MANAGER, checklist=checklist),
        appeals=review.appeals_list(db, status=None, audit_id=audit["audit_id"]),
        actions=review.actions_list(db, audit_id=audit["audit_id"]),
        lost=lost,
        recordings=store.recordings_of(db, audit["audit_id"]),
        may_hear=store.may_hear_recordings(db, audit, g.user),
        deadline=deadline,
        appeal_open=deadline is not None and datetime.now(UTC).date() <= deadline,
        reason_form=forms.get("reason_form") or ReasonForm(formdata=None),
        correction_form=forms.get("correction_form") or CorrectionForm(formdata=None),
        decision_form=forms.get("decision_form") or DecisionForm(formdata=None),
        blank_decision_form=DecisionForm(formdata=None),
        decided_appeal=forms.get("decided_appeal"),
        appeal_form=appeal_form,
        action_form=action_form,
        today=_today(),
    )
    return page, status


# Review and the branch's answers to it (HTML forms; the same actions as the JSON API)


def _done(audit_id: str, action, success: str, form=None, form_name: str = "", main: str = "", **extra):
    """Check the form, run a review action, and say what happened.

    A form that fails (its own checks or the action's) comes back on the audit page with every typed
    value and each message next to its field; refusals of a form-less action are flashed."""
    if form is not None and not form.validate_on_submit():
        return _audit_page(audit_id, 422, **{form_name: form}, **extra)
    try:
        action()
    except AppError as exc:
        if exc.status == 404:
            raise
        if form is not None:
            attach_errors(form, exc, main)
            return _audit_page(audit_id, 422, **{form_name: form}, **extra)
        flash(exc.message, "error")
    else:
        flash(success)
    return redirect(url_for("audits.show", audit_id=audit_id))


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
    return _done(
        audit_id,
        lambda: review.return_to_auditor(get_db(), audit_id, g.user, form.reason.data),
        "Returned to the auditor.",
        form,
        "reason_form",
        "reason",
    )


@bp.post("/audits/<audit_id>/correct")
@require(REVIEWER, ADMIN)
def correct(audit_id):
    audit_id = _audit_uuid(audit_id)
    form = CorrectionForm()

    def action():
        db = get_db()
        checklist, _result = store.audit_score(db, store.audit_in_scope(db, audit_id, g.user))
        try:
            kind = checklist.item(form.item.data).type
        except KeyError:
            raise AppError("This item is not in the checklist.", 422) from None
        review.correct(
            db, audit_id, g.user, form.item.data, answer_from_field(kind, form.value.data), form.reason.data
        )

    return _done(
        audit_id, action, "Answer corrected; the score was recomputed.", form, "correction_form", "value"
    )


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
    checklist, result = store.audit_score(db, audit)
    form = AppealForm()
    form.items.choices = [SelectChoice(i, checklist.item(i).text) for i in review.lost_points(result)]

    def action():
        evidence = []
        upload = form.photo.data
        if getattr(upload, "filename", None):
            try:
                processed = photos.process(upload.read())
            except photos.PhotoError as exc:
                raise AppError(str(exc), 422, {"photo": [str(exc)]}) from None
            photo_id = str(uuid.uuid4())
            store.save_photo(db, photo_id, audit, g.user, processed, evidence=True)
            evidence.append(photo_id)
        days = current_app.config["APPEAL_DAYS"]
        review.open_appeals(db, audit_id, g.user, form.items.data, form.text.data, days, evidence)

    return _done(audit_id, action, "Appeal sent to head office.", form, "appeal_form", "text")


@bp.post("/appeals/<int:appeal_id>/decide")
@require(REVIEWER, ADMIN)
def decide(appeal_id):
    db = get_db()
    appeal_row = review.get_appeal(db, appeal_id, g.user)
    form = DecisionForm()

    def action():
        answer = None
        if form.outcome.data == "upheld" and form.value.data:
            audit = store.get_audit(db, appeal_row["audit_id"])
            kind = store.audit_score(db, audit)[0].item(appeal_row["item_id"]).type
            answer = answer_from_field(kind, form.value.data)
        review.decide_appeal(db, appeal_id, g.user, form.outcome.data, form.reason.data, answer)

    return _done(
        appeal_row["audit_id"],
        action,
        "Appeal decided.",
        form,
        "decision_form",
        "outcome",
        decided_appeal=appeal_id,
    )


@bp.post("/audits/<audit_id>/actions")
@require(MANAGER)
def add_action(audit_id):
    audit_id = _audit_uuid(audit_id)
    db = get_db()
    audit = store.audit_in_scope(db, audit_id, g.user)
    form = ActionForm()
    form.item.choices = [SelectChoice("")] + [
        SelectChoice(i) for i in review.lost_points(store.audit_score(db, audit)[1])
    ]
    form.assignee.choices = _assignee_choices(db, audit["branch_id"])
    return _done(
        audit_id,
        lambda: review.add_action(
            db,
            audit_id,
            g.user,
            form.item.data,
            form.what.data,
            form.due.data.isoformat(),
            form.assignee.data,
        ),
        "Action added to the plan.",
        form,
        "action_form",
        "item",
    )


def _assignee_choices(db, branch_id: int) -> list[SelectChoice]:
    return [SelectChoice(u["user_id"], u["name"] or u["email"]) for u in review.branch_users(db, branch_id)]


@bp.get("/actions")
@require(ADMIN, REVIEWER, MANAGER)
def actions_page():
    """Action items: head office sees every branch's, overdue first; a manager their branches'."""
    db = get_db()
    state = request.args.get("status", "overdue")
    if state not in ("open", "overdue", "done", "verified"):
        state = "overdue"
    visible = org_store.visible_branch_ids(db, g.user)
    today = _today()
    rows = review.actions_list(db, branch_ids=visible, state=state, today=today)
    counts = {
        s: len(review.actions_list(db, branch_ids=visible, state=s, today=today))
        for s in ("overdue", "open", "done", "verified")
    }
    return render_template("audits/actions.html", rows=rows, state=state, counts=counts, today=today)


def _action_page(action_id: int, done_form=None, verify_form=None, status: int = 200):
    db = get_db()
    action_row = review.get_action(db, action_id, g.user)
    return render_template(
        "audits/action.html",
        action=action_row,
        today=_today(),
        done_form=done_form or ActionDoneForm(),
        verify_form=verify_form or ActionVerifyForm(),
    ), status


@bp.get("/actions/<int:action_id>")
@require(ADMIN, REVIEWER, MANAGER)
def action_page(action_id):
    return _action_page(action_id)


@bp.post("/actions/<int:action_id>/done")
@require(MANAGER)
def action_done(action_id):
    db = get_db()
    action_row = review.get_action(db, action_id, g.user)
    form = ActionDoneForm()
    if not form.validate_on_submit():
        return _action_page(action_id, done_form=form, status=422)
    try:
        upload = form.photo.data
        data = upload.read() if getattr(upload, "filename", None) else b""
        photo_id = review.proof_photo(db, action_row, data, g.user)
    except AppError as exc:
        form.photo.errors = [exc.message]
        return _action_page(action_id, done_form=form, status=422)
    review.complete_action(db, action_id, g.user, form.note.data, photo_id)
    flash("Marked done; head office will verify it.")
    return redirect(url_for("audits.action_page", action_id=action_id))


@bp.post("/actions/<int:action_id>/verify")
@require(ADMIN, REVIEWER)
def action_verify(action_id):
    form = ActionVerifyForm()
    if not form.validate_on_submit():
        return _action_page(action_id, verify_form=form, status=422)
    try:
        review.verify_action(get_db(), action_id, g.user, form.note.data or "")
    except AppError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash("Verified.")
    return redirect(url_for("audits.action_page", action_id=action_id))


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


@bp.get("/audits/<audit_id>/recordings/<recording_id>")
@require()
def recording(audit_id, recording_id):
    """A call recording, with byte ranges so the browser's player can seek."""
    db = get_db()
    audit = store.audit_in_scope(db, _audit_uuid(audit_id), g.user)
    info = store.get_recording_info(db, _audit_uuid(recording_id))
    if info["audit_id"] != audit["audit_id"] or not store.may_hear_recordings(db, audit, g.user):
        raise AppError(f"Recording {recording_id} does not exist.", 404)
    response = send_file(
        io.BytesIO(store.recording_audio(db, info["recording_id"])),
        mimetype=info["content_type"],
        conditional=True,
        etag=info["recording_id"],
        max_age=86400,
    )
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response
