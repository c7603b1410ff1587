"""The league table: every branch's score for a period, its change and rank, as plain rows."""

from sqlite_utils import Database

from checklists.scoring import display_percent
from reports import intervals, store
from reports.periods import Period


def league_table(
    db: Database, period: Period, branches: list[dict], checklist_id: str | None = None
) -> list[dict]:
    """Rows best first, as the comparison API and the dashboard show them."""
    ids = {b["branch_id"] for b in branches}
    results = store.branch_results_by_period(db, [period, period.previous()], ids, checklist_id)
    rows = store.comparison(branches, results[period])
    previous = results[period.previous()]
    rank = store.ranks(rows)
    out = []
    for row in rows:
        result = row["result"]
        before = previous.get(row["branch_id"])
        before_percent = before.percent if before else None
        change = (
            result.percent - before_percent
            if result.percent is not None and before_percent is not None
            else None
        )
        out.append(
            {
                "branch_id": row["branch_id"],
                "branch": row["name"],
                "code": row["code"],
                "region": row["region"],
                "region_id": row["region_id"],
                "audits": result.audits,
                "percent": display_percent(result.percent),
                "previous_percent": display_percent(before_percent),
                "change": None
                if change is None
                else (display_percent(abs(change)) * (1 if change >= 0 else -1)),
                "rank": rank.get(row["branch_id"]),
                "pass_rate": display_percent(result.pass_rate),
                "critical_failures": result.critical_failures,
                "score": result.percent,  # unrounded, for means of branch scores (regions)
            }
        )
    intervals.add_to_rows(db, period, out, results, checklist_id)
    return out
