"""JSON API of checklists: import (YAML or JSON), validate, read versions (also as YAML)."""

from flask import Blueprint, Response, g, request

from checklists import spec, store
from checklists.schemas import (
    ChecklistListSchema,
    ChecklistSavedSchema,
    ChecklistSchema,
    ValidationReportSchema,
)
from db import get_db
from errors import AppError
from org.auth import require
from org.roles import ADMIN
from web.apidoc import JSON, documented

bp = Blueprint("checklists_api", __name__, url_prefix="/api/v1/checklists")
BODY_TYPES = (JSON, *spec.YAML_MEDIA_TYPES)


def _body_document() -> dict:
    """The request body as a valid checklist in normal form; 400 for bad syntax, 422 for bad content."""
    fmt = spec.format_for(media_type=request.mimetype)
    if fmt is None:
        raise AppError(
            "Send the checklist as YAML (Content-Type: application/yaml) or JSON (application/json).", 400
        )
    try:
        data, lines = spec.parse(request.get_data(), fmt)
    except spec.ChecklistError as exc:
        raise AppError(f"The checklist could not be read: {exc.problems[0]}", 400, exc.fields()) from None
    try:
        return spec.validate(data, lines)
    except spec.ChecklistError as exc:
        raise AppError(
            f"The checklist has {len(exc.problems)} problem(s); nothing was stored.", 422, exc.fields()
        ) from None


def _versioned(stored: dict):
    """A stored version as JSON (the document plus its version) or, when asked for, as YAML."""
    document = {**stored["spec"], "version": stored["version"]}
    wants_yaml = (
        request.args.get("format") == "yaml" or request.accept_mimetypes.best in spec.YAML_MEDIA_TYPES
    )
    if wants_yaml:
        filename = f"{stored['checklist_id']}-v{stored['version']}.yaml"
        return Response(
            spec.to_yaml(document),
            mimetype="application/yaml",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return document


@bp.get("")
@documented("Checklists with their newest version", response=ChecklistListSchema)
@require(api=True)
def list_checklists():
    return ChecklistListSchema().dump({"checklists": store.list_checklists(get_db())})


@bp.post("")
@documented(
    "Import a checklist (YAML or JSON); a changed checklist becomes a new version, the same content none",
    body=ChecklistSchema,
    body_types=BODY_TYPES,
    response=ChecklistSavedSchema,
    status=201,
    also={200: "The same content as the newest version: no new version was made"},
)
@require(ADMIN, api=True)
def create_checklist():
    document = _body_document()
    checklist_id, version, created = store.save_checklist(get_db(), document, g.user["user_id"])
    return {"id": checklist_id, "version": version, "created": created}, 201 if created else 200


@bp.post("/validate")
@documented(
    "Check a checklist without storing it: every problem with its path and line",
    body=ChecklistSchema,
    body_types=BODY_TYPES,
    response=ValidationReportSchema,
)
@require(ADMIN, api=True)
def validate_checklist():
    try:
        _body_document()
    except AppError as exc:
        errors = [{"path": path, "message": m} for path, messages in exc.fields.items() for m in messages]
        errors = errors or [{"path": "_body", "message": exc.message}]
        return {"valid": False, "errors": errors}
    return {"valid": True, "errors": []}


@bp.get("/<checklist_id>")
@documented(
    "The newest version of a checklist (or ?version=N); ?format=yaml for the YAML file",
    response=ChecklistSchema,
    query={"version": "A version number", "format": "yaml for a YAML download"},
)
@require(api=True)
def get_checklist(checklist_id):
    version = request.args.get("version")
    if version is not None and not version.isdecimal():
        raise AppError("version must be a whole number.", 400, {"version": ["Not a whole number."]})
    return _versioned(store.get_version(get_db(), checklist_id, int(version) if version else None))


@bp.get("/<checklist_id>/versions")
@documented("Every version of a checklist, newest first")
@require(api=True)
def list_versions(checklist_id):
    return {"versions": store.list_versions(get_db(), checklist_id)}
