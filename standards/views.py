"""HTML pages of standards: the catalogue by category, versions, quizzes with their editor and
invitations, and the public quiz page an employee opens from a single-use link."""

from itertools import groupby

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from db import get_db
from errors import AppError, flatten_messages
from org import store as org_store
from org.auth import employee_in_scope, require
from org.roles import ADMIN, MANAGER, REVIEWER
from standards import quizzes, store
from standards.forms import InviteForm, StandardForm, blank_question, editor_rows, quiz_from_form
from standards.schemas import QuizInSchema

bp = Blueprint("standards", __name__)


def _by_category(standards: list[dict]) -> list[tuple[str, list[dict]]]:
    return [(category, list(rows)) for category, rows in groupby(standards, key=lambda s: s["category"])]


@bp.get("/standards")
@require()
def index():
    db = get_db()
    query = request.args.get("q", "").strip().lower()
    standards = [
        s
        for s in store.list_standards(db)
        if not query or query in f"{s['code']} {s['title']} {s['text']} {s['category']}".lower()
    ]
    return render_template("standards/index.html", groups=_by_category(standards), query=query)


def _standard_fields(form: StandardForm) -> dict:
    return {
        "code": form.code.data.strip(),
        "title": form.title.data,
        "text": form.text.data,
        "category": form.category.data,
        "effective_date": form.effective_date.data,
    }


@bp.route("/standards/new", methods=["GET", "POST"])
@require(ADMIN)
def new():
    form = StandardForm()
    if form.validate_on_submit():
        try:
            standard = store.create_standard(get_db(), _standard_fields(form), g.user["user_id"])
        except AppError as exc:
            if exc.status != 409:
                raise
            form.code.errors.append(exc.fields["code"][0])
        else:
            flash(f"Standard {standard['code']} added.")
            return redirect(url_for("standards.show", code=standard["code"]))
    categories = sorted({s["category"] for s in store.list_standards(get_db())})
    status = 422 if form.errors else 200
    return render_template("standards/form.html", form=form, standard=None, categories=categories), status


@bp.get("/standards/<code>")
@require()
def show(code):
    db = get_db()
    standard = store.get_standard(db, code)
    return render_template("standards/show.html", standard=standard, versions=store.list_versions(db, code))


@bp.route("/standards/<code>/edit", methods=["GET", "POST"])
@require(ADMIN)
def edit(code):
    db = get_db()
    standard = store.get_standard(db, code)
    form = StandardForm(data={**standard, "effective_date": None})
    if form.validate_on_submit():
        fields = {**_standard_fields(form), "code": code}
        if fields["effective_date"] is None:
            del fields["effective_date"]
        updated, changed = store.change_standard(db, code, fields, g.user["user_id"])
        flash(f"Saved as version {updated['version']}." if changed else "Nothing changed; no new version.")
        return redirect(url_for("standards.show", code=code))
    categories = sorted({s["category"] for s in store.list_standards(db)})
    status = 422 if form.errors else 200
    return render_template("standards/form.html", form=form, standard=standard, categories=categories), status


# Quizzes


@bp.get("/quizzes")
@require(ADMIN, REVIEWER, MANAGER)
def quizzes_index():
    db = get_db()
    categories = sorted({s["category"] for s in store.list_standards(db)})
    return render_template("standards/quizzes.html", quizzes=store.list_quizzes(db), categories=categories)


def _editor(quiz: dict, existing: bool, problems: dict | None = None, status: int = 200):
    db = get_db()
    page = render_template(
        "standards/quiz_editor.html",
        quiz=quiz,
        rows=editor_rows(quiz),
        existing=existing,
        problems=problems or {},
        standards=store.list_standards(db),
        option_slots=quizzes.OPTION_SLOTS,
    )
    return page, status


def _save_quiz(existing: bool):
    """Read the editor's post (CSRFProtect has checked its token): add a question, or validate and
    store the quiz."""
    quiz = quiz_from_form(request.form)
    if request.form.get("action") == "add":
        quiz["questions"].append(blank_question())
        return _editor(quiz, existing)
    try:
        loaded = QuizInSchema().load(quiz)
        store.save_quiz(get_db(), loaded, create=not existing)
    except ValidationError as exc:
        return _editor(quiz, existing, flatten_messages(exc.messages), 422)
    except AppError as exc:
        if exc.status not in (409, 422):
            raise
        return _editor(quiz, existing, exc.fields or {"_body": [exc.message]}, exc.status)
    flash("Quiz saved.")
    return redirect(url_for("standards.quiz", quiz_id=loaded["id"]))


@bp.route("/quizzes/new", methods=["GET", "POST"])
@require(ADMIN)
def new_quiz():
    if request.method == "POST":
        return _save_quiz(existing=False)
    category = request.args.get("category")
    if category is None:
        return _editor({"id": "", "title": "", "pass_mark": 80, "questions": [blank_question()]}, False)
    standards = [s for s in store.list_standards(get_db()) if category in ("", s["category"])]
    quiz = quizzes.draft(standards)
    quiz["title"] = f"{category or 'Our standards'} quiz"
    return _editor(quiz, False)


@bp.route("/quizzes/<quiz_id>/edit", methods=["GET", "POST"])
@require(ADMIN)
def edit_quiz(quiz_id):
    stored = store.get_quiz(get_db(), quiz_id)
    if request.method == "POST":
        return _save_quiz(existing=True)
    return _editor({**stored, "id": stored["quiz_id"]}, True)


def _informed_employees(db) -> list[dict]:
    branches = org_store.list_branches(db, org_store.visible_branch_ids(db, g.user))
    return [
        {**e, "branch": b["name"]}
        for b in branches
        if b["staff_informed"] and b["active"]
        for e in org_store.list_employees(db, b["branch_id"], active_only=True)
    ]


@bp.get("/quizzes/<quiz_id>")
@require(ADMIN, REVIEWER, MANAGER)
def quiz(quiz_id):
    db = get_db()
    stored = store.get_quiz(db, quiz_id)
    form = InviteForm()
    form.employee_id.choices = [
        (e["employee_id"], f"{e['name']} · {e['branch']}") for e in _informed_employees(db)
    ]
    return render_template(
        "standards/quiz.html",
        quiz=stored,
        titles=store.codes(db),
        results=store.quiz_results(db, quiz_id, org_store.visible_branch_ids(db, g.user)),
        form=form,
    )


@bp.post("/quizzes/<quiz_id>/invitations")
@require(ADMIN, MANAGER)
def invite(quiz_id):
    db = get_db()
    store.get_quiz(db, quiz_id)
    form = InviteForm()
    form.employee_id.choices = [(e["employee_id"], e["name"]) for e in _informed_employees(db)]
    if not form.validate_on_submit():
        flash("Choose an employee of a branch whose staff are informed.", "error")
        return redirect(url_for("standards.quiz", quiz_id=quiz_id))
    employee = employee_in_scope(form.employee_id.data)
    token, expires = store.create_invitation(db, quiz_id, employee["employee_id"], g.user["user_id"])
    url = url_for("standards.take_quiz", invitation_token=token, _external=True)
    flash(f"Send this link to {employee['name']} (it works once, until {expires[:10]}): {url}")
    return redirect(url_for("standards.quiz", quiz_id=quiz_id))


# The public quiz page: no account, a single-use link.


@bp.route("/quiz/<invitation_token>", methods=["GET", "POST"])
def take_quiz(invitation_token):
    db = get_db()
    invitation = store.open_invitation(db, invitation_token)
    quiz_doc = invitation["quiz"]
    chosen: dict[str, int] = {}
    problems: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":  # CSRFProtect has checked the token
        chosen, problems = quizzes.read_answers(quiz_doc, request.form)
        if not problems:
            result = quizzes.grade(quiz_doc, chosen)
            store.record_result(db, invitation, result, chosen)
            return render_template(
                "standards/quiz_done.html",
                quiz=quiz_doc,
                result=result,
                chosen=chosen,
                employee=invitation["employee"],
            )
        status = 422
    page = render_template(
        "standards/take_quiz.html",
        quiz=quiz_doc,
        employee=invitation["employee"],
        chosen=chosen,
        problems=problems,
    )
    return page, status
