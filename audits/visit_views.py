"""The auditor's visit: starting one, the visit form (plain posts; static/visit.js adds autosave and
offline), call recordings from the form, and the service worker that keeps it all offline."""

import uuid

from flask import current_app, flash, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from audits import pages, photos, recordings, store
from audits.blueprint import bp, flash_outcome
from audits.formdata import document_from_form, offset_of
from audits.forms import StartVisitForm, visit_choices
from audits.schemas import load_document
from checklists.store import load_checklist
from db import get_db
from errors import AppError, flatten_messages
from org.auth import require
from org.roles import ADMIN, AUDITOR


@bp.route("/visits/new", methods=["GET", "POST"])
@require(AUDITOR, ADMIN)
def start_visit():
    if g.user["role"] == AUDITOR and not current_app.config["ALLOW_UNSCHEDULED_VISITS"]:
        raise AppError("Only assigned visits can be made; ask head office to assign this one.", 403)
    form = StartVisitForm()
    visit_choices(form, get_db())
    if form.validate_on_submit():
        return redirect(
            url_for(
                "audits.visit",
                audit_id=str(uuid.uuid4()),
                branch=form.branch_id.data,
                checklist=form.checklist_id.data,
            )
        )
    return render_template("audits/start.html", form=form)


def _new_document(db, audit_id: str) -> dict:
    """The starting document of this visit, not saved yet (the branch and checklist of an
    unscheduled one come in the query string)."""
    return pages.new_document(
        db,
        audit_id,
        g.user,
        request.args.get("branch", type=int),
        request.args.get("checklist", ""),
        g.user["role"] == ADMIN or current_app.config["ALLOW_UNSCHEDULED_VISITS"],
        current_app.config["TIMEZONE"],
    )


def _visit_page(audit_id: str, document: dict, status: str, errors: dict | None = None, code: int = 200):
    context = pages.visit_context(get_db(), audit_id, document)
    return render_template("audits/visit.html", **context, status=status, errors=errors or {}), code


@bp.get("/audits/<uuid:audit_id>/form")
@require(AUDITOR, ADMIN)
def visit(audit_id):
    db = get_db()
    audit = store.find_audit_in_scope(db, audit_id, g.user)
    if audit is None:
        return _visit_page(audit_id, _new_document(db, audit_id), "new")
    if audit["status"] in store.LOCKED:
        return redirect(url_for("audits.show", audit_id=audit_id))
    return _visit_page(audit_id, audit["document"], audit["status"])


def _form_photos(db, audit: dict) -> dict[str, list[str]]:
    """Store the photos of a plain form post; their ids by field name."""
    ids: dict[str, list[str]] = {}
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


def _posted_document(db, audit: dict) -> dict:
    """The document the posted form makes of the saved one, its new photos stored first."""
    saved = audit["document"]
    checklist = load_checklist(db, saved["checklist_id"], saved["checklist_version"])
    offset = request.form.get("tz_offset", type=int)
    if offset is None:
        offset = offset_of(saved["visited_at"])
    return document_from_form(checklist, request.form, saved, offset, _form_photos(db, audit))


@bp.post("/audits/<uuid:audit_id>/form")
@require(AUDITOR, ADMIN)
def save_visit(audit_id):
    db = get_db()
    audit = store.find_audit_in_scope(db, audit_id, g.user)
    if audit is not None and audit["status"] in store.LOCKED:
        return redirect(url_for("audits.show", audit_id=audit_id))
    status = audit["status"] if audit else "new"
    raw = audit["document"] if audit else _new_document(db, audit_id)
    try:
        if audit is None:
            audit, _outcome = store.save_audit(db, audit_id, load_document(raw), g.user)
        raw = _posted_document(db, audit)
        store.save_audit(db, audit_id, load_document(raw), g.user)
        if request.form.get("action") == "submit":
            store.submit_audit(db, audit_id, g.user)
            flash("Audit submitted. Thank you!")
            return redirect(url_for("audits.show", audit_id=audit_id))
    except ValidationError as exc:
        return _visit_page(audit_id, raw, status, flatten_messages(exc.messages), 422)
    except AppError as exc:
        if exc.status != 422:
            raise
        return _visit_page(audit_id, store.get_audit(db, audit_id)["document"], status, exc.fields, 422)
    flash("Saved.")
    return redirect(url_for("audits.visit", audit_id=audit_id))


def recording_upload_limit() -> None:
    """Let recordings (up to 25 MB) past the app-wide body limit; registered before the CSRF check,
    which reads the body first."""
    if request.endpoint in ("audits.add_recording", "audits_api.upload_recording"):
        request.max_content_length = recordings.MAX_BYTES + 64 * 1024  # room for the multipart envelope


def _save_new(db, audit_id: str) -> dict:
    """Store this visit's starting document (a recording may come before any answer)."""
    return store.save_audit(db, audit_id, load_document(_new_document(db, audit_id)), g.user)[0]


@bp.post("/audits/<uuid:audit_id>/recordings")
@require(AUDITOR, ADMIN)
def add_recording(audit_id):
    """Attach a call recording from the visit page (a plain form; the API does the same by UUID)."""
    db = get_db()
    audit = store.find_audit_in_scope(db, audit_id, g.user) or _save_new(db, audit_id)
    upload = request.files.get("recording")
    data = upload.read() if upload else b""

    def attach():
        if not data:
            raise AppError("Choose a recording to upload.", 422)
        try:
            processed = recordings.process(data)
        except recordings.RecordingError as exc:
            raise AppError(str(exc), exc.status) from None
        store.save_recording(db, str(uuid.uuid4()), audit, g.user, processed)

    flash_outcome(attach, "Recording added.")
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
