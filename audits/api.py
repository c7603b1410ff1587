"""JSON API of audits: the idempotent save, submit, read, and photo upload by UUID."""

from flask import Blueprint, g, request, url_for

from audits import photos, store
from audits.schemas import UUID_RE, AuditDocumentSchema, AuditSchema, PhotoSchema, load_document
from db import get_db
from org.apidoc import documented, json_body
from org.auth import require
from org.errors import AppError
from org.roles import ADMIN, AUDITOR

bp = Blueprint("audits_api", __name__, url_prefix="/api/v1/audits")


def _check_uuid(value: str, what: str = "audit") -> str:
    if not UUID_RE.match(value):
        raise AppError(f"{value!r} is not a valid {what} UUID.", 400)
    return value.lower()


@bp.put("/<audit_id>")
@documented(
    "Save the whole audit document; the same document again changes nothing, an older revision "
    "never overwrites a newer one, a different document for a submitted audit is 409",
    body=AuditDocumentSchema,
    response=AuditSchema,
)
@require(AUDITOR, ADMIN, api=True)
def save(audit_id):
    audit_id = _check_uuid(audit_id)
    document = load_document(json_body())
    audit, outcome = store.save_audit(get_db(), audit_id, document, g.user)
    response = store.audit_view(get_db(), audit, audit.get("result"))
    response["saved"] = outcome
    return response, 201 if outcome == "created" else 200


@bp.get("/<audit_id>")
@documented("An audit: its document, status, score and section scores", response=AuditSchema)
@require(api=True)
def read(audit_id):
    audit = store.audit_in_scope(get_db(), _check_uuid(audit_id), g.user)
    return store.audit_view(get_db(), audit)


@bp.post("/<audit_id>/submit")
@documented("Submit the audit (idempotent); 422 names what is missing", response=AuditSchema)
@require(AUDITOR, ADMIN, api=True)
def submit(audit_id):
    audit = store.submit_audit(get_db(), _check_uuid(audit_id), g.user)
    return store.audit_view(get_db(), audit)


def _upload_bytes() -> bytes:
    if request.files:
        upload = request.files.get("photo") or next(iter(request.files.values()))
        return upload.read()
    return request.get_data()


@bp.put("/<audit_id>/photos/<photo_id>")
@documented(
    "Upload a photo under its own UUID (the raw image, or multipart field 'photo'); idempotent",
    response=PhotoSchema,
    body_types=("image/jpeg", "image/png", "image/webp"),
    status=201,
)
@require(AUDITOR, ADMIN, api=True)
def upload_photo(audit_id, photo_id):
    db = get_db()
    audit = store.audit_in_scope(db, _check_uuid(audit_id), g.user)
    photo_id = _check_uuid(photo_id, "photo")
    try:
        info = store.get_photo_info(db, photo_id)
    except AppError:
        info = None
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
