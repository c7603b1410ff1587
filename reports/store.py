"""Aggregation over published audits, from the scores stored at submission (never re-scoring).

Numbers follow "Periods and people" in DESIGN.md: a branch's score for a period is the mean of
the percents of its published audits visited in that period; an employee's is the mean, over
audits, of the pooled percent of the sections that name them. Means are exact (fractions).
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from sqlite_utils import Database

from checklists.store import load_checklist
from reports.periods import Period


def _fraction(text: str | None) -> Fraction | None:
    if text is None:
        return None
    numerator, denominator = text.split("/")
    return Fraction(int(numerator), int(denominator))


def mean(values: list[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


def _in(column: str, values) -> tuple[str, list]:
    values = sorted(values)
    return (f"{column} in ({','.join('?' * len(values))})" if values else "0"), values


def mean_of_floats(total: float, count: int) -> Fraction:
    """The mean SQL computed from full-precision percents, as a Fraction safe to round half up.

    Exact means of these percents are fractions with modest denominators, so two different exact
    means are far more than 1e-9 apart; a float mean within 1e-9 of a .x5 rounding boundary can
    only come from a mean exactly on it, and is put back on it before rounding.
    """
    value = total / count
    scaled = value * 10
    boundary = math.floor(scaled) + 0.5
    if abs(scaled - boundary) < 1e-9:
        return Fraction(math.floor(scaled) * 2 + 1, 20)
    return Fraction(value)


@dataclass
class BranchResult:
    branch_id: int
    audits: int = 0
    scored: int = 0
    percent: Fraction | None = None
    passed: int = 0
    critical_failures: int = 0

    @property
    def pass_rate(self) -> Fraction | None:
        return Fraction(100 * self.passed, self.scored) if self.scored else None


def _filters(period: Period, branch_ids, checklist_id: str | None) -> tuple[str, list]:
    return _month_filters(period.months, branch_ids, checklist_id)


def _month_filters(months: list[str], branch_ids, checklist_id: str | None) -> tuple[str, list]:
    where, params = _in("a.period_month", months)
    clauses = ["a.status = 'published'", where]
    if branch_ids is not None:
        clause, ids = _in("a.branch_id", branch_ids)
        clauses.append(clause)
        params += ids
    if checklist_id:
        clauses.append("a.checklist_id = ?")
        params.append(checklist_id)
    return " and ".join(clauses), params


def published_audits(
    db: Database, period: Period, branch_ids=None, checklist_id: str | None = None
) -> list[dict]:
    """The published audits visited in the period (in their own offset), oldest first."""
    where, params = _filters(period, branch_ids, checklist_id)
    return list(
        db.query(
            f"""select a.audit_id, a.branch_id, a.checklist_id, a.checklist_version, a.visited_at, a.percent,
                       a.percent_exact, a.passed, a.critical_failure
                  from audits a where {where} order by a.visited_utc""",
            params,
        )
    )


def branch_results(
    db: Database, period: Period, branch_ids=None, checklist_id: str | None = None
) -> dict[int, BranchResult]:
    """Per branch: audits, the mean percent (audits with nothing possible left out), passes and
    critical failures."""
    return branch_results_by_period(db, [period], branch_ids, checklist_id)[period]


def branch_results_by_period(
    db: Database, periods: list[Period], branch_ids=None, checklist_id: str | None = None
) -> dict[Period, dict[int, BranchResult]]:
    """branch_results of several periods in one query: summed per month and branch first, the
    order of the index (m022), then per period and branch."""
    month_of = [(month, p.key) for p in periods for month in p.months]
    clauses, values = _month_filters([m for m, _key in month_of], branch_ids, checklist_id)
    pairs = ", ".join("(?, ?)" for _ in month_of)
    rows = db.query(
        f"""select p.period, m.branch_id, sum(m.audits) as audits, sum(m.scored) as scored,
                   sum(m.total) as total, sum(m.passed) as passed, sum(m.critical) as critical
              from (select a.period_month, a.branch_id, count(*) as audits, count(a.percent_value) as scored,
                           total(a.percent_value) as total,
                           sum(a.percent_value is not null and a.passed) as passed,
                           sum(a.critical_failure) as critical
                      from audits a where {clauses} group by a.period_month, a.branch_id) m
              join (select column1 as month, column2 as period from (values {pairs})) p
                on p.month = m.period_month
             group by p.period, m.branch_id""",
        [*values, *(v for pair in month_of for v in pair)],
    )
    by_key: dict[str, dict[int, BranchResult]] = {p.key: {} for p in periods}
    for row in rows:
        percent = mean_of_floats(row["total"], row["scored"]) if row["scored"] else None
        by_key[row["period"]][row["branch_id"]] = BranchResult(
            row["branch_id"], row["audits"], row["scored"], percent, row["passed"] or 0, row["critical"] or 0
        )
    return {p: by_key[p.key] for p in periods}


def comparison(
    db: Database, period: Period, branches: list[dict], checklist_id: str | None = None
) -> list[dict]:
    """Every given branch with its score for the period, best first; branches without a scored
    audit come last, by name."""
    results = branch_results(db, period, {b["branch_id"] for b in branches}, checklist_id)
    rows = []
    for branch in branches:
        result = results.get(branch["branch_id"], BranchResult(branch["branch_id"]))
        rows.append({**branch, "result": result})
    rows.sort(key=lambda r: (r["result"].percent is None, -(r["result"].percent or 0), r["name"], r["code"]))
    return rows


def ranks(rows: list[dict]) -> dict[int, int]:
    """Competition ranking (1, 2, 2, 4) of the rows with a percent, in their order."""
    ranked, last_percent, last_rank = {}, None, 0
    for position, row in enumerate((r for r in rows if r["result"].percent is not None), start=1):
        if row["result"].percent != last_percent:
            last_rank, last_percent = position, row["result"].percent
        ranked[row["branch_id"]] = last_rank
    return ranked


def _every_branch(db: Database, branch_ids) -> bool:
    """Whether branch_ids name every branch, so that no filter on branches is needed."""
    return set(branch_ids) >= {row[0] for row in db.execute("select branch_id from branches")}


def _rollup_filters(
    db: Database, kind: str, period: Period, branch_ids, checklist_id: str | None
) -> tuple[str, list]:
    """The report rollup's rows of one kind for the period's published audits."""
    where, params = _in("r.period_month", period.months)
    clauses = ["r.kind = ?", where]
    params = [kind, *params]
    if branch_ids is not None and not _every_branch(db, branch_ids):
        clause, ids = _in("r.branch_id", branch_ids)
        clauses.append(clause)
        params += ids
    if checklist_id:
        clauses.append("r.checklist_id = ?")
        params.append(checklist_id)
    return " and ".join(clauses), params


def _section_means(
    db: Database, period: Period, branch_ids, checklist_id: str | None, by_branch: bool
) -> list[dict]:
    """Mean section percents grouped by (checklist, section) or (branch, section), from the rollup
    kept on publish (the count and sum of the sections' full-precision percents)."""
    where, params = _rollup_filters(db, "section", period, branch_ids, checklist_id)
    group = "branch_id, section_id" if by_branch else "checklist_id, section_id"
    # Summed per month first, in the rollup's own order (no sort of a year's rows), then regrouped.
    rows = list(
        db.query(
            f"""select branch_id, checklist_id, section_id, sum(n) as n, sum(total) as total
                  from (select r.period_month, r.checklist_id, r.part_id as section_id, r.branch_id,
                               sum(r.n) as n, sum(r.total) as total
                          from report_rollup r where {where}
                         group by r.period_month, r.checklist_id, r.part_id, r.branch_id)
                 group by {group} having sum(n) > 0""",
            params,
        )
    )
    for row in rows:
        row["mean"] = mean_of_floats(row["total"], row["n"])
    return rows


def section_means(
    db: Database, period: Period, branch_ids=None, checklist_id: str | None = None
) -> dict[tuple[str, str], Fraction]:
    """Mean section percent per (checklist, section) over the published audits of the period."""
    rows = _section_means(db, period, branch_ids, checklist_id, by_branch=False)
    return {(r["checklist_id"], r["section_id"]): r["mean"] for r in rows}


def section_means_by_branch(
    db: Database, period: Period, branch_ids, checklist_id: str
) -> dict[int, dict[str, Fraction]]:
    """Mean section percent per branch and section of one checklist, in one query."""
    out: dict[int, dict[str, Fraction]] = defaultdict(dict)
    for row in _section_means(db, period, branch_ids, checklist_id, by_branch=True):
        out[row["branch_id"]][row["section_id"]] = row["mean"]
    return out


def most_missed(
    db: Database, period: Period, branch_ids=None, checklist_id: str | None = None, limit: int = 10
) -> list[dict]:
    """The standards that lost points most often: item, times missed, times scored, branches."""
    where, params = _rollup_filters(db, "item", period, branch_ids, checklist_id)
    # Summed per month first, in the rollup's own order, then per item; the branches that missed
    # are looked up for the top items only.
    rows = list(
        db.query(
            f"""select checklist_id, item_id, max(version) as version, sum(missed) as missed,
                       sum(scored) as scored
                  from (select r.period_month, r.checklist_id, r.part_id as item_id,
                               max(r.checklist_version) as version, sum(r.missed) as missed,
                               sum(r.n) as scored
                          from report_rollup r where {where}
                         group by r.period_month, r.checklist_id, r.part_id)
                 group by checklist_id, item_id having sum(missed) > 0
                 order by missed desc, missed * 1.0 / scored desc, item_id limit ?""",
            [*params, limit],
        )
    )
    branches: dict[tuple[str, str], set[int]] = defaultdict(set)
    if rows:
        pairs = ", ".join("(?, ?)" for _ in rows)
        for hit in db.query(
            f"""select distinct r.checklist_id, r.part_id, r.branch_id
                  from (select column1 as checklist_id, column2 as item_id from (values {pairs})) top
                  join report_rollup r on r.checklist_id = top.checklist_id and r.part_id = top.item_id
                 where {where} and r.missed > 0""",
            [*(v for row in rows for v in (row["checklist_id"], row["item_id"])), *params],
        ):
            branches[(hit["checklist_id"], hit["part_id"])].add(hit["branch_id"])
    for entry in rows:
        item = load_checklist(db, entry["checklist_id"], entry["version"]).item(entry["item_id"])
        entry["branches"] = branches[(entry["checklist_id"], entry["item_id"])]
        entry |= {
            "text": item.text,
            "standard": item.standard,
            "rate": Fraction(100 * entry["missed"], entry["scored"]),
        }
    return rows


def employee_audits(
    db: Database, period: Period, employee_id: int, for_comparison: bool = False
) -> list[dict]:
    """Each published audit of the period that names the employee, with the pooled percent of the
    sections that name them. For comparisons, visits with one employee on duty at a branch that
    asked for it are left out: they would identify the employee."""
    where, params = _in("a.period_month", period.months)
    if for_comparison:
        where += """ and not (coalesce(a.staff_on_duty, 0) = 1 and exists (select 1 from branches b
                         where b.branch_id = a.branch_id and b.protect_lone_staff))"""
    rows = db.query(
        f"""select a.audit_id, a.visited_at, a.checklist_id, a.checklist_version, s.section_id,
                   s.earned, s.possible
              from audit_sections s join audits a using (audit_id)
             where s.employee_id = ? and a.status = 'published' and {where} order by a.visited_utc""",
        [employee_id, *params],
    )
    audits: dict[str, dict] = {}
    for row in rows:
        entry = audits.setdefault(
            row["audit_id"], {**row, "earned": Fraction(0), "possible": Fraction(0), "sections": []}
        )
        entry["earned"] += _fraction(row["earned"])
        entry["possible"] += _fraction(row["possible"])
        entry["sections"].append(row["section_id"])
    out = []
    for entry in audits.values():
        entry["percent"] = 100 * entry["earned"] / entry["possible"] if entry["possible"] else None
        out.append(entry)
    return out


def employee_percent(
    db: Database, period: Period, employee_id: int, for_comparison: bool = False
) -> tuple[Fraction | None, int]:
    audits = employee_audits(db, period, employee_id, for_comparison)
    return mean([a["percent"] for a in audits if a["percent"] is not None]), len(audits)


def employee_ranking(db: Database, period: Period, branch_ids) -> list[dict]:
    """Employees of informed branches named in the period's published audits, best first."""
    clause, ids = _in("b.branch_id", branch_ids)
    employees = list(
        db.query(
            f"""select e.employee_id, e.name, b.branch_id, b.name as branch from employees e
                  join branches b using (branch_id) where b.staff_informed and {clause}""",
            ids,
        )
    )
    rows = []
    for employee in employees:
        percent, audits = employee_percent(db, period, employee["employee_id"], for_comparison=True)
        if audits:
            rows.append({**employee, "percent": percent, "audits": audits})
    rows.sort(key=lambda r: (r["percent"] is None, -(r["percent"] or 0), r["name"]))
    return rows


def audits_missing(db: Database, period: Period, branch_ids, checklist_id: str, item_id: str) -> list[dict]:
    """The published audits of the period in which an item lost points, newest first."""
    where, params = _filters(period, branch_ids, checklist_id)
    return list(
        db.query(
            f"""select a.audit_id, a.visited_at, a.percent, b.name as branch, b.code
                  from audits a join audit_items i using (audit_id)
                  join branches b on b.branch_id = a.branch_id
                 where {where} and i.item_id = ? and i.lost order by a.visited_utc desc""",
            [*params, item_id],
        )
    )
