"""JSON API of standards and quizzes: the catalogue with versions, quizzes, invitations, results."""

from flask import Blueprint, g, url_for

from checklists.scoring import display_percent
from db import get_db
from errors import AppError
from org import store as org_store
from org.auth import employee_in_scope, require
from org.roles import ADMIN, MANAGER, REVIEWER
from standards import store
from standards.schemas import (
    InvitationInSchema,
    InvitationSchema,
    QuizCreatedSchema,
    QuizInSchema,
    QuizListSchema,
    QuizResultSchema,
    QuizSchema,
    StandardChangeSchema,
    StandardCreatedSchema,
    StandardInSchema,
    StandardListSchema,
    StandardSchema,
    StandardVersionListSchema,
)
from web.apidoc import documented, load_body

bp = Blueprint("standards_api", __name__, url_prefix="/api/v1")


@bp.get("/standards")
@documented("The standards catalogue, by category and code", response=StandardListSchema)
@require(api=True)
def list_standards():
    return StandardListSchema().dump({"standards": store.list_standards(get_db())})


@bp.post("/standards")
@documented("Add a standard (version 1)", body=StandardInSchema, response=StandardCreatedSchema, status=201)
@require(ADMIN, api=True)
def create_standard():
    standard = store.create_standard(get_db(), load_body(StandardInSchema()), g.user["user_id"])
    return {"id": standard["standard_id"], "code": standard["code"]}, 201


@bp.get("/standards/<code>")
@documented("One standard, its newest version", response=StandardSchema)
@require(api=True)
def get_standard(code):
    return StandardSchema().dump(store.get_standard(get_db(), code))


@bp.put("/standards/<code>")
@documented(
    "Change a standard: a new version, the old ones kept; the same content makes none",
    body=StandardChangeSchema,
    response=StandardSchema,
)
@require(ADMIN, api=True)
def change_standard(code):
    db = get_db()
    store.get_standard(db, code)  # 404 before reading the body
    standard, _changed = store.change_standard(db, code, load_body(StandardChangeSchema()), g.user["user_id"])
    return StandardSchema().dump(standard)


@bp.get("/standards/<code>/versions")
@documented("Every version of a standard, newest first", response=StandardVersionListSchema)
@require(api=True)
def list_versions(code):
    return StandardVersionListSchema().dump({"code": code, "versions": store.list_versions(get_db(), code)})


@bp.get("/quizzes")
@documented("Staff knowledge quizzes", response=QuizListSchema)
@require(ADMIN, REVIEWER, MANAGER, api=True)
def list_quizzes():
    return QuizListSchema().dump({"quizzes": store.list_quizzes(get_db())})


@bp.post("/quizzes")
@documented(
    "Add a quiz: multiple-choice questions, each on a standard of the catalogue",
    body=QuizInSchema,
    response=QuizCreatedSchema,
    status=201,
)
@require(ADMIN, api=True)
def create_quiz():
    quiz = load_body(QuizInSchema())
    store.save_quiz(get_db(), quiz, create=True)
    return {"id": quiz["id"]}, 201


@bp.get("/quizzes/<quiz_id>")
@documented("One quiz with its questions and correct answers", response=QuizSchema)
@require(ADMIN, REVIEWER, MANAGER, api=True)
def get_quiz(quiz_id):
    return QuizSchema().dump(store.get_quiz(get_db(), quiz_id))


@bp.put("/quizzes/<quiz_id>")
@documented("Change a quiz (results already taken keep their marks)", body=QuizInSchema, response=QuizSchema)
@require(ADMIN, api=True)
def change_quiz(quiz_id):
    db = get_db()
    store.get_quiz(db, quiz_id)
    quiz = load_body(QuizInSchema())
    if quiz["id"] != quiz_id:
        raise AppError("The quiz id cannot be changed.", 422, {"id": ["Does not match the quiz in the URL."]})
    store.save_quiz(db, quiz, create=False)
    return QuizSchema().dump(store.get_quiz(db, quiz_id))


@bp.post("/quizzes/<quiz_id>/invitations")
@documented(
    "A single-use quiz link for an employee of an informed branch (expires after 14 days)",
    body=InvitationInSchema,
    response=InvitationSchema,
    status=201,
)
@require(ADMIN, MANAGER, api=True)
def invite(quiz_id):
    db = get_db()
    store.get_quiz(db, quiz_id)
    employee_id = load_body(InvitationInSchema())["employee_id"]
    employee_in_scope(employee_id)
    token, expires = store.create_invitation(db, quiz_id, employee_id, g.user["user_id"])
    url = url_for("standards.take_quiz", invitation_token=token, _external=True)
    return {"url": url, "expires_at": expires}, 201


@bp.get("/employees/<int:employee_id>/quizzes")
@documented("An employee's quiz results, newest first (informed branches only; else none)")
@require(ADMIN, REVIEWER, MANAGER, api=True)
def employee_quizzes(employee_id):
    db = get_db()
    employee = employee_in_scope(employee_id)
    if not org_store.get_branch(db, employee["branch_id"])["staff_informed"]:
        return []
    rows = store.employee_results(db, employee_id)
    return QuizResultSchema(many=True).dump(
        {
            "quiz_id": r["quiz_id"],
            "percent": display_percent(store.result_percent(r)),
            "passed": bool(r["passed"]),
            "taken_at": r["taken_at"],
        }
        for r in rows
    )
