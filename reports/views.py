"""PDF downloads: a visit report, branch and employee scorecards for a period, all of a period as ZIP."""

import io
import zipfile

from flask import Blueprint, Response, g, request

from audits.store import audit_in_scope
from db import get_db
from org import store as org_store
from org.auth import branch_in_scope, employee_in_scope, require
from org.errors import AppError
from org.roles import ADMIN, MANAGER, REVIEWER
from reports import scorecards
from reports.api import period_arg
from reports.documents import branding, pdf_document

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
    data = scorecards.visit_report(db, audit["audit_id"], branding()["colour"], show_time)
    pdf = pdf_document(db, "visit", data, f"Visit report · {data['visited'][:10]}", _paper())
    return _pdf(pdf, f"visit-{data['branch']['code']}-{data['visited'][:10]}.pdf")


def branch_pdf(db, branch_id: int, period, paper: str = "a4") -> bytes:
    data = scorecards.branch_scorecard(db, branch_id, period, branding()["colour"])
    return pdf_document(db, "branch", data, f"Branch scorecard · {period.label}", paper)


def employee_pdf(db, employee_id: int, period, paper: str = "a4") -> bytes:
    data = scorecards.employee_scorecard(db, employee_id, period, branding()["colour"])
    return pdf_document(db, "employee", data, f"Employee scorecard · {period.label}", paper)


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
