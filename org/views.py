"""HTML pages: login, the home page of each role, and head office's organisation pages."""

import re
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, flash, g, redirect, render_template, request, url_for
from wtforms import SelectChoice

from db import get_db
from errors import AppError
from org import accounts, imports, ratelimit, settings, store
from org.auth import employee_in_scope, log_in, log_out, require, restamp_session
from org.forms import (
    KEEP_PASSWORD_HINT,
    BranchForm,
    EmployeeForm,
    ImportConfirmForm,
    ImportForm,
    LoginForm,
    PasswordResetForm,
    RegionForm,
    SetPasswordForm,
    SettingsForm,
    TokenForm,
    UserForm,
)
from org.roles import ADMIN, MANAGER, REVIEWER

bp = Blueprint("org", __name__)

_UNSAFE_IN_NEXT = re.compile(r"[\x00-\x1f\x7f\\]")


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login; control characters (CR LF would split the
    Location header) and backslashes (which browsers read as //) are never followed."""
    if (
        not target
        or urlsplit(target).netloc
        or not target.startswith("/")
        or target.startswith("//")
        or _UNSAFE_IN_NEXT.search(target)
    ):
        return url_for("org.home")
    return target


# Failed logins and reset requests allowed from one address; the counters live in the database so
# that they hold across worker processes.
LOGIN_FAILURES_PER_MINUTE = 10
RESETS_PER_HOUR = 10


def _too_many(bucket: str, limit: int, seconds: int) -> None:
    if ratelimit.over(get_db(), bucket, limit, seconds):
        raise AppError("Too many attempts from your address; please wait a little and try again.", 429)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    bucket = f"login:{request.remote_addr}"
    if request.method == "POST":
        _too_many(bucket, LOGIN_FAILURES_PER_MINUTE, 60)
    if form.validate_on_submit():
        user = store.authenticate(get_db(), form.email.data, form.password.data)
        if user is not None:
            log_in(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("Email or password is wrong.")
    if request.method == "POST":
        ratelimit.hit(get_db(), bucket, 60)
    status = 400 if request.method == "POST" else 200
    return render_template("org/login.html", form=form), status


@bp.route("/password-reset", methods=["GET", "POST"])
def password_reset():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = PasswordResetForm()
    if request.method == "POST":
        _too_many(f"reset:{request.remote_addr}", RESETS_PER_HOUR, 3600)
    if form.validate_on_submit():
        ratelimit.hit(get_db(), f"reset:{request.remote_addr}", 3600)
        accounts.request_reset(get_db(), form.email.data)
        return render_template("org/password_reset.html", form=form, sent=True)
    status = 400 if request.method == "POST" else 200
    return render_template("org/password_reset.html", form=form, sent=False), status


@bp.route("/password/<link_token>", methods=["GET", "POST"])
def set_password(link_token):
    """The single-use link of an invitation or a reset: choose a password, then you are logged in."""
    db = get_db()
    user, purpose = accounts.token_user(db, link_token)
    form = SetPasswordForm()
    if request.method == "POST" and "confirm" not in request.form:
        del form.confirm  # a script may send the password alone; the page always asks twice
    if form.validate_on_submit():
        user = accounts.use_token(db, link_token, form.password.data)
        log_in(store.get_user(db, user["user_id"]))
        flash(
            "Your password is set. Welcome!"
            if purpose == accounts.INVITATION
            else "Your password is changed."
        )
        return redirect(url_for("org.home"))
    status = 400 if request.method == "POST" else 200
    return render_template("org/set_password.html", form=form, user=user, purpose=purpose), status


@bp.post("/logout")
def logout():
    log_out()
    flash("You are logged out.")
    return redirect(url_for("org.login"))


@bp.get("/")
@require()
def home():
    db = get_db()
    role = g.user["role"]
    context = {"branches": store.list_branches(db, store.visible_branch_ids(db, g.user))}
    if role == ADMIN:
        context["counts"] = {
            "regions": db["regions"].count,
            "branches": db["branches"].count,
            "employees": db["employees"].count,
            "users": db["users"].count,
        }
    # Parts other packages add to a role's home page, as create_app registers them.
    sections = current_app.extensions["home_sections"].get(role, [])
    context["sections"] = [section(db, g.user) for section in sections]
    return render_template(f"org/home_{role}.html", **context)


# Regions


@bp.route("/regions", methods=["GET", "POST"])
@require(ADMIN)
def regions():
    form = RegionForm()
    if form.validate_on_submit():
        try:
            store.create_region(get_db(), form.name.data)
        except AppError as exc:
            form.name.errors.append(exc.message)
        else:
            flash(f"Region {form.name.data} added.")
            return redirect(url_for("org.regions"))
    return render_template("org/regions.html", regions=store.list_regions(get_db()), form=form)


@bp.route("/regions/<int:region_id>/edit", methods=["GET", "POST"])
@require(ADMIN)
def edit_region(region_id):
    region = store.get_region(get_db(), region_id)
    form = RegionForm(data=region)
    if form.validate_on_submit():
        try:
            store.rename_region(get_db(), region_id, form.name.data)
        except AppError as exc:
            form.name.errors.append(exc.message)
        else:
            flash("Region renamed.")
            return redirect(url_for("org.regions"))
    return render_template("org/region_edit.html", region=region, form=form)


# Branches


@bp.get("/branches")
@require(ADMIN, REVIEWER, MANAGER)
def branches():
    db = get_db()
    region_id = request.args.get("region", type=int)
    rows = store.list_branches(db, store.visible_branch_ids(db, g.user), region_id)
    query = request.args.get("q", "").strip().lower()
    if query:
        rows = [b for b in rows if query in f"{b['code']} {b['name']} {b['region']}".lower()]
    return render_template(
        "org/branches.html", branches=rows, regions=store.list_regions(db), region_id=region_id, q=query
    )


def _save_branch(form: BranchForm, branch_id: int | None = None) -> int | None:
    """Create or update from the form; None (with the error on the form) when refused."""
    names = ("code", "name", "region", "address", "active", "staff_informed", "protect_lone_staff")
    data = {name: form[name].data for name in names}
    data["address"] = data["address"] or ""
    try:
        if branch_id is None:
            return store.create_branch(get_db(), **data)
        store.update_branch(get_db(), branch_id, **data)
        return branch_id
    except AppError as exc:
        form.code.errors.append(exc.message)
        return None


@bp.route("/branches/new", methods=["GET", "POST"])
@require(ADMIN)
def new_branch():
    form = BranchForm()
    if form.validate_on_submit() and (branch_id := _save_branch(form)) is not None:
        flash(f"Branch {form.name.data} created.")
        return redirect(url_for("reports.branch_page", branch_id=branch_id))
    return render_template(
        "org/branch_form.html", form=form, branch=None, regions=store.list_regions(get_db())
    )


@bp.route("/branches/<int:branch_id>/edit", methods=["GET", "POST"])
@require(ADMIN)
def edit_branch(branch_id):
    branch = store.get_branch(get_db(), branch_id)
    form = BranchForm(data=branch)
    if form.validate_on_submit() and _save_branch(form, branch_id) is not None:
        flash("Branch saved.")
        return redirect(url_for("reports.branch_page", branch_id=branch_id))
    return render_template(
        "org/branch_form.html", form=form, branch=branch, regions=store.list_regions(get_db())
    )


@bp.post("/branches/<int:branch_id>/employees")
@require(ADMIN)
def add_employee(branch_id):
    branch = store.get_branch(get_db(), branch_id)
    form = EmployeeForm()
    if form.validate_on_submit():
        store.create_employee(get_db(), branch_id, form.name.data)
        flash(f"{form.name.data} added to {branch['name']}.")
    else:
        problems = " ".join(m for messages in form.errors.values() for m in messages)
        flash(f"No employee was added: {problems}", "error")
    # The branch page lives in reports, which shows every source of quality beside the staff.
    return redirect(url_for("reports.branch_page", branch_id=branch_id))


@bp.route("/employees/<int:employee_id>/edit", methods=["GET", "POST"])
@require(ADMIN)
def edit_employee(employee_id):
    employee = employee_in_scope(employee_id)
    form = EmployeeForm(data=employee)
    if form.validate_on_submit():
        store.update_employee(get_db(), employee_id, form.name.data, form.active.data)
        flash("Employee saved.")
        return redirect(url_for("reports.branch_page", branch_id=employee["branch_id"]))
    branch = store.get_branch(get_db(), employee["branch_id"])
    return render_template("org/employee_edit.html", employee=employee, branch=branch, form=form)


# Users


def _user_form(user: dict | None = None) -> UserForm:
    form = UserForm(data=user) if user else UserForm()
    form.branches.choices = [
        SelectChoice(b["branch_id"], f"{b['code']} · {b['name']}") for b in store.list_branches(get_db())
    ]
    if user and request.method == "GET":
        form.branches.data = user["branch_ids"]
    if user:
        form.password.description = KEEP_PASSWORD_HINT
    return form


@bp.get("/users")
@require(ADMIN)
def users():
    return render_template("org/users.html", users=store.list_users(get_db()))


@bp.route("/users/new", methods=["GET", "POST"])
@require(ADMIN)
def new_user():
    form = _user_form()
    form.password.description = (
        "At least 8 characters. Leave empty to mail an invitation with a link to choose a password."
    )
    if form.validate_on_submit():
        db = get_db()
        try:
            if form.password.data:
                store.create_user(
                    db,
                    form.email.data,
                    form.role.data,
                    form.password.data,
                    form.name.data or "",
                    form.branches.data or [],
                )
            else:
                accounts.invite(
                    db, form.email.data, form.role.data, form.name.data or "", form.branches.data or []
                )
        except AppError as exc:
            form.email.errors.append(exc.message)
        else:
            sent = "" if form.password.data else "; an invitation to choose a password was mailed"
            flash(f"User {form.email.data} created{sent}.")
            return redirect(url_for("org.users"))
    return render_template("org/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@require(ADMIN)
def edit_user(user_id):
    user = store.get_user(get_db(), user_id)
    form = _user_form(user)
    del form.email
    if form.validate_on_submit():
        if user_id == g.user["user_id"] and (form.role.data != ADMIN or not form.active.data):
            form.role.errors.append("You cannot remove your own admin access.")
        else:
            db = get_db()
            store.update_user(
                db, user_id, form.name.data or "", form.role.data, form.active.data, form.branches.data or []
            )
            if form.password.data:
                generation = store.set_password(db, user_id, form.password.data)
                if user_id == g.user["user_id"]:
                    restamp_session(generation)
            flash(f"User {user['email']} saved.")
            return redirect(url_for("org.users"))
    return render_template("org/user_form.html", form=form, user=user)


# Personal API tokens: every user sees, creates and revokes their own.


@bp.route("/account/tokens", methods=["GET", "POST"])
@require()
def tokens():
    form = TokenForm()
    created = None
    if form.validate_on_submit():
        created = store.create_token(get_db(), g.user["user_id"], form.days.data)
    rows = store.list_tokens(get_db(), g.user["user_id"])
    status = 400 if request.method == "POST" and created is None else 200
    return render_template("org/tokens.html", form=form, tokens=rows, created=created), status


@bp.post("/account/tokens/<int:token_id>/revoke")
@require()
def revoke_token(token_id):
    store.revoke_tokens(get_db(), g.user["user_id"], token_id)
    flash(f"Token {token_id} revoked: it no longer works.")
    return redirect(url_for("org.tokens"))


# Company settings


def _defaults() -> dict:
    return {"company": current_app.config["COMPANY_NAME"], "colour": current_app.config["BRAND_COLOUR"]}


@bp.route("/settings", methods=["GET", "POST"])
@require(ADMIN)
def company_settings():
    current = settings.branding(get_db(), _defaults())
    form = SettingsForm(data=current)
    if form.validate_on_submit():
        upload = form.logo.data
        logo = upload.read() if getattr(upload, "filename", None) else None
        try:
            settings.save_branding(get_db(), form.company.data, form.colour.data, logo)
        except AppError as exc:
            form.logo.errors.append(exc.message)
        else:
            flash("Settings saved; new PDFs carry them.")
            return redirect(url_for("org.company_settings"))
    status = 422 if request.method == "POST" else 200
    return render_template("org/settings.html", form=form, current=current), status


@bp.get("/settings/logo.png")
@require()
def logo():
    png = settings.logo_png(get_db())
    if png is None:
        raise AppError("No logo has been uploaded.", 404)
    return Response(png, mimetype="image/png")


@bp.get("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="icon.svg"), code=301)


# Bulk import: upload, preview (a dry run), confirm


def _import_preview(kind: str, data: bytes, form: ImportForm):
    """The dry run of an uploaded file: its changes, or every bad line and column."""
    try:
        result = imports.import_csv(get_db(), kind, data, dry_run=True)
    except AppError as exc:
        return render_template(
            "org/import.html", form=form, result=None, problems=exc.fields, error=exc.message
        ), 422
    confirm = ImportConfirmForm(formdata=None, kind=kind, csv_text=data.decode("utf-8-sig"))
    return render_template("org/import.html", form=form, result=result, confirm=confirm, problems=None)


@bp.route("/import", methods=["GET", "POST"])
@require(ADMIN)
def import_page():
    form = ImportForm()
    if form.validate_on_submit():
        return _import_preview(form.kind.data, form.file.data.read(), form)
    status = 400 if form.errors else 200
    return render_template("org/import.html", form=form, result=None, problems=None), status


@bp.post("/import/confirm")
@require(ADMIN)
def import_confirm():
    """Import the file that was previewed; checked again, all or nothing."""
    confirm = ImportConfirmForm()
    if not confirm.validate_on_submit() or confirm.kind.data not in ("branches", "employees", "users"):
        raise AppError("The preview expired; upload the file again.", 400)
    try:
        result = imports.import_csv(get_db(), confirm.kind.data, confirm.csv_text.data.encode())
    except AppError as exc:
        form = ImportForm(formdata=None, kind=confirm.kind.data)
        return render_template(
            "org/import.html", form=form, result=None, problems=exc.fields, error=exc.message
        ), 422
    flash(
        f"{confirm.kind.data.capitalize()} imported: {result['created']} created, "
        f"{result['updated']} updated, {result['unchanged']} unchanged."
    )
    return redirect(url_for("org.import_page"))
