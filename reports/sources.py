"""The other sources of quality beside audits, per branch and period: customer NPS and KPIs.

Each function returns plain data for the API, the branch page, the PDF and the dashboard, so every
place shows the same numbers.
"""

from sqlite_utils import Database

from checklists.scoring import display_percent
from org import store as org_store
from reports import charts, store
from reports.kpis import meets_target
from reports.periods import Period
from surveys import store as surveys_store
from surveys.nps import Tally


def _nps_row(branch: dict, tally: Tally) -> dict:
    return {
        "branch_id": branch["branch_id"],
        "branch": branch["name"],
        "code": branch["code"],
        "responses": tally.responses,
        "promoters": tally.promoters,
        "passives": tally.passives,
        "detractors": tally.detractors,
        "nps": display_percent(tally.nps),
        "nps_exact": tally.nps,
    }


def nps_rows(db: Database, period: Period, branches: list[dict]) -> list[dict]:
    """Every branch's NPS for the period, best first; branches without responses last (by name)."""
    tallies = surveys_store.tallies(db, period.months, {b["branch_id"] for b in branches})
    rows = [_nps_row(b, tallies.get(b["branch_id"], Tally())) for b in branches]
    rows.sort(key=lambda r: (r["nps_exact"] is None, -(r["nps_exact"] or 0), r["branch"], r["branch_id"]))
    return rows


def branch_nps(db: Database, branch: dict, period: Period, colour: str, comment_limit: int = 100) -> dict:
    """A branch's NPS in the period, its 12-period trend (numbers and chart) and the newest comments
    (for the branch's managers and head office)."""
    branch_id = branch["branch_id"]
    row = nps_rows(db, period, [branch])[0]
    trend = [
        (
            p.short_label,
            display_percent(surveys_store.tallies(db, p.months, {branch_id}).get(branch_id, Tally()).nps),
        )
        for p in period.last(12)
    ]
    return {
        **{k: v for k, v in row.items() if k != "nps_exact"},
        "trend": trend,
        "trend_chart": charts.trend_chart(trend, colour, low=-100, high=100, suffix=""),
        "comments": surveys_store.comments(db, branch_id, period.months, comment_limit),
    }


def _kpi_cells(kpis: list[dict], means: dict, branch_id: int) -> list[dict]:
    """Each KPI with the branch's mean value (two decimals for display) and whether it meets the target."""
    cells = []
    for kpi in kpis:
        value = means.get((branch_id, kpi["code"]))
        cells.append(
            {
                **kpi,
                "value": None if value is None else round(value, 2),
                "met": meets_target(value, kpi["target"], kpi["better"]),
            }
        )
    return cells


def branch_kpis(db: Database, branch_id: int, period: Period) -> list[dict]:
    """Every KPI with the branch's mean monthly value in the period, against its target."""
    return _kpi_cells(store.list_kpis(db), store.kpi_means(db, period.months, {branch_id}), branch_id)


def scorecard_sections(db: Database, branch_id: int, period: Period, colour: str) -> dict:
    """The NPS and KPI sections of the branch scorecard PDF."""
    branch = org_store.get_branch(db, branch_id)
    return {
        "nps": branch_nps(db, branch, period, colour, comment_limit=20),
        "kpis": branch_kpis(db, branch_id, period),
    }


def dashboard_section(
    db: Database, period: Period, branches: list[dict], table: list[dict], colour: str, shown: list[dict]
) -> dict:
    """NPS and KPIs beside the audit score for the branches shown (the rows of the league table's
    page, in their order), and the scatter of audit score against NPS of every branch of the
    dashboard with both numbers."""
    audit = {r["branch_id"]: r["percent"] for r in table}
    kpis = store.list_kpis(db)
    means = store.kpi_means(db, period.months, {b["branch_id"] for b in branches})
    rows = [
        {
            **{k: v for k, v in row.items() if k != "nps_exact"},
            "percent": audit.get(row["branch_id"]),
            "kpis": _kpi_cells(kpis, means, row["branch_id"]),
        }
        for row in nps_rows(db, period, branches)
    ]
    points = [
        (r["branch"], r["percent"], r["nps"])
        for r in rows
        if r["percent"] is not None and r["nps"] is not None
    ]
    by_id = {r["branch_id"]: r for r in rows}
    return {
        "rows": [by_id[r["branch_id"]] for r in shown if r["branch_id"] in by_id],
        "kpis": kpis,
        "scatter": charts.scatter_chart(points, colour) if points else None,
        "trend_chart": charts.trend_chart(
            company_nps_trend(db, period, {b["branch_id"] for b in branches}),
            colour,
            low=-100,
            high=100,
            suffix="",
        ),
    }


def company_nps_trend(db: Database, period: Period, branch_ids: set[int]) -> list[tuple[str, float | None]]:
    """The NPS of all answers to these branches in each of the 12 periods up to this one."""
    points = []
    for p in period.last(12):
        tallies = surveys_store.tallies(db, p.months, branch_ids).values()
        pooled = Tally(
            *(
                sum(getattr(t, f) for t in tallies)
                for f in ("responses", "promoters", "passives", "detractors")
            )
        )
        points.append((p.short_label, display_percent(pooled.nps)))
    return points
