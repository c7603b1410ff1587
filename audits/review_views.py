"""The audit page and what happens to a submitted audit: review, the branch's answers to it
(acknowledging, appeals, action plans), and its photos and recordings. HTML forms; the JSON API does
the same actions."""

import io

from flask import Response, current_app, flash, g, redirect, render_template, request, send_file, url_for
from wtforms import SelectChoice

from audits import pages, review, store
from audits.blueprint import bp, flash_outcome
from audits.forms import (
    ActionDoneForm,
    ActionForm,
    ActionVerifyForm,
    AppealForm,
    CorrectionForm,
    ReasonForm,
    decision_form,
    item_choices,
    person_choices,
)
from checklists.model import Checklist
from checklists.store import list_checklists
from db import get_db
from errors import AppError
from org import store as org_store
from org.auth import require
from org.forms import attach_errors
from org.roles import ADMIN, AUDITOR, MANAGER, REVIEWER


def _scored(db, audit_id: str) -> tuple[dict, Checklist, list[str]]:
    """The audit (in the user's scope), its checklist and the items that lost points."""
    audit = store.audit_in_scope(db, audit_id, g.user)
    checklist, result = store.audit_score(db, audit)
    return audit, checklist, review.lost_points(result)


def _action_form_choices(form: ActionForm, db, checklist, lost: list[str], branch_id: int) -> ActionForm:
    form.item.choices = [SelectChoice("", "Choose an item…")] + item_choices(checklist, lost)
    form.assignee.choices = person_choices(review.branch_users(db, branch_id))
    return form


@bp.get("/audits/<uuid:audit_id>")
@require()
def show(audit_id):
    return _audit_page(audit_id)


def _audit_page(audit_id: str, status: int = 200, **forms):
    """The audit page; a form given by name (answered with errors) replaces its empty twin."""
    db = get_db()
    audit = store.audit_in_scope(db, audit_id, g.user)
    context = pages.audit_context(db, audit, g.user, current_app.config["APPEAL_DAYS"])
    checklist, lost = context["checklist"], context["lost"]
    appeal_form = forms.get("appeal_form") or AppealForm(formdata=None)
    appeal_form.items.choices = item_choices(checklist, lost)
    action_form = forms.get("action_form") or ActionForm(formdata=None, assignee=g.user["user_id"])
    return render_template(
        "audits/show.html",
        **context,
        reason_form=forms.get("reason_form") or ReasonForm(formdata=None),
        correction_form=forms.get("correction_form") or CorrectionForm(formdata=None),
        decision_form=forms.get("decision_form"),
        blank_decision_form=lambda appeal_id: decision_form(appeal_id, formdata=None),
        decided_appeal=forms.get("decided_appeal"),
        appeal_form=appeal_form,
        action_form=_action_form_choices(action_form, db, checklist, lost, audit["branch_id"]),
    ), status


def _done(audit_id: str, action, success: str, form=None, form_name: str = "", main: str = "", **extra):
    """Check the form, run a review action, and say what happened.

    A form that fails (its own checks or the action's) comes back on the audit page with every typed
    value and each message next to its field; refusals of a form-less action are flashed."""
    if form is not None and not form.validate_on_submit():
        return _audit_page(audit_id, 422, **{form_name: form}, **extra)
    if form is None:
        flash_outcome(action, success)
        return redirect(url_for("audits.show", audit_id=audit_id))
    try:
        action()
    except AppError as exc:
        if exc.status == 404:
            raise
        attach_errors(form, exc, main)
        return _audit_page(audit_id, 422, **{form_name: form}, **extra)
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


@bp.post("/audits/<uuid:audit_id>/approve")
@require(REVIEWER, ADMIN)
def approve(audit_id):
    return _done(
        audit_id, lambda: review.approve(get_db(), audit_id, g.user), "Approved and published to the branch."
    )


@bp.post("/audits/<uuid:audit_id>/return")
@require(REVIEWER, ADMIN)
def return_audit(audit_id):
    form = ReasonForm()
    return _done(
        audit_id,
        lambda: review.return_to_auditor(get_db(), audit_id, g.user, form.reason.data),
        "Returned to the auditor.",
        form,
        "reason_form",
        "reason",
    )


@bp.post("/audits/<uuid:audit_id>/correct")
@require(REVIEWER, ADMIN)
def correct(audit_id):
    db = get_db()
    form = CorrectionForm()

    def action():
        audit = store.audit_in_scope(db, audit_id, g.user)
        answer = review.typed_answer(db, audit, form.item.data, form.value.data)
        review.correct(db, audit_id, g.user, form.item.data, answer, form.reason.data)

    return _done(
        audit_id, action, "Answer corrected; the score was recomputed.", form, "correction_form", "value"
    )


@bp.post("/audits/<uuid:audit_id>/acknowledge")
@require(MANAGER)
def acknowledge(audit_id):
    return _done(audit_id, lambda: review.acknowledge(get_db(), audit_id, g.user), "Acknowledged.")


@bp.post("/audits/<uuid:audit_id>/appeal")
@require(MANAGER)
def appeal(audit_id):
    db = get_db()
    audit, checklist, lost = _scored(db, audit_id)
    form = AppealForm()
    form.items.choices = item_choices(checklist, lost)

    def action():
        upload = form.photo.data
        data = upload.read() if getattr(upload, "filename", None) else b""
        photo_id = review.evidence_photo(db, audit, data, g.user)
        days = current_app.config["APPEAL_DAYS"]
        evidence = [photo_id] if photo_id else []
        review.open_appeals(db, audit_id, g.user, form.items.data, form.text.data, days, evidence)

    return _done(audit_id, action, "Appeal sent to head office.", form, "appeal_form", "text")


@bp.post("/appeals/<int:appeal_id>/decide")
@require(REVIEWER, ADMIN)
def decide(appeal_id):
    db = get_db()
    appeal_row = review.get_appeal(db, appeal_id, g.user)
    form = decision_form(appeal_id)

    def action():
        answer = None
        if form.outcome.data == "upheld" and form.value.data:
            audit = store.get_audit(db, appeal_row["audit_id"])
            answer = review.typed_answer(db, audit, appeal_row["item_id"], form.value.data)
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


@bp.post("/audits/<uuid:audit_id>/actions")
@require(MANAGER)
def add_action(audit_id):
    db = get_db()
    audit, checklist, lost = _scored(db, audit_id)
    form = _action_form_choices(ActionForm(), db, checklist, lost, audit["branch_id"])

    def action():
        due = form.due.data.isoformat()
        review.add_action(db, audit_id, g.user, form.item.data, form.what.data, due, form.assignee.data)

    return _done(audit_id, action, "Action added to the plan.", form, "action_form", "item")


# Action items


@bp.get("/actions")
@require(ADMIN, REVIEWER, MANAGER)
def actions_page():
    """Action items: head office sees every branch's, overdue first; a manager their branches'."""
    db = get_db()
    state = request.args.get("status", "overdue")
    if state not in ("open", "overdue", "done", "verified"):
        state = "overdue"
    visible = org_store.visible_branch_ids(db, g.user)
    day = pages.today()
    rows = review.actions_list(db, branch_ids=visible, state=state, today=day)
    counts = {
        s: len(review.actions_list(db, branch_ids=visible, state=s, today=day))
        for s in ("overdue", "open", "done", "verified")
    }
    return render_template("audits/actions.html", rows=rows, state=state, counts=counts, today=day)


def _action_page(action_id: int, done_form=None, verify_form=None, status: int = 200):
    return render_template(
        "audits/action.html",
        action=review.get_action(get_db(), action_id, g.user),
        today=pages.today(),
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
    flash_outcome(
        lambda: review.verify_action(get_db(), action_id, g.user, form.note.data or ""), "Verified."
    )
    return redirect(url_for("audits.action_page", action_id=action_id))


# Evidence


@bp.get("/audits/<uuid:audit_id>/photos/<uuid:photo_id>")
@require()
def photo(audit_id, photo_id):
    db = get_db()
    store.audit_in_scope(db, audit_id, g.user)
    info = store.find_photo_info(db, photo_id)
    if info is None or info["audit_id"] != audit_id:
        raise AppError(f"Photo {photo_id} does not exist.", 404)
    data = store.photo_bytes(db, photo_id, thumbnail=request.args.get("size") == "thumb")
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response


@bp.get("/audits/<uuid:audit_id>/recordings/<uuid:recording_id>")
@require()
def recording(audit_id, recording_id):
    """A call recording, with byte ranges so the browser's player can seek."""
    db = get_db()
    audit = store.audit_in_scope(db, audit_id, g.user)
    info = store.find_recording_info(db, recording_id)
    if info is None or info["audit_id"] != audit_id or not store.may_hear_recordings(db, audit, g.user):
        raise AppError(f"Recording {recording_id} does not exist.", 404)
    response = send_file(
        io.BytesIO(store.recording_audio(db, recording_id)),
        mimetype=info["content_type"],
        conditional=True,
        etag=recording_id,
        max_age=86400,
    )
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response
