"""JSON API of the organisation: branches and their employees."""

from flask import Blueprint, current_app, g, jsonify, url_for

from db import get_db
from org import store
from org.apidoc import build_openapi, documented, load_body
from org.auth import branch_in_scope, require
from org.errors import AppError
from org.roles import ADMIN, AUDITOR
from org.schemas import (
    ApiIndexSchema,
    BranchInSchema,
    BranchListSchema,
    BranchSchema,
    CreatedSchema,
    EmployeeInSchema,
    EmployeeListSchema,
    UserSchema,
)

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
