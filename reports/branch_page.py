"""The one page per branch: every source of quality for one branch and period, as plain data.

Each section is its own function and template partial (templates/reports/branch/_<name>.html), so
a further source is one more entry in SECTIONS.
"""

from sqlite_utils import Database

from audits import review
from checklists.scoring import display_percent
from reports import charts, sources, store
from reports import standards as standards_report
from reports.periods import Period
from standards import store as standards_store


def audit_section(db: Database, branch: dict, period: Period, colour: str) -> dict:
    """The branch's audit score for the period, its audits, and the 12-period trend."""
    branch_id = branch["branch_id"]
    periods = period.last(12)  # ends with the period itself
    results = {
        p: by_branch.get(branch_id, store.BranchResult(branch_id))
        for p, by_branch in store.branch_results_by_period(db, periods, {branch_id}).items()
    }
    result = results[periods[-1]]
    trend = [(p.short_label, display_percent(results[p].percent)) for p in periods]
    return {
        "percent": display_percent(result.percent),
        "audits": result.audits,
        "pass_rate": display_percent(result.pass_rate),
        "critical_failures": result.critical_failures,
        "trend": trend,
        "trend_chart": charts.trend_chart(trend, colour),
        "list": store.published_audits(db, period, {branch_id}),
    }


def nps_section(db: Database, branch: dict, period: Period, colour: str) -> dict:
    return sources.branch_nps(db, branch, period, colour)


def kpi_section(db: Database, branch: dict, period: Period, colour: str) -> dict:
    return {"rows": sources.branch_kpis(db, branch["branch_id"], period)}


def standards_section(db: Database, branch: dict, period: Period, colour: str) -> dict:
    """Compliance per standard at this branch (weakest first) beside what its staff know of it."""
    rows = standards_report.compliance(db, period, {branch["branch_id"]})
    return {
        "rows": [
            {
                **r,
                "percent": display_percent(r["percent"]),
                "knowledge_percent": display_percent(r["knowledge_percent"]),
            }
            for r in rows
            if r["percent"] is not None or r["knowledge_percent"] is not None
        ]
    }


def quizzes_section(db: Database, branch: dict, period: Period, colour: str) -> dict:
    """The staff's quiz results in the period; none where staff are not informed."""
    if not branch["staff_informed"]:
        return {"informed": False, "rows": []}
    rows = standards_store.period_results(db, period.months, {branch["branch_id"]})
    return {
        "informed": True,
        "rows": [{**r, "percent": display_percent(standards_store.result_percent(r))} for r in rows],
    }


def actions_section(db: Database, branch: dict, period: Period, colour: str) -> dict:
    """Every open action item of the branch, whatever the period of its audit: open is open."""
    return {"rows": review.actions_list(db, branch_ids={branch["branch_id"]}, open_only=True)}


# (name, function): the partial templates/reports/branch/_<name>.html shows the function's data.
SECTIONS = [
    ("audits", audit_section),
    ("standards", standards_section),
    ("quizzes", quizzes_section),
    ("nps", nps_section),
    ("kpis", kpi_section),
    ("actions", actions_section),
]


def branch_overview(db: Database, branch: dict, period: Period, colour: str) -> dict:
    return {name: section(db, branch, period, colour) for name, section in SECTIONS}


def latest_period_key(db: Database, branch_id: int) -> str | None:
    """The newest month with a published audit of the branch."""
    row = db.execute(
        "select max(period_month) from audits where status = 'published' and branch_id = ?", [branch_id]
    ).fetchone()
    return row[0]
