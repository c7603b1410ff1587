"""JSON API of the organisation: branches and their employees, users by invitation, bulk import."""

from flask import Blueprint, current_app, g, jsonify, request, url_for

from db import get_db
from errors import AppError
from org import accounts, imports, store
from org.auth import branch_in_scope, require
from org.csvimport import KINDS
from org.roles import ADMIN, AUDITOR, MANAGER
from org.schemas import (
    ApiIndexSchema,
    BranchInSchema,
    BranchListSchema,
    BranchSchema,
    CreatedSchema,
    EmployeeInSchema,
    EmployeeListSchema,
    ImportResultSchema,
    UserInSchema,
    UserListSchema,
    UserSchema,
)
from web.apidoc import build_openapi, documented, load_body

bp = Blueprint("org_api", __name__, url_prefix="/api/v1")


@bp.get("/")
@documented("The API root: who you are and where the OpenAPI document is", response=ApiIndexSchema)
def index():
    user = UserSchema().dump(g.user) if g.user else None
    return {"name": "Visitscore API", "openapi": url_for(".openapi"), "user": user}


@bp.get("/openapi.json")
@documented("This OpenAPI document")
def openapi():
    return jsonify(build_openapi(current_app))


@bp.get("/branches")
@documented("Branches you may see", response=BranchListSchema)
@require(api=True)
def list_branches():
    db = get_db()
    branches = store.list_branches(db, store.visible_branch_ids(db, g.user))
    return BranchListSchema().dump({"branches": branches})


@bp.post("/branches")
@documented("Create a branch", body=BranchInSchema, response=CreatedSchema, status=201)
@require(ADMIN, api=True)
def create_branch():
    data = load_body(BranchInSchema())
    return {"id": store.create_branch(get_db(), **data)}, 201


@bp.get("/branches/<int:branch_id>")
@documented("One branch", response=BranchSchema)
@require(api=True)
def get_branch(branch_id):
    return BranchSchema().dump(branch_in_scope(branch_id))


@bp.get("/branches/<int:branch_id>/employees")
@documented("Employees of a branch", response=EmployeeListSchema)
@require(api=True)
def list_employees(branch_id):
    branch_in_scope(branch_id)
    if g.user["role"] == AUDITOR and not store.auditor_may_see_staff(get_db(), g.user["user_id"], branch_id):
        raise AppError(f"Branch {branch_id} does not exist.", 404)
    employees = store.list_employees(get_db(), branch_id)
    return EmployeeListSchema().dump({"employees": employees})


@bp.post("/branches/<int:branch_id>/employees")
@documented("Add an employee to a branch", body=EmployeeInSchema, response=CreatedSchema, status=201)
@require(ADMIN, api=True)
def create_employee(branch_id):
    branch_in_scope(branch_id)
    data = load_body(EmployeeInSchema())
    return {"id": store.create_employee(get_db(), branch_id, data["name"])}, 201


def _branch_ids(db, branches: list) -> list[int]:
    """Branch ids from ids or codes; 422 naming each one that does not exist."""
    ids, problems = [], {}
    for index, ref in enumerate(branches):
        if isinstance(ref, int) and not isinstance(ref, bool):
            found = ref if db["branches"].count_where("branch_id = ?", [ref]) else None
        elif isinstance(ref, str):
            found = store.branch_id_by_code(db, ref)
        else:
            found = None
        if found is None:
            problems[f"branches[{index}]"] = [f"No branch {ref!r}."]
        else:
            ids.append(found)
    if problems:
        raise AppError("The user names branches that do not exist; nothing was stored.", 422, problems)
    return ids


@bp.get("/users")
@documented("Users", response=UserListSchema)
@require(ADMIN, api=True)
def list_users():
    return UserListSchema().dump({"users": store.list_users(get_db())})


@bp.post("/users")
@documented(
    "Invite a user: they get a mail with a single-use link (72 hours) to choose their password",
    body=UserInSchema,
    response=CreatedSchema,
    status=201,
)
@require(ADMIN, api=True)
def invite_user():
    data = load_body(UserInSchema())
    db = get_db()
    branch_ids = _branch_ids(db, data["branches"])
    if data["role"] == MANAGER and not branch_ids:
        raise AppError("A manager needs at least one branch.", 422, {"branches": ["Name a branch."]})
    if data["role"] != MANAGER and branch_ids:
        raise AppError("Only managers have branches.", 422, {"branches": ["Only for managers."]})
    return {"id": accounts.invite(db, data["email"], data["role"], data["name"], branch_ids)}, 201


@bp.post("/import/<kind>")
@documented(
    "Import a CSV file with a header row, all or nothing; ?dry_run=1 only checks and shows the changes. "
    "422 names every bad line and column; importing the same file again changes nothing",
    response=ImportResultSchema,
    body_types=("text/csv",),
    query={"dry_run": "1 to check only"},
)
@require(ADMIN, api=True)
def import_org(kind):
    if kind not in KINDS:
        raise AppError(f"Nothing to import as {kind!r}; use branches, employees or users.", 404)
    upload = request.files.get("file")
    data = upload.read() if upload else request.get_data()
    dry_run = request.args.get("dry_run", "0").lower() in ("1", "true", "yes")
    return ImportResultSchema().dump(imports.import_csv(get_db(), kind, data, dry_run=dry_run))
