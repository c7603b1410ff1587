"""Reports for people: the head-office dashboard, its CSV and XLSX exports, and the PDF downloads."""

import io
import zipfile
from datetime import UTC, datetime

from flask import Blueprint, Response, g, render_template, request, url_for

from audits.store import audit_in_scope
from checklists.scoring import display_percent
from checklists.store import list_checklists, load_checklist
from db import get_db
from errors import AppError
from org import store as org_store
from org.auth import branch_in_scope, employee_in_scope, require
from org.forms import EmployeeForm
from org.roles import ADMIN, MANAGER, REVIEWER
from reports import exports, sources, store
from reports import standards as standards_report
from reports.api import period_arg, standards_scope
from reports.branch_page import SECTIONS, branch_overview, latest_period_key
from reports.comparison import league_table
from reports.dashboard import bucket, dashboard
from reports.documents import branch_pdf, branding, employee_pdf, pdf_document, visit_pdf
from reports.periods import Period, PeriodError, parse_period, picker
from reports.poster import qr_svg
from surveys import store as surveys_store

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


@bp.get("/audits/<uuid:audit_id>/report.pdf")
@require()
def visit_report(audit_id):
    db = get_db()
    audit = audit_in_scope(db, audit_id, g.user)
    pdf, filename = visit_pdf(db, audit["audit_id"], request.args.get("time") != "hide", _paper())
    return _pdf(pdf, filename)


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


def _default_period(months: list[str]) -> Period:
    """The newest of these months (those with a published audit the user may see), or this month."""
    return parse_period(months[0] if months else datetime.now(UTC).strftime("%Y-%m"))


@bp.get("/reports")
@require(ADMIN, REVIEWER, MANAGER)
def dashboard_page():
    db = get_db()
    error = None
    visible = org_store.visible_branch_ids(db, g.user)
    months = store.published_months(db, visible)
    try:
        first, last = request.args.get("from"), request.args.get("to")
        chosen = f"{first or last}..{last or first}" if first or last else request.args.get("period")
        period = parse_period(chosen) if chosen else _default_period(months)
    except PeriodError as exc:
        error, period = str(exc), _default_period(months)
    region_id = request.args.get("region", type=int)
    branch_id = request.args.get("branch", type=int)
    checklist_id = request.args.get("checklist") or None
    in_region = org_store.list_branches(db, visible, region_id)
    branches = [b for b in in_region if b["branch_id"] == branch_id] if branch_id else in_region
    data = dashboard(
        db,
        period,
        branches,
        checklist_id,
        request.args.get("sort", "rank"),
        branding(db)["colour"],
        # Employees are ranked within a region or a branch (a manager's branches are one such set).
        with_employees=bool(region_id or branch_id) or g.user["role"] == MANAGER,
        reverse=request.args.get("reverse") == "1",
        page=request.args.get("page", 1, type=int),
    )
    page = render_template(
        "reports/dashboard.html",
        period=period,
        error=error,
        data=data,
        bucket=bucket,
        regions=org_store.list_regions(db),
        region_id=region_id,
        branch_choices=in_region,
        branch_id=branch_id,
        periods=picker(months, period),
        checklists=list_checklists(db),
        checklist_id=checklist_id,
        sort=request.args.get("sort", "rank"),
        reverse=request.args.get("reverse") == "1",
        sources=sources.dashboard_section(
            db, period, branches, data["table"], branding(db)["colour"], data["rows"]
        ),
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


def _export_scope() -> tuple[Period, list[dict], str | None]:
    """The period, the branches the caller may see (narrowed to ?region= and ?branch=) and the
    checklist an export covers."""
    db = get_db()
    branches = org_store.list_branches(
        db, org_store.visible_branch_ids(db, g.user), request.args.get("region", type=int)
    )
    branch_id = request.args.get("branch", type=int)
    if branch_id:
        branches = [b for b in branches if b["branch_id"] == branch_id]
    return period_arg(), branches, request.args.get("checklist") or None


def _table_rows():
    period, branches, checklist_id = _export_scope()
    return period, league_table(get_db(), period, branches, checklist_id)


def _item_rows():
    period, branches, checklist_id = _export_scope()
    return period, store.answered_items(get_db(), period, {b["branch_id"] for b in branches}, checklist_id)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(data, mimetype: str, filename: str) -> Response:
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@bp.get("/reports/comparison.csv")
@require(ADMIN, REVIEWER, MANAGER)
def comparison_csv():
    period, rows = _table_rows()
    return _download(exports.table_csv(rows), "text/csv", f"comparison-{period.key}.csv")


@bp.get("/reports/comparison.xlsx")
@require(ADMIN, REVIEWER, MANAGER)
def comparison_xlsx():
    period, rows = _table_rows()
    return _download(
        exports.table_xlsx(rows, f"Comparison {period.key}"), XLSX, f"comparison-{period.key}.xlsx"
    )


@bp.get("/reports/items.csv")
@require(ADMIN, REVIEWER, MANAGER)
def items_csv():
    """One row per answered item of the period's published audits (raw data for analysis)."""
    period, rows = _item_rows()
    return _download(exports.table_csv(rows, exports.ITEM_COLUMNS), "text/csv", f"items-{period.key}.csv")


@bp.get("/reports/items.xlsx")
@require(ADMIN, REVIEWER, MANAGER)
def items_xlsx():
    period, rows = _item_rows()
    workbook = exports.table_xlsx(rows, f"Items {period.key}", exports.ITEM_COLUMNS, frozenset())
    return _download(workbook, XLSX, f"items-{period.key}.xlsx")


@bp.get("/reports/standards.pdf")
@require()
def standards_book():
    """The standards book: every standard and what auditors check for it, for staff (no scores)."""
    db = get_db()
    data = {"kind": "standards", "categories": standards_report.book(db)}
    pdf = pdf_document(db, "standards", data, lambda: data, "Service standards", _paper())
    return _pdf(pdf, "standards-book.pdf")


def _report_period() -> tuple[Period, str | None]:
    """The period asked for, else the newest with a published audit the user may see."""
    months = store.published_months(get_db(), org_store.visible_branch_ids(get_db(), g.user))
    try:
        return (
            parse_period(request.args["period"]) if request.args.get("period") else _default_period(months)
        ), None
    except PeriodError as exc:
        return _default_period(months), str(exc)


@bp.get("/reports/standards")
@require(ADMIN, REVIEWER, MANAGER)
def standards_compliance():
    """Compliance per standard: done (audits) beside known (quizzes), weakest first."""
    db = get_db()
    period, error = _report_period()
    rows = standards_report.compliance(db, period, standards_scope(db))
    page = render_template(
        "reports/standards.html",
        period=period,
        error=error,
        rows=[
            {
                **r,
                "percent": display_percent(r["percent"]),
                "knowledge_percent": display_percent(r["knowledge_percent"]),
            }
            for r in rows
        ],
    )
    return page, 400 if error else 200


@bp.get("/branches/<int:branch_id>")
@require(ADMIN, REVIEWER, MANAGER)
def branch_page(branch_id):
    """One page per branch: its people, and every source of quality for a period."""
    branch = branch_in_scope(branch_id)
    db = get_db()
    error = None
    default = latest_period_key(db, branch_id) or datetime.now(UTC).strftime("%Y-%m")
    try:
        period = parse_period(request.args.get("period") or default)
    except PeriodError as exc:
        error, period = str(exc), parse_period(default)
    page = render_template(
        "reports/branch.html",
        branch=branch,
        period=period,
        error=error,
        data=branch_overview(db, branch, period, branding(db)["colour"]),
        sections=[name for name, _function in SECTIONS],
        employees=org_store.list_employees(db, branch_id),
        form=EmployeeForm(),
    )
    return page, 400 if error else 200


@bp.get("/reports/standards/<code>")
@require(ADMIN, REVIEWER, MANAGER)
def standard_compliance(code):
    """Drill down from a standard to the items that check it, and from each to the audits that missed it."""
    db = get_db()
    period, error = _report_period()
    detail = standards_report.standard_detail(db, period, code, org_store.visible_branch_ids(db, g.user))
    return render_template("reports/standard.html", period=period, error=error, detail=detail), (
        400 if error else 200
    )


@bp.get("/reports/branches/<int:branch_id>/survey-poster.pdf")
@require(ADMIN, REVIEWER, MANAGER)
def survey_poster(branch_id):
    """An A4 poster for the counter: the question, the QR code of the branch's survey, its address."""
    branch = branch_in_scope(branch_id)
    db = get_db()
    url = url_for("surveys.survey", token=surveys_store.survey_token(db, branch_id), _external=True)
    data = {"branch": branch["name"], "url": url, "qr": qr_svg(url)}
    pdf = pdf_document(db, "poster", data, lambda: data, f"Survey poster · {branch['name']}", "a4")
    return _pdf(pdf, f"survey-poster-{branch['code']}.pdf")
