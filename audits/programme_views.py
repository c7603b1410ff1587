"""Head office's visit programme: assigning visits, recurring schedules and the plan of a period."""

from collections import Counter
from datetime import UTC, date, datetime

from flask import current_app, flash, g, redirect, render_template, request, url_for
from wtforms import SelectChoice

from audits import schedules, store
from audits.blueprint import bp
from audits.forms import (
    MAX_VISITS,
    AssignmentEditForm,
    AssignmentForm,
    CancelForm,
    PlanForm,
    ScheduleForm,
    auditor_choices,
    branch_choices,
    checklist_choices,
    visit_choices,
)
from audits.pages import today
from db import get_db
from errors import AppError
from org import store as org_store
from org.auth import require
from org.forms import attach_errors
from org.roles import ADMIN, REVIEWER


def _rotation_warning(form, db, branch_id, checklist_id, auditor_id, due_by, exclude=None) -> bool:
    """Put the rotation conflict next to the auditor field unless the form overrides it; True if warned."""
    conflict = store.rotation_conflict(db, branch_id, checklist_id, auditor_id, due_by, exclude)
    if conflict and not form.override.data:
        form.auditor_id.errors.append(conflict)
        return True
    return False


def _assign(form: AssignmentForm, db) -> bool:
    """Assign the visit the form describes; False, with the refusal on the form, if it was refused."""
    due_by = form.due_by.data.isoformat()
    if _rotation_warning(form, db, form.branch_id.data, form.checklist_id.data, form.auditor_id.data, due_by):
        return False
    try:
        schedules.assign_visit(
            db,
            branch_id=form.branch_id.data,
            checklist_id=form.checklist_id.data,
            auditor_id=form.auditor_id.data,
            due_from=form.due_from.data.isoformat() if form.due_from.data else "",
            due_by=due_by,
            notes=form.notes.data or "",
            user_id=g.user["user_id"],
        )
    except AppError as exc:
        if exc.status == 404:
            raise
        attach_errors(form, exc, "due_by")
        return False
    return True


@bp.route("/assignments", methods=["GET", "POST"])
@require(ADMIN, REVIEWER)
def assignments():
    db = get_db()
    form = AssignmentForm()
    visit_choices(form, db)
    if form.validate_on_submit() and _assign(form, db):
        flash("Visit assigned; the auditor was mailed.")
        return redirect(url_for("audits.assignments"))
    groups = schedules.assignment_groups(store.list_assignments(db), today())
    return render_template("audits/assignments.html", form=form, groups=groups), 400 if form.errors else 200


@bp.route("/assignments/<int:assignment_id>/edit", methods=["GET", "POST"])
@require(ADMIN, REVIEWER)
def edit_assignment(assignment_id):
    """Reassign a visit (a saved draft moves along) or move its due date."""
    db = get_db()
    row = store.get_assignment(db, assignment_id)
    form = AssignmentEditForm(
        data={"auditor_id": row["auditor_id"], "due_by": date.fromisoformat(row["due_by"])}
    )
    form.auditor_id.choices = auditor_choices(db)
    locked = row["cancelled_at"] or row["status"] in store.LOCKED
    if not locked and form.validate_on_submit():
        auditor_id, due_by = form.auditor_id.data, form.due_by.data.isoformat()
        warned = auditor_id != row["auditor_id"] and _rotation_warning(
            form, db, row["branch_id"], row["checklist_id"], auditor_id, due_by, assignment_id
        )
        if not warned:
            _updated, moved = schedules.change_assignment(db, row, auditor_id, due_by)
            flash("Visit reassigned; the auditor was mailed." if moved else "Visit saved.")
            return redirect(url_for("audits.assignments"))
    status = 400 if form.errors else 200
    return render_template("audits/assignment_edit.html", form=form, row=row, locked=locked), status


@bp.post("/assignments/<int:assignment_id>/cancel")
@require(ADMIN, REVIEWER)
def cancel_assignment(assignment_id):
    if not CancelForm().validate_on_submit():
        raise AppError("The form expired; please try again.", 400)
    try:
        store.cancel_assignment(get_db(), assignment_id)
    except AppError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return redirect(url_for("audits.edit_assignment", assignment_id=assignment_id))
    flash("Visit cancelled.")
    return redirect(url_for("audits.assignments"))


# Schedules and the plan of a period


def _schedule_form(db) -> ScheduleForm:
    needed = current_app.extensions["suggested_visits"](db)
    form = ScheduleForm(visits=min(needed, MAX_VISITS))
    form.visits.description = (
        f"{needed} audits a period tell a branch 5 points from the company mean apart at 90%, "
        "given today's spread of audit scores."
    )
    form.checklist_id.choices = checklist_choices(db)
    form.region_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(r["region_id"], r["name"]) for r in org_store.list_regions(db)
    ]
    form.branch_ids.choices = branch_choices(db)
    return form


def _next_month() -> str:
    this = datetime.now(UTC).date()
    return f"{this.year + this.month // 12}-{this.month % 12 + 1:02d}"


@bp.route("/schedules", methods=["GET", "POST"])
@require(ADMIN, REVIEWER)
def schedules_page():
    db = get_db()
    form = _schedule_form(db)
    if form.validate_on_submit():
        region = org_store.get_region(db, form.region_id.data)["name"] if form.region_id.data else None
        schedules.create_schedule(
            db,
            form.checklist_id.data,
            form.visits.data,
            form.every.data,
            branch_ids=None if region else form.branch_ids.data,
            region=region,
            rotation_days=form.rotation_days.data,
            user_id=g.user["user_id"],
        )
        flash("Schedule saved. Check the plan of the next period below before you create it.")
        return redirect(url_for("audits.schedules_page"))
    plan_form = PlanForm(formdata=None, period=_next_month())
    status = 400 if form.errors else 200
    return render_template(
        "audits/schedules.html", form=form, plan_form=plan_form, schedules=schedules.list_schedules(db)
    ), status


@bp.post("/schedules/<int:schedule_id>/stop")
@require(ADMIN, REVIEWER)
def stop_schedule(schedule_id):
    if not CancelForm().validate_on_submit():
        raise AppError("The form expired; please try again.", 400)
    schedules.stop_schedule(get_db(), schedule_id)
    flash("Schedule stopped; the visits it planned stay.")
    return redirect(url_for("audits.schedules_page"))


@bp.route("/schedules/plan", methods=["GET", "POST"])
@require(ADMIN, REVIEWER)
def plan_page():
    """The plan of a period before it is created (a dry run), then created on confirmation."""
    db = get_db()
    posted = request.method == "POST"
    form = PlanForm(request.form if posted else request.args, meta={"csrf": posted})
    if not form.validate():
        return render_template(
            "audits/plan.html", form=form, rows=None
        ), 400 if request.args or request.form else 200
    period = form.period.data
    if posted:
        rows = schedules.plan_visits(db, period, user_id=g.user["user_id"])
        flash(f"{len(rows)} visit(s) created for {period}; the auditors were mailed.")
        return redirect(url_for("audits.assignments"))
    rows = schedules.plan_visits(db, period, dry_run=True)
    load = Counter(row["auditor"] for row in rows)
    return render_template("audits/plan.html", form=form, rows=rows, load=load)
