"""Reports for people: the head-office dashboard, its CSV and XLSX exports, and the PDF downloads."""

import io
import zipfile
from datetime import UTC, datetime

from flask import Blueprint, Response, g, render_template, request

from audits.store import audit_in_scope
from checklists.store import list_checklists, load_checklist
from db import get_db
from org import store as org_store
from org.auth import branch_in_scope, employee_in_scope, require
from org.errors import AppError
from org.roles import ADMIN, MANAGER, REVIEWER
from reports import exports, scorecards, store
from reports.api import period_arg
from reports.comparison import league_table
from reports.dashboard import bucket, dashboard
from reports.documents import branding, pdf_document
from reports.periods import Period, PeriodError, parse_period

bp = Blueprint("reports", __name__)


def _pdf(data: bytes, filename: str, attachment: bool = False) -> Response:
    disposition = "attachment" if attachment or request.args.get("download") else "inline"
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )


def _paper() -> str:
    return request.args.get("paper", "a4")


@bp.get("/audits/<audit_id>/report.pdf")
@require()
def visit_report(audit_id):
    db = get_db()
    audit = audit_in_scope(db, audit_id.lower(), g.user)
    show_time = request.args.get("time") != "hide"
    data = scorecards.visit_report(db, audit["audit_id"], branding(db)["colour"], show_time)
    pdf = pdf_document(db, "visit", data, lambda: data, f"Visit report · {data['visited'][:10]}", _paper())
    return _pdf(pdf, f"visit-{data['branch']['code']}-{data['visited'][:10]}.pdf")


def branch_pdf(db, branch_id: int, period, paper: str = "a4") -> bytes:
    return pdf_document(
        db,
        "branch",
        scorecards.branch_scorecard_state(db, branch_id, period),
        lambda: scorecards.branch_scorecard(db, branch_id, period, branding(db)["colour"]),
        f"Branch scorecard · {period.label}",
        paper,
    )


def employee_pdf(db, employee_id: int, period, paper: str = "a4") -> bytes:
    return pdf_document(
        db,
        "employee",
        scorecards.employee_scorecard_state(db, employee_id, period),
        lambda: scorecards.employee_scorecard(db, employee_id, period, branding(db)["colour"]),
        f"Employee scorecard · {period.label}",
        paper,
    )


@bp.get("/reports/branches/<int:branch_id>/scorecard.pdf")
@require(ADMIN, REVIEWER, MANAGER)
def branch_scorecard(branch_id):
    branch = branch_in_scope(branch_id)
    period = period_arg()
    return _pdf(
        branch_pdf(get_db(), branch_id, period, _paper()), f"scorecard-{branch['code']}-{period.key}.pdf"
    )


@bp.get("/reports/employees/<int:employee_id>/scorecard.pdf")
@require(ADMIN, REVIEWER, MANAGER)
def employee_scorecard(employee_id):
    employee = employee_in_scope(employee_id)
    if not org_store.get_branch(get_db(), employee["branch_id"])["staff_informed"]:
        # Staff of this branch were not told they may be scored by name: no employee data exists.
        raise AppError(f"Employee {employee_id} does not exist.", 404)
    period = period_arg()
    return _pdf(
        employee_pdf(get_db(), employee_id, period, _paper()), f"employee-{employee_id}-{period.key}.pdf"
    )


@bp.get("/reports/scorecards.zip")
@require(ADMIN, REVIEWER)
def scorecards_zip():
    """Every branch's scorecard of a period in one ZIP (the CLI does the same on all cores)."""
    period = period_arg()
    db = get_db()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for branch in org_store.list_branches(db):
            if branch["active"]:
                archive.writestr(
                    f"scorecard-{branch['code']}-{period.key}.pdf",
                    branch_pdf(db, branch["branch_id"], period),
                )
    return Response(
        buffer.getvalue(),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="scorecards-{period.key}.zip"'},
    )


def _default_period() -> Period:
    """The newest month with a published audit, or the current month."""
    row = list(get_db().query("select max(period_month) as m from audits where status = 'published'"))
    return parse_period(row[0]["m"] or datetime.now(UTC).strftime("%Y-%m"))


@bp.get("/reports")
@require(ADMIN, REVIEWER, MANAGER)
def dashboard_page():
    db = get_db()
    error = None
    try:
        period = parse_period(request.args["period"]) if request.args.get("period") else _default_period()
    except PeriodError as exc:
        error, period = str(exc), _default_period()
    region_id = request.args.get("region", type=int)
    checklist_id = request.args.get("checklist") or None
    branches = org_store.list_branches(db, org_store.visible_branch_ids(db, g.user), region_id)
    data = dashboard(
        db, period, branches, checklist_id, request.args.get("sort", "rank"), branding(db)["colour"]
    )
    page = render_template(
        "reports/dashboard.html",
        period=period,
        error=error,
        data=data,
        bucket=bucket,
        regions=org_store.list_regions(db),
        region_id=region_id,
        checklists=list_checklists(db),
        checklist_id=checklist_id,
        sort=request.args.get("sort", "rank"),
    )
    return page, 400 if error else 200


@bp.get("/reports/missed")
@require(ADMIN, REVIEWER, MANAGER)
def missed_audits():
    """Drill down from a most-missed standard to the audits that missed it."""
    db = get_db()
    period = period_arg()
    checklist_id, item_id = request.args.get("checklist", ""), request.args.get("item", "")
    try:
        item = load_checklist(db, checklist_id).item(item_id)
    except (AppError, KeyError):
        raise AppError(f"No item {item_id!r} in checklist {checklist_id!r}.", 404) from None
    visible = org_store.visible_branch_ids(db, g.user)
    rows = store.audits_missing(db, period, visible, checklist_id, item_id)
    return render_template("reports/missed.html", period=period, item=item, rows=rows)


def _table_rows():
    db = get_db()
    period = period_arg()
    branches = org_store.list_branches(
        db, org_store.visible_branch_ids(db, g.user), request.args.get("region", type=int)
    )
    return period, league_table(db, period, branches, request.args.get("checklist") or None)


@bp.get("/reports/comparison.csv")
@require(ADMIN, REVIEWER, MANAGER)
def comparison_csv():
    period, rows = _table_rows()
    return Response(
        exports.table_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="comparison-{period.key}.csv"'},
    )


@bp.get("/reports/comparison.xlsx")
@require(ADMIN, REVIEWER, MANAGER)
def comparison_xlsx():
    period, rows = _table_rows()
    return Response(
        exports.table_xlsx(rows, f"Comparison {period.key}"),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="comparison-{period.key}.xlsx"'},
    )
