"""JSON API of reports: the comparison of locations."""

from flask import Blueprint, g, request

from db import get_db
from org import store as org_store
from org.apidoc import documented
from org.auth import require
from org.errors import AppError
from org.roles import ADMIN, MANAGER, REVIEWER
from reports.comparison import league_table
from reports.periods import PeriodError, parse_period
from reports.schemas import ComparisonSchema

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1/reports")


def period_arg():
    try:
        return parse_period(request.args.get("period", ""))
    except PeriodError as exc:
        raise AppError(str(exc), 400, {"period": [str(exc)]}) from None


@bp.get("/comparison")
@documented(
    "Every branch you may see with its score for the period, best first; branches without a published "
    "audit come last with audits 0 and percent null",
    response=ComparisonSchema,
    query={
        "period": "YYYY-MM, YYYY-Qn or YYYY",
        "checklist": "Only audits of this checklist",
        "region": "A region id",
    },
)
@require(ADMIN, REVIEWER, MANAGER, api=True)
def comparison():
    period = period_arg()
    db = get_db()
    region_id = request.args.get("region", type=int)
    branches = org_store.list_branches(db, org_store.visible_branch_ids(db, g.user), region_id)
    rows = league_table(db, period, branches, request.args.get("checklist") or None)
    return ComparisonSchema().dump(
        {"period": period.key, "previous_period": period.previous().key, "rows": rows}
    )
