"""Aggregation over published audits, from the scores stored at submission (never re-scoring).

Numbers follow "Periods and people" in DESIGN.md: a branch's score for a period is the mean of
the percents of its published audits visited in that period; an employee's is the mean, over
audits, of the pooled percent of the sections that name them. Means are exact (fractions).
"""

from collections import defaultdict
from dataclasses import dataclass, field
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


@dataclass
class BranchResult:
    branch_id: int
    audits: int = 0
    percents: list[Fraction] = field(default_factory=list)
    passed: int = 0
    critical_failures: int = 0

    @property
    def percent(self) -> Fraction | None:
        return mean(self.percents)

    @property
    def pass_rate(self) -> Fraction | None:
        scored = len(self.percents)
        return Fraction(100 * self.passed, scored) if scored else None


def published_audits(
    db: Database, period: Period, branch_ids=None, checklist_id: str | None = None
) -> list[dict]:
    """The published audits visited in the period (in their own offset), oldest first."""
    where, params = _in("a.period_month", period.months)
    clauses = ["a.status = 'published'", where]
    if branch_ids is not None:
        clause, ids = _in("a.branch_id", branch_ids)
        clauses.append(clause)
        params += ids
    if checklist_id:
        clauses.append("a.checklist_id = ?")
        params.append(checklist_id)
    return list(
        db.query(
            f"""select a.audit_id, a.branch_id, a.checklist_id, a.checklist_version, a.visited_at, a.percent,
                       a.percent_exact, a.passed, a.critical_failure
                  from audits a where {" and ".join(clauses)} order by a.visited_utc""",
            params,
        )
    )


def branch_results(
    db: Database, period: Period, branch_ids=None, checklist_id: str | None = None
) -> dict[int, BranchResult]:
    results: dict[int, BranchResult] = {}
    for audit in published_audits(db, period, branch_ids, checklist_id):
        result = results.setdefault(audit["branch_id"], BranchResult(audit["branch_id"]))
        result.audits += 1
        percent = _fraction(audit["percent_exact"])
        if percent is not None:  # an audit with nothing possible is left out of averages
            result.percents.append(percent)
            result.passed += bool(audit["passed"])
        result.critical_failures += bool(audit["critical_failure"])
    return results


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


def _section_percents(db: Database, period: Period, branch_ids=None, checklist_id: str | None = None):
    """(branch, checklist, section, percent) of every scored section of the period's published audits."""
    where, params = _in("a.period_month", period.months)
    clauses = ["a.status = 'published'", where]
    if branch_ids is not None:
        clause, ids = _in("a.branch_id", branch_ids)
        clauses.append(clause)
        params += ids
    if checklist_id:
        clauses.append("a.checklist_id = ?")
        params.append(checklist_id)
    rows = db.query(
        f"""select a.branch_id, a.checklist_id, s.section_id, s.earned, s.possible
              from audits a join audit_sections s using (audit_id) where {" and ".join(clauses)}""",
        params,
    )
    for row in rows:
        possible = _fraction(row["possible"])
        if possible:
            yield (
                row["branch_id"],
                row["checklist_id"],
                row["section_id"],
                100 * _fraction(row["earned"]) / possible,
            )


def section_means(
    db: Database, period: Period, branch_ids=None, checklist_id: str | None = None
) -> dict[tuple[str, str], Fraction]:
    """Mean section percent per (checklist, section) over the published audits of the period."""
    values: dict[tuple[str, str], list[Fraction]] = defaultdict(list)
    for _branch, checklist, section, percent in _section_percents(db, period, branch_ids, checklist_id):
        values[(checklist, section)].append(percent)
    return {key: mean(v) for key, v in values.items()}


def section_means_by_branch(
    db: Database, period: Period, branch_ids, checklist_id: str
) -> dict[int, dict[str, Fraction]]:
    """Mean section percent per branch and section of one checklist, in one query."""
    values: dict[int, dict[str, list[Fraction]]] = defaultdict(lambda: defaultdict(list))
    for branch, _checklist, section, percent in _section_percents(db, period, branch_ids, checklist_id):
        values[branch][section].append(percent)
    return {
        branch: {section: mean(v) for section, v in sections.items()} for branch, sections in values.items()
    }


def most_missed(
    db: Database, period: Period, branch_ids=None, checklist_id: str | None = None, limit: int = 10
) -> list[dict]:
    """The standards that lost points most often: item, times missed, times scored, branches."""
    audits = published_audits(db, period, branch_ids, checklist_id)
    if not audits:
        return []
    by_id = {a["audit_id"]: a for a in audits}
    clause, params = _in("audit_id", by_id)
    tally: dict[tuple[str, str], dict] = {}
    for row in db.query(f"select audit_id, item_id, lost from audit_items where {clause}", params):
        audit = by_id[row["audit_id"]]
        entry = tally.setdefault(
            (audit["checklist_id"], row["item_id"]),
            {
                "checklist_id": audit["checklist_id"],
                "version": audit["checklist_version"],
                "item_id": row["item_id"],
                "missed": 0,
                "scored": 0,
                "branches": set(),
            },
        )
        entry["scored"] += 1
        entry["version"] = max(entry["version"], audit["checklist_version"])
        if row["lost"]:
            entry["missed"] += 1
            entry["branches"].add(audit["branch_id"])
    missed = [e for e in tally.values() if e["missed"]]
    missed.sort(key=lambda e: (-e["missed"], -Fraction(e["missed"], e["scored"]), e["item_id"]))
    for entry in missed[:limit]:
        item = load_checklist(db, entry["checklist_id"], entry["version"]).item(entry["item_id"])
        entry |= {
            "text": item.text,
            "standard": item.standard,
            "rate": Fraction(100 * entry["missed"], entry["scored"]),
        }
    return missed[:limit]


def employee_audits(db: Database, period: Period, employee_id: int) -> list[dict]:
    """Each published audit of the period that names the employee, with the pooled percent of the
    sections that name them."""
    where, params = _in("a.period_month", period.months)
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


def employee_percent(db: Database, period: Period, employee_id: int) -> tuple[Fraction | None, int]:
    audits = employee_audits(db, period, employee_id)
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
        percent, audits = employee_percent(db, period, employee["employee_id"])
        if audits:
            rows.append({**employee, "percent": percent, "audits": audits})
    rows.sort(key=lambda r: (r["percent"] is None, -(r["percent"] or 0), r["name"]))
    return rows
