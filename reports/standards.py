"""Standards across sources: compliance per standard (audits and quizzes), the standards most
often missed, "knows / does" per employee, and what the standards book prints.

A checklist item checks a standard when its `standard:` equals a catalogue code, in the checklist
version the audit was made with. Compliance and the standards most often missed are pooled from the
item rollup kept on publish (times each item was scored with each fraction), "knows / does" from the
per-item results stored at scoring time (audit_items); nothing re-scores answers.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from sqlite_utils import Database

from checklists.scoring import display_percent
from checklists.store import list_checklists, load_checklist
from db import parse_fraction
from org import store as org_store
from reports import store as reports_store
from reports.periods import Period
from reports.store import _filters
from standards import store as standards_store


@dataclass
class Pool:
    """Points earned and possible over items, pooled."""

    earned: Fraction = Fraction(0)
    possible: Fraction = Fraction(0)
    audits: set = field(default_factory=set)

    def add(self, possible: Fraction, fraction: Fraction, times: int) -> None:
        self.earned += possible * fraction * times
        self.possible += possible * times

    @property
    def percent(self) -> Fraction | None:
        return 100 * self.earned / self.possible if self.possible else None


def _links(db: Database, checklist_id: str, version: int, codes) -> dict[str, tuple[str, Fraction]]:
    """item id -> (standard code, points possible) for the items of a version that check a standard."""
    checklist = load_checklist(db, checklist_id, version)
    return {
        item.id: (item.standard, item.weight * section.weight)
        for section, item in checklist.items()
        if item.scored and item.standard in codes
    }


def _share(correct_answers: tuple[int, int] | None) -> Fraction | None:
    if not correct_answers or not correct_answers[1]:
        return None
    return Fraction(100 * correct_answers[0], correct_answers[1])


def compliance(db: Database, period: Period, branch_ids: set[int] | None = None) -> list[dict]:
    """Every standard of the catalogue with `audits`, `percent` (100 × earned / possible over the
    scored items that check it in the published audits of the period at branch_ids, all branches
    when None) and `knowledge_percent` (share of correct quiz answers on it in the period), exact
    fractions; weakest first, standards with nothing possible last."""
    standards = standards_store.list_standards(db)
    codes = {s["code"] for s in standards}
    links: dict[tuple[str, int], dict] = {}
    audits: dict[str, int] = defaultdict(int)
    pools: dict[str, Pool] = defaultdict(Pool)
    for row in reports_store.item_fractions(db, period, branch_ids):
        version = (row["checklist_id"], row["checklist_version"])
        if version not in links:
            links[version] = _links(db, *version, codes)
        if row["item_id"] == "":  # the audits of this version count for every standard it checks
            for code in {code for code, _possible in links[version].values()}:
                audits[code] += row["n"]
        elif link := links[version].get(row["item_id"]):
            pools[link[0]].add(link[1], parse_fraction(row["fraction"]), row["n"])
    known = standards_store.knowledge(db, period.months, branch_ids)
    rows = [
        {
            "code": s["code"],
            "title": s["title"],
            "category": s["category"],
            "audits": audits.get(s["code"], 0),
            "percent": pools[s["code"]].percent if s["code"] in pools else None,
            "knowledge_percent": _share(known.get(s["code"])),
            "answers": known.get(s["code"], (0, 0))[1],
        }
        for s in standards
    ]
    rows.sort(key=lambda r: (r["percent"] is None, r["percent"] or 0, r["code"]))
    return rows


def _item_results(
    db: Database, period: Period, branch_ids, codes, code: str | None = None
) -> dict[str, dict]:
    """Per standard: its items (by checklist and item) with times scored and missed in the period."""
    out: dict[str, dict] = {}
    link_cache: dict[tuple[str, int], dict] = {}
    for row in reports_store.item_counts(db, period, branch_ids):
        key = (row["checklist_id"], row["checklist_version"])
        if key not in link_cache:
            link_cache[key] = _links(db, *key, codes)
        link = link_cache[key].get(row["item_id"])
        if not link or (code is not None and link[0] != code):
            continue
        entry = out.setdefault(link[0], {"missed": 0, "scored": 0, "items": {}})
        entry["missed"] += row["missed"]
        entry["scored"] += row["scored"]
        item = entry["items"].setdefault(
            (row["checklist_id"], row["item_id"]),
            {
                "checklist_id": row["checklist_id"],
                "item_id": row["item_id"],
                "missed": 0,
                "scored": 0,
                "version": row["checklist_version"],
            },
        )
        item["missed"] += row["missed"]
        item["scored"] += row["scored"]
        item["version"] = max(item["version"], row["checklist_version"])
    for entry in out.values():
        items = []
        for item in entry["items"].values():
            model = load_checklist(db, item["checklist_id"], item["version"])
            items.append(
                {
                    **item,
                    "text": model.item(item["item_id"]).text,
                    "checklist": model.title,
                    "rate": Fraction(100 * item["missed"], item["scored"]),
                }
            )
        items.sort(key=lambda i: (-i["missed"], i["text"]))
        entry["items"] = items
        entry["rate"] = Fraction(100 * entry["missed"], entry["scored"])
    return out


def missed_standards(db: Database, period: Period, branch_ids=None, limit: int = 10) -> list[dict]:
    """The standards whose items lost points most often in the period, with those items."""
    titles = standards_store.codes(db)
    results = _item_results(db, period, branch_ids, set(titles))
    rows = [
        {"code": code, "title": titles[code], **entry} for code, entry in results.items() if entry["missed"]
    ]
    rows.sort(key=lambda r: (-r["missed"], -r["rate"], r["code"]))
    return rows[:limit]


def standard_detail(db: Database, period: Period, code: str, branch_ids=None) -> dict:
    """One standard in the period: its compliance row and its items with times missed."""
    standard = standards_store.get_standard(db, code)
    row = next(r for r in compliance(db, period, branch_ids) if r["code"] == code)
    items = _item_results(db, period, branch_ids, {code}, code).get(code, {"items": []})["items"]
    return {"standard": standard, "row": row, "items": items}


def knows_does(db: Database, employee_id: int, period: Period) -> list[dict] | None:
    """Per standard, what an employee knows (share of their correct quiz answers on it in the
    period) beside what they do (points over the items that check it, in the sections of
    published audits naming them). None for a branch whose staff are not informed."""
    employee = org_store.get_employee(db, employee_id)
    if not org_store.get_branch(db, employee["branch_id"])["staff_informed"]:
        return None
    titles = {s["code"]: s["title"] for s in standards_store.list_standards(db)}  # catalogue order
    where, params = _filters(period, None, None)
    pools: dict[str, Pool] = defaultdict(Pool)
    link_cache: dict[tuple[str, int], dict] = {}
    for row in db.query(
        f"""select a.checklist_id, a.checklist_version, i.item_id, i.fraction, count(*) as times
              from audits a join audit_sections s on s.audit_id = a.audit_id and s.employee_id = ?
              join audit_items i on i.audit_id = a.audit_id and i.section_id = s.section_id
             where {where} group by a.checklist_id, a.checklist_version, i.item_id, i.fraction""",
        [employee_id, *params],
    ):
        key = (row["checklist_id"], row["checklist_version"])
        if key not in link_cache:
            link_cache[key] = _links(db, *key, set(titles))
        link = link_cache[key].get(row["item_id"])
        if link:
            pools[link[0]].add(link[1], parse_fraction(row["fraction"]), row["times"])
    known = standards_store.knowledge(db, period.months, employee_id=employee_id)
    rows = [
        {
            "code": code,
            "title": titles[code],
            "knows": _share(known.get(code)),
            "answers": known.get(code, (0, 0))[1],
            "does": pools[code].percent if code in pools else None,
        }
        for code in titles
        if code in pools or code in known
    ]
    return rows


def book(db: Database) -> list[dict]:
    """The standards book: categories of standards, each with the items of the newest checklist
    versions that check it (what an auditor looks for)."""
    standards = standards_store.list_standards(db)
    codes = {s["code"] for s in standards}
    checks: dict[str, list[dict]] = defaultdict(list)
    for checklist in list_checklists(db):
        model = load_checklist(db, checklist["checklist_id"])
        for _section, item in model.items():
            if item.standard in codes:
                checks[item.standard].append(
                    {"checklist": model.title, "text": item.text, "guidance": item.guidance}
                )
    categories: dict[str, list[dict]] = {}
    for s in standards:
        categories.setdefault(s["category"], []).append(
            {
                "code": s["code"],
                "title": s["title"],
                "text": s["text"],
                "version": s["version"],
                "effective_date": s["effective_date"],
                "checks": checks.get(s["code"], []),
            }
        )
    return [{"name": name, "standards": rows} for name, rows in categories.items()]


def missed_section(db: Database, period: Period, branch_ids=None, limit: int = 8) -> list[dict]:
    """ "Standards most often missed", ready to print: rates rounded for display, items with theirs."""
    return [
        {
            "code": row["code"],
            "title": row["title"],
            "missed": row["missed"],
            "scored": row["scored"],
            "rate": display_percent(row["rate"]),
            "items": [
                {
                    "checklist_id": i["checklist_id"],
                    "item_id": i["item_id"],
                    "text": i["text"],
                    "checklist": i["checklist"],
                    "missed": i["missed"],
                    "scored": i["scored"],
                }
                for i in row["items"]
                if i["missed"]
            ],
        }
        for row in missed_standards(db, period, branch_ids, limit)
    ]


def knows_does_section(db: Database, employee_id: int, period: Period) -> list[dict] | None:
    """The employee scorecard's "knows / does" rows for display; None where staff are not informed."""
    rows = knows_does(db, employee_id, period)
    if rows is None:
        return None
    return [{**r, "knows": display_percent(r["knows"]), "does": display_percent(r["does"])} for r in rows]
