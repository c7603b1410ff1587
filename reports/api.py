"""JSON API of reports: the comparison of locations, regions, heat map, trend, most missed, employees."""

from flask import Blueprint, g, request

from checklists.scoring import display_percent
from db import get_db
from errors import AppError
from org import store as org_store
from org.auth import require
from org.roles import ADMIN, MANAGER, REVIEWER
from reports import dashboard, sources, store
from reports.comparison import league_table
from reports.kpis import KpiImportError
from reports.periods import ImplausiblePeriod, PeriodError, parse_period
from reports.schemas import (
    ComparisonSchema,
    ImportedSchema,
    KpiCreatedSchema,
    KpiInSchema,
    NpsSchema,
    StandardsReportSchema,
)
from reports.standards import compliance
from web.apidoc import documented, load_body

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1/reports")
# KPI definitions and values live beside the reports that read them, under /api/v1/kpis.
kpis_bp = Blueprint("kpis_api", __name__, url_prefix="/api/v1/kpis")


def period_arg():
    try:
        return parse_period(request.args.get("period", ""))
    except PeriodError as exc:
        status = 422 if isinstance(exc, ImplausiblePeriod) else 400
        raise AppError(str(exc), status, {"period": [str(exc)]}) from None


_QUERY = {
    "period": "YYYY-MM, YYYY-Qn, YYYY or YYYY-MM..YYYY-MM",
    "checklist": "Only audits of this checklist",
    "region": "A region id",
}


@bp.get("/comparison")
@documented(
    "Every branch you may see with its score for the period, best first; branches without a published "
    "audit come last with audits 0 and percent null",
    response=ComparisonSchema,
    query=_QUERY,
)
@require(ADMIN, REVIEWER, MANAGER, api=True)
def comparison():
    db, period, branches, checklist_id = _scope()
    rows = league_table(db, period, branches, checklist_id)
    return ComparisonSchema().dump(
        {"period": period.key, "previous_period": period.previous().key, "rows": rows}
    )


def _scope():
    """The period, the branches the caller may see (optionally of one region), and the checklist."""
    db = get_db()
    period = period_arg()
    branches = org_store.list_branches(
        db, org_store.visible_branch_ids(db, g.user), request.args.get("region", type=int)
    )
    return db, period, branches, request.args.get("checklist") or None


@bp.get("/regions")
@documented(
    "Each region's score (the mean of its branches' scores) with its best and worst branch", query=_QUERY
)
@require(ADMIN, REVIEWER, MANAGER, api=True)
def regions():
    db, period, branches, checklist_id = _scope()
    rows = dashboard.regions(league_table(db, period, branches, checklist_id))
    for row in rows:
        row["best"] = row["best"] and {k: row["best"][k] for k in ("branch_id", "branch", "percent")}
        row["worst"] = row["worst"] and {k: row["worst"][k] for k in ("branch_id", "branch", "percent")}
    return {"period": period.key, "regions": rows}


@bp.get("/heatmap")
@documented(
    "Branches × sections of one checklist (?checklist=, required): mean section percents", query=_QUERY
)
@require(ADMIN, REVIEWER, MANAGER, api=True)
def heatmap():
    db, period, branches, checklist_id = _scope()
    if not checklist_id:
        raise AppError("Name the checklist: ?checklist=<id>.", 400, {"checklist": ["Required."]})
    return {"period": period.key, **dashboard.heat_map(db, period, branches, checklist_id)}


@bp.get("/trend")
@documented("The mean of branch scores over the 12 periods up to this one", query=_QUERY)
@require(ADMIN, REVIEWER, MANAGER, api=True)
def trend():
    db, period, branches, checklist_id = _scope()
    ids = {b["branch_id"] for b in branches}
    points = []
    for p in period.last(12):
        results = store.branch_results(db, p, ids, checklist_id)
        percents = [r.percent for r in results.values() if r.percent is not None]
        points.append(
            {
                "period": p.key,
                "percent": display_percent(store.mean(percents)),
                "audits": sum(r.audits for r in results.values()),
            }
        )
    return {"period": period.key, "points": points}


@bp.get("/missed")
@documented("The standards that lost points most often, with the branches that miss them", query=_QUERY)
@require(ADMIN, REVIEWER, MANAGER, api=True)
def missed():
    db, period, branches, checklist_id = _scope()
    rows = store.most_missed(db, period, {b["branch_id"] for b in branches}, checklist_id, limit=20)
    return {
        "period": period.key,
        "items": [
            {
                "checklist_id": m["checklist_id"],
                "item_id": m["item_id"],
                "text": m["text"],
                "standard": m["standard"],
                "missed": m["missed"],
                "scored": m["scored"],
                "rate": display_percent(m["rate"]),
                "branch_ids": sorted(m["branches"]),
            }
            for m in rows
        ],
    }


@bp.get("/employees")
@documented("Employees of informed branches ranked by their score for the period", query=_QUERY)
@require(ADMIN, REVIEWER, MANAGER, api=True)
def employees():
    db, period, branches, _checklist_id = _scope()
    branch_id = request.args.get("branch", type=int)
    ids = {b["branch_id"] for b in branches if branch_id in (None, b["branch_id"])}
    rows = store.employee_ranking(db, period, ids)
    return {
        "period": period.key,
        "employees": [
            {
                "employee_id": r["employee_id"],
                "name": r["name"],
                "branch_id": r["branch_id"],
                "branch": r["branch"],
                "percent": display_percent(r["percent"]),
                "audits": r["audits"],
            }
            for r in rows
        ],
    }


def standards_scope(db) -> set[int] | None:
    """The branches of a standards report: the caller's, or one of them with ?branch_id= (404 outside)."""
    visible = org_store.visible_branch_ids(db, g.user)
    raw = request.args.get("branch_id")
    if raw in (None, ""):
        return visible
    if not raw.isdecimal():
        raise AppError("branch_id must be a whole number.", 400, {"branch_id": ["Not a whole number."]})
    branch_id = int(raw)
    if (visible is not None and branch_id not in visible) or not org_store.list_branches(db, {branch_id}):
        raise AppError(f"Branch {branch_id} does not exist.", 404)
    return {branch_id}


@bp.get("/standards")
@documented(
    "Compliance per standard: pooled points over the items that check it in published audits, and the "
    "share of correct quiz answers on it; weakest first, nulls last",
    response=StandardsReportSchema,
    query={"period": "YYYY-MM, YYYY-Qn or YYYY", "branch_id": "Only this branch"},
)
@require(ADMIN, REVIEWER, MANAGER, api=True)
def standards():
    db = get_db()
    period = period_arg()
    rows = compliance(db, period, standards_scope(db))
    return StandardsReportSchema().dump(
        {
            "period": period.key,
            "rows": [
                {
                    **r,
                    "percent": display_percent(r["percent"]),
                    "knowledge_percent": display_percent(r["knowledge_percent"]),
                }
                for r in rows
            ],
        }
    )


@bp.get("/nps")
@documented(
    "Customer NPS of every branch you may see for the period: promoters 9-10, passives 7-8, "
    "detractors 0-6; best first, branches without responses last with nps null",
    response=NpsSchema,
    query={"period": "YYYY-MM, YYYY-Qn or YYYY", "region": "A region id"},
)
@require(ADMIN, REVIEWER, MANAGER, api=True)
def nps():
    db, period, branches, _checklist_id = _scope()
    return NpsSchema().dump({"period": period.key, "rows": sources.nps_rows(db, period, branches)})


@kpis_bp.post("")
@documented(
    "Define a KPI: code, name, unit, which way is better, target",
    body=KpiInSchema,
    status=201,
    response=KpiCreatedSchema,
)
@require(ADMIN, api=True)
def create_kpi():
    data = load_body(KpiInSchema())
    store.create_kpi(get_db(), data["code"], data["name"], data["unit"], data["better"], data["target"])
    return {"code": data["code"]}, 201


@kpis_bp.get("")
@documented("The KPIs head office defined")
@require(ADMIN, REVIEWER, MANAGER, api=True)
def list_kpis():
    return {"kpis": store.list_kpis(get_db())}


@kpis_bp.post("/values")
@documented(
    "Import monthly KPI values from CSV lines branch_code,kpi_code,period,value (header optional): all "
    "or nothing, 422 names every bad line; the same file again changes nothing",
    response=ImportedSchema,
    body_types=("text/csv",),
)
@require(ADMIN, api=True)
def import_kpi_values():
    if request.mimetype not in ("text/csv", "text/plain") and not g.via_token:
        # A browser form cannot send text/csv cross-site without a preflight.
        raise AppError("Send the values as text/csv.", 400)
    try:
        text = request.get_data().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AppError("The CSV is not UTF-8 text.", 400) from None
    try:
        imported = store.import_kpi_values(get_db(), text)
    except KpiImportError as exc:
        raise AppError("The CSV has bad lines; nothing was imported.", 422, {"csv": exc.lines}) from None
    return {"imported": imported}
