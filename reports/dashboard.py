"""The numbers of the head-office dashboard: league table, regions, heat map, trend, most missed.

All from reports.store (stored scores) and reports.comparison; nothing here re-scores answers.
"""

import math
from collections import defaultdict

from sqlite_utils import Database

from checklists.scoring import display_percent
from checklists.store import load_checklist
from reports import charts, intervals, store
from reports import standards as standards_report
from reports.comparison import league_table
from reports.periods import Period

# Each column of the league table: the value it sorts by, and whether it sorts descending unless
# reversed. Rows without a value come last either way; ties stay in branch-name order.
SORTS = {
    "rank": (lambda r: r["score"], True),
    "branch": (lambda r: r["branch"], False),
    "region": (lambda r: r["region"], False),
    "change": (lambda r: r["change"], True),
    "audits": (lambda r: r["audits"], True),
    "pass_rate": (lambda r: r["pass_rate"], True),
    "critical": (lambda r: r["critical_failures"], True),
}


PAGE_SIZE = 100  # league-table rows on one page; sorting, ranks and means span every branch


def page_of(rows: list[dict], page: int) -> tuple[list[dict], dict]:
    """The rows of one page (1-based, clamped to the pages there are) and where it lies."""
    pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    page = min(max(1, page), pages)
    start = (page - 1) * PAGE_SIZE
    shown = rows[start : start + PAGE_SIZE]
    return shown, {
        "page": page,
        "pages": pages,
        "first": start + 1,
        "last": start + len(shown),
        "total": len(rows),
    }


def sort_table(rows: list[dict], sort: str, reverse: bool = False) -> bool:
    """Sort the league table in place by a column; True when the order is descending."""
    value, descending = SORTS.get(sort, SORTS["rank"])
    descending ^= reverse
    present = sorted((r for r in rows if value(r) is not None), key=lambda r: r["branch"])
    present.sort(key=value, reverse=descending)
    missing = sorted((r for r in rows if value(r) is None), key=lambda r: r["branch"])
    rows[:] = present + missing
    return descending


def regions(table: list[dict]) -> list[dict]:
    """Each region: the mean of its branches' scores (each branch once), and its best and worst branch."""
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in table:
        grouped[row["region"]].append(row)
    out = []
    for name, rows in grouped.items():
        scored = [r for r in rows if r["score"] is not None]
        best = max(scored, key=lambda r: r["score"], default=None)
        worst = min(scored, key=lambda r: r["score"], default=None)
        out.append(
            {
                "region": name,
                "branches": len(rows),
                "audits": sum(r["audits"] for r in rows),
                # From the branches' exact scores, rounded once here for display.
                "percent": display_percent(store.mean([r["score"] for r in scored])),
                "best": best,
                "worst": worst,
            }
        )
    out.sort(key=lambda r: (r["percent"] is None, -(r["percent"] or 0), r["region"]))
    return out


def heat_map(db: Database, period: Period, branches: list[dict], checklist_id: str) -> dict:
    """Branches × sections of one checklist: the mean section percent of each branch's audits."""
    checklist = load_checklist(db, checklist_id)
    by_branch = store.section_means_by_branch(db, period, {b["branch_id"] for b in branches}, checklist_id)
    rows = []
    for branch in branches:
        means = by_branch.get(branch["branch_id"], {})
        cells = [display_percent(means.get(s.id)) for s in checklist.sections]
        if any(c is not None for c in cells):
            rows.append(
                {
                    "branch_id": branch["branch_id"],
                    "branch": branch["name"],
                    "code": branch["code"],
                    "cells": cells,
                }
            )
    return {
        "checklist": checklist.title,
        "checklist_id": checklist_id,
        "sections": [s.title for s in checklist.sections],
        "rows": rows,
    }


def bucket(value: float | None) -> str:
    """A colour class for a heat-map cell; the number is always printed too."""
    if value is None:
        return "none"
    return "h" + str(min(4, int(value // 20)))


def company_trend(db: Database, period: Period, branch_ids: set[int], colour: str) -> str:
    points = []
    for p, results in store.branch_results_by_period(db, period.last(12), branch_ids).items():
        scores = [r.percent for r in results.values() if r.percent is not None]
        points.append((p.short_label, display_percent(store.mean(scores))))
    return charts.trend_chart(points, colour, width=640, height=170)


def dashboard(
    db: Database,
    period: Period,
    branches: list[dict],
    checklist_id: str | None,
    sort: str,
    colour: str,
    with_employees: bool = False,
    reverse: bool = False,
    page: int = 1,
) -> dict:
    """Everything the dashboard shows; the league table's rows and the heat map are those of one
    page of the sorted table (a thousand-branch company is read a page at a time)."""
    table = league_table(db, period, branches, checklist_id)
    descending = sort_table(table, sort, reverse)
    rows, pager = page_of(table, page)
    by_id = {b["branch_id"]: b for b in branches}
    branch_ids = {b["branch_id"] for b in branches}
    # The heat map's checklist unless one is chosen: that of the oldest published audit (one seek).
    first = db.execute(
        "select checklist_id from audits where status = 'published' order by period_month limit 1"
    ).fetchone()
    heat_checklist = checklist_id or (first[0] if first else None)
    names = {b["branch_id"]: b["name"] for b in branches}
    missed = store.most_missed(db, period, branch_ids, checklist_id, limit=10)
    for m in missed:
        m["branch_names"] = sorted(names[b] for b in m["branches"] if b in names)
        m["rate"] = display_percent(m["rate"])
    region_rows = regions(table)
    employees, employee_certainty = (
        intervals.employee_rows(store.employee_ranking(db, period, branch_ids))
        if with_employees
        else (None, None)
    )
    return {
        "table": table,
        "rows": rows,
        "pager": pager,
        "descending": descending,
        "regions": region_rows,
        "certainty": intervals.dashboard_section(db, period, table, region_rows, checklist_id),
        "heat": heat_map(db, period, [by_id[r["branch_id"]] for r in rows], heat_checklist)
        if heat_checklist
        else None,
        "trend": company_trend(db, period, branch_ids, colour),
        "missed": missed,
        "standards_missed": standards_report.missed_section(db, period, branch_ids),
        "employees": employees,
        "employee_certainty": employee_certainty,
    }
