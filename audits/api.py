"""JSON API of audits: the idempotent save, submit, read, and photo upload by UUID."""

from flask import Blueprint, current_app, g, request, url_for

from audits import pages, photos, recordings, review, schedules, store
from audits.schemas import (
    ActionDoneSchema,
    ActionInSchema,
    ActionListSchema,
    ActionSchema,
    AppealInSchema,
    AppealSchema,
    AppealsCreatedSchema,
    AssignmentInSchema,
    AssignmentListSchema,
    AssignmentPatchSchema,
    AssignmentSchema,
    AuditDocumentSchema,
    AuditSchema,
    CorrectionSchema,
    DecisionSchema,
    PhotoSchema,
    PlanSchema,
    ReasonSchema,
    RecordingSchema,
    ScheduleInSchema,
    ScheduleListSchema,
    TrailSchema,
    load_document,
)
from db import get_db, transaction
from errors import AppError
from org import store as org_store
from org.auth import require
from org.roles import ADMIN, AUDITOR, MANAGER, REVIEWER
from org.schemas import CreatedSchema
from web.apidoc import documented, json_body, load_body

bp = Blueprint("audits_api", __name__, url_prefix="/api/v1")


@bp.put("/audits/<uuid:audit_id>")
@documented(
    "Save the whole audit document; the same document again changes nothing, an older revision "
    "never overwrites a newer one, a different document for a submitted audit is 409",
    body=AuditDocumentSchema,
    response=AuditSchema,
    also={201: "A new audit was stored"},
)
@require(AUDITOR, ADMIN, api=True)
def save(audit_id):
    document = load_document(json_body())
    allow_unscheduled = current_app.config["ALLOW_UNSCHEDULED_VISITS"]
    audit, outcome = store.save_audit(get_db(), audit_id, document, g.user, allow_unscheduled)
    response = store.audit_view(get_db(), audit, audit.get("result"))
    response["saved"] = outcome
    return response, 201 if outcome == "created" else 200


@bp.get("/audits/<uuid:audit_id>")
@documented("An audit: its document, status, score and section scores", response=AuditSchema)
@require(api=True)
def read(audit_id):
    audit = store.audit_in_scope(get_db(), audit_id, g.user)
    return _view(audit)


@bp.post("/audits/<uuid:audit_id>/submit")
@documented("Submit the audit (idempotent); 422 names what is missing", response=AuditSchema)
@require(AUDITOR, ADMIN, api=True)
def submit(audit_id):
    audit = store.submit_audit(get_db(), audit_id, g.user)
    return _view(audit)


def _scoped_body(audit_id: str, schema) -> tuple[str, dict]:
    """The audit id and the validated body; an audit out of scope is 404 before any body check."""
    audit = store.audit_in_scope(get_db(), audit_id, g.user)
    return audit["audit_id"], load_body(schema)


def _view(audit: dict, result=None) -> dict:
    """The audit as this caller may see it: the branch never learns where the shopper stood."""
    view = store.audit_view(get_db(), audit, result)
    if g.user["role"] == MANAGER:
        view.pop("location", None)
        view["document"] = {k: v for k, v in view["document"].items() if k != "location"}
    return view


def _upload_bytes(field: str = "photo") -> bytes:
    if request.files:
        upload = request.files.get(field) or next(iter(request.files.values()))
        return upload.read()
    return request.get_data()


@bp.put("/audits/<uuid:audit_id>/photos/<uuid:photo_id>")
@documented(
    "Upload a photo under its own UUID (the raw image, or multipart field 'photo'); idempotent",
    response=PhotoSchema,
    body_types=("image/jpeg", "image/png", "image/webp"),
    status=201,
    also={200: "This photo was already stored"},
)
@require(AUDITOR, ADMIN, api=True)
def upload_photo(audit_id, photo_id):
    db = get_db()
    audit = store.audit_in_scope(db, audit_id, g.user)
    info = store.find_photo_info(db, photo_id)
    if info is None:
        data = _upload_bytes()
        if not data:
            raise AppError("Send the photo as the request body or as the multipart field 'photo'.", 400)
        try:
            processed = photos.process(data)
        except photos.PhotoError as exc:
            raise AppError(str(exc), 422, {"photo": [str(exc)]}) from None
    else:
        processed = None
    info, created = store.save_photo(db, photo_id, audit, g.user, processed)
    body = {
        "id": info["photo_id"],
        "audit_id": info["audit_id"],
        "width": info["width"],
        "height": info["height"],
        "url": url_for("audits.photo", audit_id=info["audit_id"], photo_id=info["photo_id"]),
        "thumbnail_url": url_for(
            "audits.photo", audit_id=info["audit_id"], photo_id=info["photo_id"], size="thumb"
        ),
    }
    return body, 201 if created else 200


@bp.put("/audits/<uuid:audit_id>/recordings/<uuid:recording_id>")
@documented(
    "Upload a call recording under its own UUID (the raw audio, or multipart field 'recording'; "
    "the type is sniffed from the content: 415 if not audio, 413 above 25 MB); idempotent",
    response=RecordingSchema,
    body_types=("audio/mpeg", "audio/mp4", "audio/ogg", "audio/wav", "audio/webm"),
    status=201,
    also={
        200: "This recording was already stored",
        413: "Larger than 25 MB",
        415: "Not an accepted audio type",
    },
)
@require(AUDITOR, ADMIN, api=True)
def upload_recording(audit_id, recording_id):
    db = get_db()
    audit = store.audit_in_scope(db, audit_id, g.user)
    info = store.find_recording_info(db, recording_id)
    processed = None
    if info is None:
        data = _upload_bytes("recording")
        if not data:
            raise AppError(
                "Send the recording as the request body or as the multipart field 'recording'.", 400
            )
        try:
            processed = recordings.process(data)
        except recordings.RecordingError as exc:
            raise AppError(str(exc), exc.status, {"recording": [str(exc)]}) from None
    info, created = store.save_recording(db, recording_id, audit, g.user, processed)
    body = {
        "id": info["recording_id"],
        "audit_id": info["audit_id"],
        "content_type": info["content_type"],
        "bytes": info["bytes"],
        "url": url_for("audits.recording", audit_id=info["audit_id"], recording_id=info["recording_id"]),
    }
    return body, 201 if created else 200


# Review, and what the branch does with a published audit


@bp.post("/audits/<uuid:audit_id>/approve")
@documented(
    "Approve a submitted audit: it is published to the branch and counts in reports", response=AuditSchema
)
@require(REVIEWER, ADMIN, api=True)
def approve(audit_id):
    return _view(review.approve(get_db(), audit_id, g.user))


@bp.post("/audits/<uuid:audit_id>/return")
@documented(
    "Send a submitted audit back to its auditor with a reason", body=ReasonSchema, response=AuditSchema
)
@require(REVIEWER, ADMIN, api=True)
def return_audit(audit_id):
    audit_id, data = _scoped_body(audit_id, ReasonSchema())
    return _view(review.return_to_auditor(get_db(), audit_id, g.user, data["reason"]))


@bp.post("/audits/<uuid:audit_id>/corrections")
@documented(
    "Correct one answer of a submitted audit, with a reason", body=CorrectionSchema, response=AuditSchema
)
@require(REVIEWER, ADMIN, api=True)
def correct(audit_id):
    audit_id, data = _scoped_body(audit_id, CorrectionSchema())
    audit = review.correct(get_db(), audit_id, g.user, data["item"], data["answer"], data["reason"])
    return _view(audit)


@bp.post("/audits/<uuid:audit_id>/acknowledge")
@documented("The branch manager acknowledges a published audit", response=AuditSchema)
@require(MANAGER, api=True)
def acknowledge(audit_id):
    return _view(review.acknowledge(get_db(), audit_id, g.user))


@bp.post("/audits/<uuid:audit_id>/appeals")
@documented(
    "Appeal items that lost points, within the appeal period",
    body=AppealInSchema,
    response=AppealsCreatedSchema,
    status=201,
)
@require(MANAGER, api=True)
def appeal(audit_id):
    audit_id, data = _scoped_body(audit_id, AppealInSchema())
    days = current_app.config["APPEAL_DAYS"]
    ids = review.open_appeals(get_db(), audit_id, g.user, data["items"], data["text"], days)
    return {"appeals": ids}, 201


@bp.get("/audits/<uuid:audit_id>/appeals")
@documented("The appeals of an audit, with their outcome and the score before and after")
@require(api=True)
def list_appeals(audit_id):
    audit = store.audit_in_scope(get_db(), audit_id, g.user)
    rows = review.appeals_list(get_db(), status=None, audit_id=audit["audit_id"])
    return {"appeals": AppealSchema(many=True).dump(rows)}


@bp.post("/appeals/<int:appeal_id>/decision")
@documented(
    "Uphold (with the corrected answer) or reject an appeal, with a reason",
    body=DecisionSchema,
    response=AppealSchema,
)
@require(REVIEWER, ADMIN, api=True)
def decide(appeal_id):
    review.get_appeal(get_db(), appeal_id, g.user)
    data = load_body(DecisionSchema())
    decided = review.decide_appeal(
        get_db(), appeal_id, g.user, data["outcome"], data["reason"], data.get("answer")
    )
    return AppealSchema().dump(decided)


def _action_view(row: dict) -> dict:
    return {**row, "overdue": row["state"] == review.ACTION_OPEN and row["due"] < pages.today()}


@bp.post("/audits/<uuid:audit_id>/actions")
@documented(
    "Add an action for an item that lost points: an assignee from the branch's users and a due date",
    body=ActionInSchema,
    response=ActionSchema,
    status=201,
)
@require(MANAGER, api=True)
def add_action(audit_id):
    audit_id, data = _scoped_body(audit_id, ActionInSchema())
    db = get_db()
    assignee_id = None
    if "assignee" in data:
        assignee = org_store.user_by_email(db, data["assignee"])
        assignee_id = assignee["user_id"] if assignee else -1
    action_id = review.add_action(
        db, audit_id, g.user, data["item"], data["what"], data["due"].isoformat(), assignee_id
    )
    return ActionSchema().dump(_action_view(review.get_action(db, action_id, g.user))), 201


@bp.get("/actions")
@documented(
    "Action items you may see, soonest due first",
    response=ActionListSchema,
    query={"status": "open (overdue included), overdue, done or verified"},
)
@require(ADMIN, REVIEWER, MANAGER, api=True)
def list_actions():
    state = request.args.get("status")
    if state not in (None, "open", "overdue", "done", "verified"):
        raise AppError("status is open, overdue, done or verified.", 400, {"status": ["Unknown status."]})
    db = get_db()
    rows = review.actions_list(
        db, branch_ids=org_store.visible_branch_ids(db, g.user), state=state, today=pages.today()
    )
    return ActionListSchema().dump({"actions": [_action_view(r) for r in rows]})


@bp.post("/actions/<int:action_id>/done")
@documented(
    "Mark an action done with a note (JSON {note}, or multipart with note and a proof photo)",
    body=ActionDoneSchema,
    response=ActionSchema,
)
@require(MANAGER, api=True)
def action_done(action_id):
    db = get_db()
    action = review.get_action(db, action_id, g.user)
    if request.files or request.form:
        note = request.form.get("note", "")[:2000]
        upload = request.files.get("photo")
        photo_id = review.proof_photo(db, action, upload.read() if upload else b"", g.user)
    else:
        note = load_body(ActionDoneSchema())["note"] if request.get_data() else ""
        photo_id = None
    return ActionSchema().dump(_action_view(review.complete_action(db, action_id, g.user, note, photo_id)))


@bp.post("/actions/<int:action_id>/verify")
@documented("Head office verifies a done action", response=ActionSchema)
@require(ADMIN, REVIEWER, api=True)
def action_verify(action_id):
    return ActionSchema().dump(_action_view(review.verify_action(get_db(), action_id, g.user)))


@bp.get("/audits/<uuid:audit_id>/trail")
@documented("Every change after submission: who, when, what, why, before and after", response=TrailSchema)
@require(api=True)
def trail(audit_id):
    audit = store.audit_in_scope(get_db(), audit_id, g.user)
    entries = review.trail(get_db(), audit, hide_shopper=g.user["role"] == MANAGER)
    return TrailSchema().dump({"trail": entries})


# Running a programme: assignments and recurring schedules


def _assignment_view(row: dict) -> dict:
    return {**row, "audit_status": row["status"], "status": store.assignment_state(row, pages.today())}


def _auditor_id(email: str) -> int:
    user = org_store.user_by_email(get_db(), email)
    if user is None or user["role"] != AUDITOR or not user["active"]:
        raise AppError(
            f"No active auditor has the email {email}.", 422, {"auditor": [f"No active auditor {email}."]}
        )
    return user["user_id"]


def _check_rotation(
    branch_id: int, checklist_id: str, auditor_id: int, due: str, override: bool, exclude=None
):
    conflict = store.rotation_conflict(get_db(), branch_id, checklist_id, auditor_id, due, exclude)
    if conflict and not override:
        raise AppError(conflict, 409, {"auditor": [conflict], "override": ["Send true to assign anyway."]})


@bp.get("/assignments")
@documented(
    "Assigned visits: auditors see their own",
    response=AssignmentListSchema,
    query={"status": "open (not submitted, overdue included), overdue or done"},
)
@require(ADMIN, REVIEWER, AUDITOR, api=True)
def list_assignments():
    state = request.args.get("status")
    if state not in (None, "open", "overdue", "done"):
        raise AppError("status is open, overdue or done.", 400, {"status": ["Use open, overdue or done."]})
    auditor_id = g.user["user_id"] if g.user["role"] == AUDITOR else None
    rows = store.list_assignments(get_db(), auditor_id=auditor_id, state=state, today=pages.today())
    return AssignmentListSchema().dump({"assignments": [_assignment_view(r) for r in rows]})


@bp.post("/assignments")
@documented(
    "Assign a visit to an auditor (by email); 409 when it breaks the shopper rotation unless override",
    body=AssignmentInSchema,
    response=CreatedSchema,
    status=201,
)
@require(ADMIN, REVIEWER, api=True)
def create_assignment():
    data = load_body(AssignmentInSchema())
    db = get_db()
    auditor_id = _auditor_id(data["auditor"])
    due = data["due"].isoformat()
    with transaction(db):
        _check_rotation(data["branch_id"], data["checklist_id"], auditor_id, due, data["override"])
        assignment_id = schedules.assign_visit(
            db,
            branch_id=data["branch_id"],
            checklist_id=data["checklist_id"],
            auditor_id=auditor_id,
            due_from=data["due_from"].isoformat() if data["due_from"] else "",
            due_by=due,
            notes=data["notes"],
            user_id=g.user["user_id"],
        )
    return {"id": assignment_id}, 201


@bp.get("/assignments/<int:assignment_id>")
@documented("One assigned visit", response=AssignmentSchema)
@require(ADMIN, REVIEWER, AUDITOR, api=True)
def get_assignment(assignment_id):
    row = store.get_assignment(get_db(), assignment_id)
    if g.user["role"] == AUDITOR and row["auditor_id"] != g.user["user_id"]:
        raise AppError(f"Assignment {assignment_id} does not exist.", 404)
    return AssignmentSchema().dump(_assignment_view(row))


@bp.patch("/assignments/<int:assignment_id>")
@documented(
    "Reassign a visit or move its due date; a draft already saved moves to the new auditor",
    body=AssignmentPatchSchema,
    response=AssignmentSchema,
)
@require(ADMIN, REVIEWER, api=True)
def patch_assignment(assignment_id):
    db = get_db()
    row = store.get_assignment(db, assignment_id)
    data = load_body(AssignmentPatchSchema())
    auditor_id = _auditor_id(data["auditor"]) if "auditor" in data else None
    due = data["due"].isoformat() if "due" in data else None
    with transaction(db):
        if auditor_id is not None and auditor_id != row["auditor_id"]:
            _check_rotation(
                row["branch_id"],
                row["checklist_id"],
                auditor_id,
                due or row["due_by"],
                data["override"],
                exclude=assignment_id,
            )
        updated, _moved = schedules.change_assignment(db, row, auditor_id, due)
    return AssignmentSchema().dump(_assignment_view(updated))


@bp.delete("/assignments/<int:assignment_id>")
@documented("Cancel a visit; 409 once submitted", status=204)
@require(ADMIN, REVIEWER, api=True)
def cancel_assignment(assignment_id):
    store.cancel_assignment(get_db(), assignment_id)
    return "", 204


@bp.get("/schedules")
@documented("Recurring schedules", response=ScheduleListSchema)
@require(ADMIN, REVIEWER, api=True)
def list_schedules():
    return ScheduleListSchema().dump({"schedules": schedules.list_schedules(get_db())})


@bp.post("/schedules")
@documented(
    "A recurring schedule: N visits a month or a quarter to a list of branches or a region",
    body=ScheduleInSchema,
    response=CreatedSchema,
    status=201,
)
@require(ADMIN, REVIEWER, api=True)
def create_schedule():
    data = load_body(ScheduleInSchema())
    schedule_id = schedules.create_schedule(get_db(), user_id=g.user["user_id"], **data)
    return {"id": schedule_id}, 201


@bp.delete("/schedules/<int:schedule_id>")
@documented("Stop a schedule; the visits it planned stay", status=204)
@require(ADMIN, REVIEWER, api=True)
def stop_schedule(schedule_id):
    schedules.stop_schedule(get_db(), schedule_id)
    return "", 204


@bp.route("/plan", methods=["GET", "POST"])
@documented(
    "The visits of a period from every schedule: GET is the dry run, POST creates them (idempotent)",
    response=PlanSchema,
    query={"period": "YYYY-MM, YYYY-Qn or YYYY"},
)
@require(ADMIN, REVIEWER, api=True)
def plan():
    period = request.args.get("period", "")
    dry_run = request.method == "GET"
    rows = schedules.plan_visits(get_db(), period, dry_run=dry_run, user_id=g.user["user_id"])
    return PlanSchema().dump({"period": period, "dry_run": dry_run, "visits": rows})
