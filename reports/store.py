"""Aggregation over published audits, from the scores stored at submission (never re-scoring).

Numbers follow "Periods and people" in DESIGN.md: a branch's score for a period is the mean of
the percents of its published audits visited in that period; an employee's is the mean, over
audits, of the pooled percent of the sections that name them. Means are exact (fractions).
"""

import json
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction

from sqlite_utils import Database

from audits.document import answer_text, is_answered
from checklists.scoring import HIDDEN, SCORED, display_points, score
from checklists.store import load_checklist
from db import COMPANY, in_list, now, parse_fraction, transaction
from errors import AppError
from reports.kpis import parse_values
from reports.periods import Period


def mean(values: list[Fraction]) -> Fraction | None:
    """The exact mean, summed over a common denominator (a trend's points each average a thousand
    branch scores; adding Fractions one by one reduces every partial sum)."""
    if not values:
        return None
    ratios = [value.as_integer_ratio() for value in values]
    common = math.lcm(*{d for _, d in ratios})
    return Fraction(sum(n * (common // d) for n, d in ratios), common * len(values))


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
    total: float = 0.0  # the sum and sum of squares of the scored audits' percents (for intervals)
    squares: float = 0.0

    @property
    def pass_rate(self) -> Fraction | None:
        return Fraction(100 * self.passed, self.scored) if self.scored else None


def _filters(period: Period, branch_ids, checklist_id: str | None) -> tuple[str, list]:
    where, params = in_list("a.period_month", period.months)
    branches, ids = in_list("a.branch_id", branch_ids)
    clauses, params = ["a.status = 'published'", where, branches], params + ids
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
                       a.passed, a.critical_failure
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
    """branch_results of several periods in one query, summed per period and branch in SQL from the
    branch rollup kept on publish (m026): one row per branch and month, not every audit."""
    pairs = [(p.key, month) for p in periods for month in p.months]
    branches, ids = in_list("r.branch_id", None if _every_branch(db, branch_ids) else branch_ids)
    rows = db.execute(
        f"""with wanted(period, month) as (values {", ".join("(?, ?)" for _ in pairs)})
            select w.period, r.branch_id, sum(r.audits), sum(r.scored), total(r.total), total(r.squares),
                   sum(r.passed), sum(r.critical)
              from wanted w join branch_rollup r on r.period_month = w.month
             where r.checklist_id = ? and {branches}
             group by w.period, r.branch_id having sum(r.audits) > 0""",
        # checklist_id '' holds every checklist together.
        [*(value for pair in pairs for value in pair), checklist_id or "", *ids],
    )
    out: dict[str, dict[int, BranchResult]] = {p.key: {} for p in periods}
    # Plain tuples: a trend reads a thousand branches for each of its twelve periods.
    for key, branch_id, audits, scored, total, squares, passed, critical in rows:
        percent = mean_of_floats(total, scored) if scored else None
        out[key][branch_id] = BranchResult(
            branch_id, audits, scored, percent, passed, critical, total, squares
        )
    return {p: out[p.key] for p in periods}


def comparison(branches: list[dict], results: dict[int, BranchResult]) -> list[dict]:
    """Every given branch with its result, best first (as ranks compares them); branches without a
    scored audit come last, by name."""
    rows = [{**b, "result": results.get(b["branch_id"], BranchResult(b["branch_id"]))} for b in branches]
    rows.sort(
        key=lambda r: (
            r["result"].percent is None,
            -round(float(r["result"].percent or 0), 9),
            r["name"],
            r["code"],
        )
    )
    return rows


def ranks(rows: list[dict]) -> dict[int, int]:
    """Competition ranking (1, 2, 2, 4) of the rows with a percent, in their order. Means recovered
    from float sums (mean_of_floats) may differ in their last bits for equal exact means, so
    percents are compared to 9 decimals, as mean_of_floats itself does."""
    ranked, last_percent, last_rank = {}, None, 0
    for position, row in enumerate((r for r in rows if r["result"].percent is not None), start=1):
        percent = round(float(row["result"].percent), 9)
        if percent != last_percent:
            last_rank, last_percent = position, percent
        ranked[row["branch_id"]] = last_rank
    return ranked


def _every_branch(db: Database, branch_ids) -> bool:
    """Whether branch_ids name every branch (None does), so that no filter on branches is needed."""
    return branch_ids is None or set(branch_ids) >= {
        row[0] for row in db.execute("select branch_id from branches")
    }


def _rollup_branches(db: Database, branch_ids, pooled: bool) -> tuple[str, list]:
    """Which rollup rows (on `r`) stand for branch_ids: every branch pooled is the company's own row
    (branch_id COMPANY), one per month and part; else each branch's rows."""
    if _every_branch(db, branch_ids):
        return ("r.branch_id = ?" if pooled else "r.branch_id != ?"), [COMPANY]
    return in_list("r.branch_id", branch_ids)


def _rollup_filters(
    db: Database, kind: str, period: Period, branch_ids, checklist_id: str | None, pooled: bool = True
) -> tuple[str, str, list]:
    """The report rollup (as `r`) and the condition on its rows of one kind for the period's
    published audits at branch_ids, pooled over the branches or kept per branch. Rows of some
    branches (or the company's) are sought through the branch index: the planner would rather walk
    the primary key, in group order, through every branch's rows."""
    where, params = in_list("r.period_month", period.months)
    branches, ids = _rollup_branches(db, branch_ids, pooled)
    source = (
        "report_rollup r"
        if branches.startswith("r.branch_id !=")
        else ("report_rollup r indexed by report_rollup_branch")
    )
    clauses = ["r.kind = ?", where, branches]
    params = [kind, *params, *ids]
    if checklist_id:
        clauses.append("r.checklist_id = ?")
        params.append(checklist_id)
    return source, " and ".join(clauses), params


def _section_means(
    db: Database, period: Period, branch_ids, checklist_id: str | None, by_branch: bool
) -> list[dict]:
    """Mean section percents grouped by (checklist, section) or (branch, section), from the rollup
    kept on publish (the count and sum of the sections' full-precision percents)."""
    source, where, params = _rollup_filters(db, "section", period, branch_ids, checklist_id, not by_branch)
    group = "branch_id, section_id" if by_branch else "checklist_id, section_id"
    # Summed per month first, in the rollup's own order (no sort of a year's rows), then regrouped.
    rows = list(
        db.query(
            f"""select branch_id, checklist_id, section_id, sum(n) as n, sum(total) as total
                  from (select r.period_month, r.checklist_id, r.part_id as section_id, r.branch_id,
                               sum(r.n) as n, sum(r.total) as total
                          from {source} where {where}
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


def item_counts(db: Database, period: Period, branch_ids=None) -> list[dict]:
    """Per checklist version and item: the times it was scored and missed (scored below full
    points) in the period's published audits, from the item rollup."""
    counts: dict[tuple, dict] = {}
    for row in item_fractions(db, period, branch_ids):
        if row["item_id"] == "":
            continue
        entry = counts.setdefault(
            (row["checklist_id"], row["checklist_version"], row["item_id"]),
            {k: row[k] for k in ("checklist_id", "checklist_version", "item_id")}
            | {"scored": 0, "missed": 0},
        )
        entry["scored"] += row["n"]
        entry["missed"] += row["n"] if row["fraction"] != "1/1" else 0  # scored below full points
    return [entry for entry in counts.values() if entry["scored"] > 0]


def item_fractions(db: Database, period: Period, branch_ids=None) -> list[dict]:
    """Per checklist version, item and fraction scored: how many times the period's published audits
    scored it so, from the item rollup kept on publish; item_id '' counts the audits of the version."""
    where, params = in_list("r.period_month", period.months)
    branches, ids = _rollup_branches(db, branch_ids, pooled=True)
    where, params = f"{where} and {branches}", params + ids
    # Summed per month first, in the rollup's own order (no sort of a year's rows), then regrouped.
    return list(
        db.query(
            f"""select checklist_id, checklist_version, item_id, fraction, sum(n) as n
                  from (select r.period_month, r.checklist_id, r.item_id, r.checklist_version, r.fraction,
                               sum(r.n) as n
                          from item_rollup r where {where} group by 1, 2, 3, 4, 5)
                 group by checklist_id, checklist_version, item_id, fraction having sum(n) != 0""",
            params,
        )
    )


def most_missed(
    db: Database, period: Period, branch_ids=None, checklist_id: str | None = None, limit: int = 10
) -> list[dict]:
    """The standards that lost points most often: item, times missed, times scored, branches."""
    source, where, params = _rollup_filters(db, "item", period, branch_ids, checklist_id)
    # Summed per month first, in the rollup's own order, then per item; the branches that missed
    # are looked up for the top items only.
    rows = list(
        db.query(
            f"""select checklist_id, item_id, max(version) as version, sum(missed) as missed,
                       sum(scored) as scored
                  from (select r.period_month, r.checklist_id, r.part_id as item_id,
                               max(r.checklist_version) as version, sum(r.missed) as missed,
                               sum(r.n) as scored
                          from {source} where {where}
                         group by r.period_month, r.checklist_id, r.part_id)
                 group by checklist_id, item_id having sum(missed) > 0
                 order by missed desc, missed * 1.0 / scored desc, item_id limit ?""",
            [*params, limit],
        )
    )
    branches: dict[tuple[str, str], set[int]] = defaultdict(set)
    if rows:
        source, where, params = _rollup_filters(db, "item", period, branch_ids, checklist_id, pooled=False)
        pairs = ", ".join("(?, ?)" for _ in rows)
        for *item, branch_id in db.execute(
            f"""select distinct r.checklist_id, r.part_id, r.branch_id
                  from (select column1 as checklist_id, column2 as item_id from (values {pairs})) top
                  join {source} on r.checklist_id = top.checklist_id and r.part_id = top.item_id
                 where {where} and r.missed > 0""",
            [*(v for row in rows for v in (row["checklist_id"], row["item_id"])), *params],
        ):
            branches[tuple(item)].add(branch_id)
    for entry in rows:
        item = load_checklist(db, entry["checklist_id"], entry["version"]).item(entry["item_id"])
        entry["branches"] = branches[(entry["checklist_id"], entry["item_id"])]
        entry |= {
            "text": item.text,
            "standard": item.standard,
            "rate": Fraction(100 * entry["missed"], entry["scored"]),
        }
    return rows


# Visits with one employee on duty at a branch that asked for it: left out of comparisons, since
# they would identify the employee.
_LONE_STAFF = """ and not (coalesce(a.staff_on_duty, 0) = 1 and exists (select 1 from branches lb
                      where lb.branch_id = a.branch_id and lb.protect_lone_staff))"""


def _employee_sections(
    db: Database, period: Period, who: str, params: list, for_comparison: bool
) -> dict[int, list[dict]]:
    """Per employee matched by the `who` clause, their published audits of the period with the
    pooled earned/possible of the sections that name them, oldest first; one query for all."""
    where, months = in_list("a.period_month", period.months)
    if for_comparison:
        where += _LONE_STAFF
    rows = db.query(
        f"""select s.employee_id, a.audit_id, a.visited_at, a.checklist_id, a.checklist_version,
                   s.section_id, s.earned, s.possible
              from audit_sections s join audits a using (audit_id)
              join employees e on e.employee_id = s.employee_id
             where {who} and a.status = 'published' and {where}
             order by a.visited_utc, a.audit_id""",
        [*params, *months],
    )
    audits: dict[int, dict[str, dict]] = defaultdict(dict)
    for row in rows:
        entry = audits[row["employee_id"]].setdefault(
            row["audit_id"], {**row, "earned": Fraction(0), "possible": Fraction(0), "sections": []}
        )
        entry["earned"] += parse_fraction(row["earned"])
        entry["possible"] += parse_fraction(row["possible"])
        entry["sections"].append(row["section_id"])
    out = {}
    for employee_id, entries in audits.items():
        for entry in entries.values():
            entry["percent"] = 100 * entry["earned"] / entry["possible"] if entry["possible"] else None
        out[employee_id] = list(entries.values())
    return out


def employee_audits(
    db: Database, period: Period, employee_id: int, for_comparison: bool = False
) -> list[dict]:
    """Each published audit of the period that names the employee, with the pooled percent of the
    sections that name them. For comparisons, visits with one employee on duty at a branch that
    asked for it are left out: they would identify the employee."""
    return _employee_sections(db, period, "s.employee_id = ?", [employee_id], for_comparison).get(
        employee_id, []
    )


def employee_percent(
    db: Database, period: Period, employee_id: int, for_comparison: bool = False
) -> tuple[Fraction | None, int]:
    audits = employee_audits(db, period, employee_id, for_comparison)
    return mean([a["percent"] for a in audits if a["percent"] is not None]), len(audits)


def employee_ranking(db: Database, period: Period, branch_ids) -> list[dict]:
    """Employees of informed branches named in the period's published audits, best first; one
    query over the employee rollup kept on publish, for all of them, whether the branches are the
    whole company, a region or one branch.

    Each row also carries the count, sum and sum of squares of its audit percents (`scored`,
    `total`, `squares`, for intervals). An audit's percent for an employee is the section's own
    full-precision percent when one section names them, else the pooled earned/possible of those
    sections (db.roll_up_employees); the mean is recovered exactly from the sum as for branches
    (mean_of_floats). The branch that decides is the employee's current one (its staff informed);
    visits with one employee on duty at a branch that protects lone staff are left out."""
    where, params = in_list("r.period_month", period.months)
    if not _every_branch(db, branch_ids):
        # A region's or a branch's few employees: their rollup rows are found by key.
        clause, ids = in_list("b.branch_id", branch_ids)
        where += f""" and r.employee_id in (
                        select e.employee_id from branches b join employees e using (branch_id)
                         where b.staff_informed and {clause})"""
        params += ids
    rows = db.execute(
        f"""select employee_id, e.name, e.branch_id, b.name as branch, r.audits, r.scored, r.total, r.squares
              from (select r.employee_id, sum(r.audits) as audits, sum(r.scored) as scored,
                           total(r.total) as total, total(r.squares) as squares
                      from employee_rollup r
                     where {where} and r.lone_branch_id not in (select branch_id from branches
                                                                  where protect_lone_staff)
                     group by r.employee_id having sum(r.audits) > 0) r
              join employees e using (employee_id) join branches b on b.branch_id = e.branch_id
             where b.staff_informed""",
        params,
    )
    # A company's thousands of rows: built here in one step, not as dicts to be copied.
    out = [
        {
            "employee_id": employee_id,
            "name": name,
            "branch_id": branch_id,
            "branch": branch,
            "audits": audits,
            "scored": scored,
            "total": total,
            "squares": squares,
            "percent": mean_of_floats(total, scored) if scored else None,
        }
        for employee_id, name, branch_id, branch, audits, scored, total, squares in rows
    ]
    # Equal exact means may differ in the last bits of their float sums, so means are compared to 9
    # decimals (as ranks does) and ties go by name. The float mean rounds to the same 9 decimals as
    # the percent recovered from it (mean_of_floats moves it by less than 1e-10), without a Fraction.
    out.sort(
        key=lambda r: (
            r["percent"] is None,
            -round(r["total"] / r["scored"], 9) if r["scored"] else 0,
            r["name"],
            r["employee_id"],
        )
    )
    return out


def published_months(db: Database, branch_ids=None) -> list[str]:
    """The YYYY-MM months with a published audit (of these branches), newest first."""
    if _every_branch(db, branch_ids):
        # One index seek a month (newest, then the newest before it...), not a scan of every audit.
        rows = db.query(
            """with recursive m(month) as (
                 select max(period_month) from audits where status = 'published'
                 union all
                 select (select max(period_month) from audits
                          where status = 'published' and period_month < m.month)
                   from m where m.month is not null)
               select month as period_month from m where month is not null"""
        )
        return [r["period_month"] for r in rows]
    clause, ids = in_list("branch_id", branch_ids)
    rows = db.query(
        f"""select distinct period_month from audits where status = 'published' and {clause}
             order by period_month desc""",
        ids,
    )
    return [r["period_month"] for r in rows]


def latest_month(db: Database, branch_ids=None) -> str:
    """The newest YYYY-MM with a published audit (of these branches), else the current month."""
    months = published_months(db, branch_ids)
    return months[0] if months else datetime.now(UTC).strftime("%Y-%m")


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


def monthly_spread(db: Database, months, checklist_id: str | None = None) -> dict[str, dict]:
    """Per month, company-wide: how scored audit percents spread within each branch (pooled: degrees
    of freedom and squared deviations from each branch's own monthly mean) and overall (count, sum,
    sum of squares), from the full-precision percents in the branch rollup."""
    where, params = in_list("period_month", sorted(months))
    rows = db.query(
        f"""select period_month, sum(scored - 1) as within_df,
                   total(max(0.0, squares - total * total / scored)) as within,
                   sum(scored) as n, total(total) as total, total(squares) as squares
              from branch_rollup where {where} and checklist_id = ? and scored > 0
             group by period_month""",
        [*params, checklist_id or ""],
    )
    return {row.pop("period_month"): row for row in rows}


def employee_section_results(db: Database, period: Period, employee_id: int) -> list[dict]:
    """Earned and possible of every section naming the employee in the period's published audits."""
    where, params = in_list("a.period_month", period.months)
    rows = db.query(
        f"""select a.audit_id, a.checklist_id, s.section_id, s.earned, s.possible
              from audit_sections s join audits a using (audit_id)
             where s.employee_id = ? and a.status = 'published' and {where} order by a.visited_utc""",
        [employee_id, *params],
    )
    return [
        {**row, "earned": parse_fraction(row["earned"]), "possible": parse_fraction(row["possible"])}
        for row in rows
    ]


def answered_items(
    db: Database, period: Period, branch_ids=None, checklist_id: str | None = None
) -> list[dict]:
    """One row per answered, shown item of the period's published audits, in visit order, with the
    points the scoring engine gives it (earned and possible are None when it is not scored)."""
    where, params = _filters(period, branch_ids, checklist_id)
    audits = db.query(
        f"""select a.audit_id, a.visited_at, a.checklist_id, a.checklist_version, a.document,
                   b.name as branch, b.code as branch_code, r.name as region
              from audits a join branches b on b.branch_id = a.branch_id
              join regions r on r.region_id = b.region_id
             where {where} order by a.visited_utc, a.audit_id""",
        params,
    )
    rows = []
    for audit in audits:
        checklist = load_checklist(db, audit["checklist_id"], audit["checklist_version"])
        answers = json.loads(audit["document"])["answers"]
        result = score(checklist, answers)
        for section, item in checklist.items():
            answer = answers.get(item.id)
            scored = result.items[item.id]
            if not is_answered(answer) or scored.status == HIDDEN:
                continue
            rows.append(
                {
                    "audit": audit["audit_id"],
                    "branch": audit["branch"],
                    "branch_code": audit["branch_code"],
                    "region": audit["region"],
                    "visited_at": audit["visited_at"],
                    "checklist": audit["checklist_id"],
                    "checklist_version": audit["checklist_version"],
                    "section": section.title,
                    "item": item.text,
                    "item_id": item.id,
                    "standard": item.standard or "",
                    "answer": answer_text(answer),
                    "earned": display_points(scored.earned) if scored.status == SCORED else None,
                    "possible": display_points(scored.possible) if scored.status == SCORED else None,
                    "comment": answer.get("comment") or "",
                }
            )
    return rows


# KPI statistics


def create_kpi(db: Database, code: str, name: str, unit: str, better: str, target: float) -> str:
    """Define a KPI; its code is unique (409 otherwise)."""
    with transaction(db):
        if db["kpis"].count_where("kpi_code = ?", [code]):
            raise AppError(f"KPI {code} already exists.", 409, {"code": [f"{code} is already used."]})
        db["kpis"].insert(
            {
                "kpi_code": code,
                "name": name,
                "unit": unit,
                "better": better,
                "target": target,
                "created_at": now(),
            }
        )
    return code


def list_kpis(db: Database) -> list[dict]:
    return list(db.query("select kpi_code as code, name, unit, better, target from kpis order by name"))


def import_kpi_values(db: Database, text: str) -> int:
    """Import a CSV of monthly values in one transaction: all or nothing (KpiImportError), a value
    already stored for the same branch, KPI and month replaced. Returns how many values the file holds."""
    with transaction(db):
        branch_ids = {r["code"]: r["branch_id"] for r in db.query("select code, branch_id from branches")}
        kpi_codes = {r["kpi_code"] for r in db.query("select kpi_code from kpis")}
        values = parse_values(text, set(branch_ids), kpi_codes)
        stamp = now()
        for v in values:
            db.execute(
                """insert into kpi_values (branch_id, kpi_code, period_month, value, imported_at)
                   values (?, ?, ?, ?, ?)
                   on conflict (branch_id, kpi_code, period_month) do update
                   set value = excluded.value, imported_at = excluded.imported_at
                   where value != excluded.value""",
                [branch_ids[v.branch_code], v.kpi_code, v.period, v.value, stamp],
            )
    return len(values)


def kpi_means(db: Database, months: list[str], branch_ids=None) -> dict[tuple[int, str], float]:
    """The mean monthly value of each KPI per branch over the months, keyed (branch_id, kpi_code)."""
    where, params = in_list("period_month", months)
    branches, ids = in_list("branch_id", branch_ids)
    rows = db.query(
        f"select branch_id, kpi_code, avg(value) as value from kpi_values where {where} and {branches} "
        "group by branch_id, kpi_code",
        params + ids,
    )
    return {(r["branch_id"], r["kpi_code"]): r["value"] for r in rows}
