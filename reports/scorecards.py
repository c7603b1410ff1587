"""What each PDF shows: plain dicts built from stored scores and the scoring engine's explanation.

The same dict is the cache key of the PDF, so everything a PDF prints is in it.
"""

from datetime import UTC, datetime

from sqlite_utils import Database

from audits import review
from audits.store import audit_score, get_audit
from checklists.scoring import display_percent, display_points, explain, format_percent
from checklists.store import load_checklist
from org import store as org_store
from reports import charts, intervals, sources, store
from reports import standards as standards_report
from reports.comparison import league_table
from reports.periods import Period


def _answer_text(item, answer: dict, status: str) -> str:
    if status == "hidden":
        return "not shown (its condition was not met)"
    if status == "na":
        return "N/A"
    value = answer.get("value")
    if value in (None, "", []):
        return "—"
    if item.type == "photo":
        return f"{len(value)} photo(s)"
    if item.type == "number" and item.unit:
        return f"{value:g} {item.unit}"
    return str(value)


def visit_report(db: Database, audit_id: str, colour: str, show_time: bool = True) -> dict:
    audit = get_audit(db, audit_id)
    checklist, result = audit_score(db, audit)
    document = audit["document"]
    branch = org_store.get_branch(db, audit["branch_id"])
    staff = {e["employee_id"]: e["name"] for e in org_store.list_employees(db, branch["branch_id"])}
    sections = []
    for section in checklist.sections:
        s = result.sections[section.id]
        items = []
        for item in section.items:
            r = result.items[item.id]
            answer = document["answers"].get(item.id, {})
            photos = list(answer.get("photos") or []) + (
                list(answer.get("value") or []) if item.type == "photo" else []
            )
            items.append(
                {
                    "text": item.text,
                    "standard": item.standard,
                    "answer": _answer_text(item, answer, r.status),
                    "status": r.status,
                    "points": f"{display_points(r.earned):g} / {display_points(r.possible):g}"
                    if r.status == "scored"
                    else "",
                    "critical": item.critical,
                    "comment": answer.get("comment", ""),
                    "photos": [f"audits/{audit_id}/photos/{p}?size=thumb" for p in photos],
                }
            )
        employee_id = document.get("employees", {}).get(section.id)
        sections.append(
            {
                "title": section.title,
                "percent": format_percent(s.percent),
                "percent_value": display_percent(s.percent),
                "employee": staff.get(employee_id) if employee_id and branch["staff_informed"] else None,
                "items": items,
            }
        )
    visited = document["visited_at"]
    return {
        "kind": "visit",
        "audit_id": audit_id,
        "status": audit["status"],
        "branch": {"name": branch["name"], "code": branch["code"], "region": branch["region"]},
        "visited": visited[:16].replace("T", " ") if show_time else visited[:10],
        "checklist": {"title": checklist.title, "id": checklist.id, "version": checklist.version},
        "percent": format_percent(result.percent),
        "passed": result.passed,
        "critical_failure": result.critical_failure,
        "pass_mark": format_percent(checklist.pass_mark),
        "sections": sections,
        "section_chart": charts.bar_chart([(s["title"], s["percent_value"], []) for s in sections], colour),
        "explanation": explain(checklist, result),
    }


def _section_titles(db: Database, keys) -> dict[tuple[str, str], str]:
    titles = {}
    for checklist_id, section_id in keys:
        checklist = load_checklist(db, checklist_id)
        titles[(checklist_id, section_id)] = next(
            (s.title for s in checklist.sections if s.id == section_id), section_id
        )
    return titles


def _reports_state(db: Database) -> list:
    """What every scorecard's numbers depend on, read without aggregating: the newest audit and
    the newest trail entry (every approval, correction, appeal, acknowledgement and action plan on
    a submitted audit writes one), appeals and actions decided, done or verified, the checklists'
    versions and titles, which branches are active in which region (ranks), and the other sources
    a scorecard shows: survey answers, KPI definitions and values, standards and quiz results."""
    return [
        list(row)
        for row in db.execute(
            """select (select max(rowid) from audits), (select max(entry_id) from audit_trail),
                      (select count(decided_at) || '/' || max(appeal_id) from appeals),
                      (select count(done_at) || '/' || count(verified_at) || '/' || max(action_id)
                         from action_items),
                      (select max(rowid) from survey_responses),
                      (select count(*) || '/' || max(imported_at) from kpi_values),
                      (select group_concat(kpi_code || ':' || target || ':' || better, '|') from kpis),
                      (select count(*) || '/' || max(updated_at) from standards),
                      (select max(rowid) from quiz_results),
                      (select group_concat(checklist_id || ':' || latest_version || ':' || title, '|')
                         from checklists),
                      (select group_concat(branch_id || ':' || region_id || ':' || active, '|')
                         from branches)"""
        )
    ]


def _branch_state(db: Database, branch_id: int) -> dict:
    branch = org_store.get_branch(db, branch_id)
    return {k: branch[k] for k in ("branch_id", "name", "code", "region", "staff_informed")}


def branch_scorecard_state(db: Database, branch_id: int, period: Period) -> list:
    """Everything that can change a branch scorecard, for its cache key."""
    return [period.key, _branch_state(db, branch_id), _reports_state(db)]


def employee_scorecard_state(db: Database, employee_id: int, period: Period) -> list:
    """Everything that can change an employee scorecard, for its cache key."""
    employee = org_store.get_employee(db, employee_id)
    return [
        period.key,
        employee["name"],
        _branch_state(db, employee["branch_id"]),
        _reports_state(db),
    ]


def branch_scorecard(db: Database, branch_id: int, period: Period, colour: str) -> dict:
    branch = org_store.get_branch(db, branch_id)
    all_branches = org_store.list_branches(db)
    table = league_table(db, period, all_branches)
    row = next(r for r in table if r["branch_id"] == branch_id)
    region_rows = [r for r in table if r["region_id"] == branch["region_id"]]
    ranked = [r for r in table if r["rank"] is not None]
    region_ranked = [r for r in region_rows if r["percent"] is not None]
    region_rank = next((i for i, r in enumerate(region_ranked, 1) if r["branch_id"] == branch_id), None)
    trend = [
        (p.short_label, display_percent(results.get(branch_id, store.BranchResult(branch_id)).percent))
        for p, results in store.branch_results_by_period(db, period.last(12), {branch_id}).items()
    ]
    mine = store.section_means(db, period, {branch_id})
    company = store.section_means(db, period)
    region = store.section_means(
        db, period, {b["branch_id"] for b in all_branches if b["region_id"] == branch["region_id"]}
    )
    titles = _section_titles(db, mine)
    section_rows = [
        (
            titles[key],
            display_percent(value),
            [display_percent(company.get(key)), display_percent(region.get(key))],
        )
        for key, value in sorted(mine.items(), key=lambda kv: titles[kv[0]])
    ]
    audits = store.published_audits(db, period, {branch_id})
    audit_ids = {a["audit_id"] for a in audits}
    appeals = [
        a for a in review.appeals_list(db, status=None, branch_ids={branch_id}) if a["audit_id"] in audit_ids
    ]
    actions = [a for a in review.actions_list(db, branch_ids={branch_id}) if a["audit_id"] in audit_ids]
    checklist_titles = {
        c["checklist_id"]: c["title"] for c in db.query("select checklist_id, title from checklists")
    }
    return {
        "kind": "branch",
        "period": period.label,
        "branch": {"name": branch["name"], "code": branch["code"], "region": branch["region"]},
        "percent": row["percent"],
        "previous_percent": row["previous_percent"],
        "previous_label": period.previous().label,
        "change": row["change"],
        "audit_count": row["audits"],
        "pass_rate": row["pass_rate"],
        "critical_failures": row["critical_failures"],
        "rank": row["rank"],
        "ranked": len(ranked),
        "region_rank": region_rank,
        "region_ranked": len(region_ranked),
        "trend_chart": charts.trend_chart(
            trend, colour, band=intervals.trend_band(db, branch_id, period.last(12))
        ),
        "certainty": intervals.scorecard_facts(row, table, audits),
        "section_chart": charts.bar_chart(section_rows, colour, compare_labels=("company", "region"))
        if section_rows
        else None,
        "missed": [
            {"text": m["text"], "standard": m["standard"], "missed": m["missed"], "scored": m["scored"]}
            for m in store.most_missed(db, period, {branch_id}, limit=8)
        ],
        "standards_missed": standards_report.missed_section(db, period, {branch_id}),
        "audits": [
            {
                "date": a["visited_at"][:10],
                "checklist": checklist_titles.get(a["checklist_id"], a["checklist_id"]),
                "percent": format_percent(a["percent"]),
                "result": "critical failure"
                if a["critical_failure"]
                else "passed"
                if a["passed"]
                else "not passed",
            }
            for a in audits
        ],
        "actions": {
            "open": sum(1 for a in actions if not a["done_at"]),
            "done": sum(1 for a in actions if a["done_at"]),
        },
        "appeals": {s: sum(1 for a in appeals if a["status"] == s) for s in ("open", "upheld", "rejected")},
        "open_actions": open_actions(db, branch_id),
    } | sources.scorecard_sections(db, branch_id, period, colour)


def open_actions(db: Database, branch_id: int, today: str | None = None) -> list[dict]:
    """The branch's action items still open today, whenever planned: what, who, due, overdue."""
    today = today or datetime.now(UTC).date().isoformat()
    return [
        {"what": a["what"], "who": a["assignee"], "due": a["due"], "overdue": a["due"] < today}
        for a in review.actions_list(db, branch_ids={branch_id}, state="open")
    ]


def employee_scorecard(db: Database, employee_id: int, period: Period, colour: str) -> dict:
    employee = org_store.get_employee(db, employee_id)
    branch = org_store.get_branch(db, employee["branch_id"])
    audits = store.employee_audits(db, period, employee_id)
    percent, count = store.employee_percent(db, period, employee_id)
    trend = [
        (p.short_label, display_percent(store.employee_percent(db, p, employee_id)[0]))
        for p in period.last(12)
    ]
    checklist_titles = {
        c["checklist_id"]: c["title"] for c in db.query("select checklist_id, title from checklists")
    }
    return {
        "kind": "employee",
        "period": period.label,
        "employee": employee["name"],
        "branch": {"name": branch["name"], "code": branch["code"], "region": branch["region"]},
        "percent": display_percent(percent),
        "audit_count": count,
        "trend_chart": charts.trend_chart(trend, colour),
        "audits": [
            {
                "date": a["visited_at"][:10],
                "checklist": checklist_titles.get(a["checklist_id"], a["checklist_id"]),
                "sections": len(a["sections"]),
                "percent": format_percent(a["percent"]),
            }
            for a in audits
        ],
        "sections": intervals.employee_sections(db, period, employee_id, percent),
        "knows_does": standards_report.knows_does_section(db, employee_id, period),
    }
