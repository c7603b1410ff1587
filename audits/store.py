"""Reads and writes of audits, their scores, their trail, photos and assignments.

Saving is idempotent and ordered by revision: the same document again changes nothing, an older
revision never overwrites a newer one, and a submitted audit only accepts its own document.
"""

import hashlib
import json
import uuid
from datetime import UTC, datetime

from sqlite_utils import Database

from audits.document import answer_problems, employee_problems, period_month, submission_problems, utc
from checklists.model import Checklist
from checklists.scoring import Score, display_percent, score
from checklists.store import load_checklist
from db import transaction
from org import store as org_store
from org.errors import AppError
from org.roles import ADMIN, AUDITOR, MANAGER, REVIEWER
from org.store import now

DRAFT, SUBMITTED, RETURNED, PUBLISHED = "draft", "submitted", "returned", "published"
LOCKED = (SUBMITTED, PUBLISHED)


def canonical(document: dict) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _hash(document: dict) -> str:
    return hashlib.sha256(canonical(document).encode()).hexdigest()


def _fraction_text(value) -> str:
    return f"{value.numerator}/{value.denominator}"


# Reading


def get_audit(db: Database, audit_id: str) -> dict:
    rows = list(db.query("select * from audits where audit_id = ?", [audit_id]))
    if not rows:
        raise AppError(f"Audit {audit_id} does not exist.", 404)
    return {**rows[0], "document": json.loads(rows[0]["document"])}


def can_see(db: Database, audit: dict, user: dict) -> bool:
    """Reviewers and admins see every audit, an auditor their own, a manager the published ones
    of their branches."""
    role = user["role"]
    if role in (ADMIN, REVIEWER):
        return True
    if role == AUDITOR:
        return audit["auditor_id"] == user["user_id"]
    if role == MANAGER:
        return audit["status"] == PUBLISHED and audit["branch_id"] in org_store.manager_branch_ids(
            db, user["user_id"]
        )
    return False


def audit_in_scope(db: Database, audit_id: str, user: dict) -> dict:
    """The audit if the user may see it; 404 otherwise, as for one that does not exist."""
    try:
        audit = get_audit(db, audit_id)
    except AppError:
        audit = None
    if audit is None or not can_see(db, audit, user):
        raise AppError(f"Audit {audit_id} does not exist.", 404)
    return audit


def audit_score(db: Database, audit: dict) -> tuple[Checklist, Score]:
    """The checklist version of an audit and the engine's score of its answers."""
    checklist = load_checklist(db, audit["checklist_id"], audit["checklist_version"])
    return checklist, score(checklist, audit["document"]["answers"])


def audit_view(db: Database, audit: dict, result: Score | None = None) -> dict:
    """The audit as the API shows it: its document, status, score and section scores."""
    document = audit["document"]
    if result is None:
        _checklist, result = audit_score(db, audit)
    employees = document.get("employees", {})
    return {
        **document,
        "id": audit["audit_id"],
        "status": audit["status"],
        "document": document,
        "score": {
            "percent": display_percent(result.percent),
            "earned": float(result.earned),
            "possible": float(result.possible),
            "passed": result.passed,
            "critical_failure": result.critical_failure,
        },
        "sections": {
            section_id: {
                "percent": display_percent(s.percent),
                "earned": float(s.earned),
                "possible": float(s.possible),
                "employee_id": employees.get(section_id),
            }
            for section_id, s in result.sections.items()
        },
        "missing": list(result.missing),
    }


# Saving


def _check_document(db: Database, document: dict) -> Checklist:
    """The checklist version of a document whose answers, branch and employees all fit; 422 otherwise."""
    try:
        checklist = load_checklist(db, document["checklist_id"], document["checklist_version"])
    except AppError:
        field = (
            "checklist_id"
            if not db["checklists"].count_where("checklist_id = ?", [document["checklist_id"]])
            else "checklist_version"
        )
        raise AppError(
            "The audit names a checklist version that does not exist.",
            422,
            {
                field: [
                    f"Checklist {document['checklist_id']!r} version {document['checklist_version']} "
                    "does not exist."
                ]
            },
        ) from None
    try:
        branch = org_store.get_branch(db, document["branch_id"])
    except AppError:
        raise AppError(
            "The audit names a branch that does not exist.",
            422,
            {"branch_id": [f"Branch {document['branch_id']} does not exist."]},
        ) from None
    problems = answer_problems(checklist, document["answers"])
    if branch["staff_informed"]:
        staff = {e["employee_id"] for e in org_store.list_employees(db, branch["branch_id"])}
        problems |= employee_problems(checklist, document["employees"], staff)
    unknown = [s for s in document["employee_descriptions"] if s not in {x.id for x in checklist.sections}]
    for section_id in unknown:
        problems[f"employee_descriptions.{section_id}"] = [f"No section {section_id!r} in this checklist."]
    if problems:
        raise AppError("The audit has invalid answers; nothing was saved.", 422, problems)
    if not branch["staff_informed"]:
        # The branch's staff do not know they may be scored by name: link no employee.
        document["employees"] = {}
        document["employee_descriptions"] = {}
    return checklist


def _score_columns(result: Score) -> dict:
    return {
        "percent": display_percent(result.percent),
        "percent_exact": None if result.percent is None else _fraction_text(result.percent),
        "percent_value": None if result.percent is None else float(result.percent),
        "earned": _fraction_text(result.earned),
        "possible": _fraction_text(result.possible),
        "passed": None if result.passed is None else int(result.passed),
        "critical_failure": int(result.critical_failure),
    }


def _section_rows(audit_id: str, document: dict, result: Score) -> list[dict]:
    return [
        {
            "audit_id": audit_id,
            "section_id": section_id,
            "earned": _fraction_text(s.earned),
            "possible": _fraction_text(s.possible),
            "percent": display_percent(s.percent),
            "percent_value": None if s.percent is None else float(s.percent),
            "employee_id": document["employees"].get(section_id),
        }
        for section_id, s in result.sections.items()
    ]


def _item_rows(audit_id: str, result: Score) -> list[dict]:
    return [
        {
            "audit_id": audit_id,
            "item_id": i.item_id,
            "section_id": i.section_id,
            "status": i.status,
            "fraction": _fraction_text(i.fraction),
            "lost": int(i.fraction < 1),
            "failed": int(i.fraction == 0),
        }
        for i in result.items.values()
        if i.status == "scored"
    ]


def _write_sections(db: Database, audit_id: str, document: dict, result: Score) -> None:
    """Store the engine's per-section and per-item results next to the audit, for reports."""
    db.execute("delete from audit_items where audit_id = ?", [audit_id])
    db["audit_items"].insert_all(_item_rows(audit_id, result))
    db.execute("delete from audit_sections where audit_id = ?", [audit_id])
    db["audit_sections"].insert_all(_section_rows(audit_id, document, result))


def _document_columns(document: dict, result: Score, stamp: str) -> dict:
    text = canonical(document)
    return {
        "checklist_id": document["checklist_id"],
        "checklist_version": document["checklist_version"],
        "branch_id": document["branch_id"],
        "revision": document["revision"],
        "document": text,
        "document_hash": hashlib.sha256(text.encode()).hexdigest(),
        "visited_at": document["visited_at"],
        "visited_utc": utc(document["visited_at"]),
        "period_month": period_month(document["visited_at"]),
        "staff_on_duty": document.get("staff_on_duty"),
        "updated_at": stamp,
        **_score_columns(result),
    }


def roll_up(db: Database, audits: str, params=(), sign: int = 1) -> None:
    """Add (sign 1) or take away (sign -1) the item and section rows of the audits matching the SQL
    condition `audits` (on `a`) to the report rollup: called when an audit is published, around a
    change of a published audit, and by the bulk demo loader."""
    db.execute(
        f"""insert into report_rollup (kind, period_month, checklist_id, part_id, branch_id,
                   checklist_version, n, total, missed)
            select * from (
              select 'item', a.period_month, a.checklist_id, i.item_id, a.branch_id, a.checklist_version,
                     {sign} * count(*), 0.0, {sign} * sum(i.lost)
                from audits a join audit_items i using (audit_id) where {audits}
               group by 2, 3, 4, 5, 6
              union all
              select 'section', a.period_month, a.checklist_id, s.section_id, a.branch_id,
                     a.checklist_version, {sign} * count(s.percent_value), {sign} * total(s.percent_value), 0
                from audits a join audit_sections s using (audit_id) where {audits}
               group by 2, 3, 4, 5, 6)
             where true
            on conflict do update set n = n + excluded.n, total = total + excluded.total,
                                      missed = missed + excluded.missed""",
        [*params, *params],
    )


def replace_answer(db: Database, audit: dict, item_id: str, answer: dict) -> tuple[Score, Score]:
    """Change one answer of a stored audit (a correction or an upheld appeal) and store the
    engine's new score. Returns the scores before and after."""
    checklist = load_checklist(db, audit["checklist_id"], audit["checklist_version"])
    problems = answer_problems(checklist, {item_id: answer})
    if problems:
        raise AppError(
            "The new answer does not fit the item.",
            422,
            {path.replace(f"answers.{item_id}", "answer"): messages for path, messages in problems.items()},
        )
    document = dict(audit["document"])
    before = score(checklist, document["answers"])
    document["answers"] = {**document["answers"], item_id: answer}
    document["revision"] = audit["revision"] + 1
    after = score(checklist, document["answers"])
    published = ("a.audit_id = ?", [audit["audit_id"]])
    with transaction(db):
        if audit["status"] == PUBLISHED:
            roll_up(db, *published, sign=-1)
        db["audits"].update(audit["audit_id"], _document_columns(document, after, now()))
        _write_sections(db, audit["audit_id"], document, after)
        if audit["status"] == PUBLISHED:
            roll_up(db, *published)
    return before, after


_DRAFT_COLUMNS = (
    "checklist_id",
    "checklist_version",
    "branch_id",
    "revision",
    "document",
    "document_hash",
    "visited_at",
    "visited_utc",
    "period_month",
    "staff_on_duty",
    "updated_at",
    "percent",
    "percent_exact",
    "percent_value",
    "earned",
    "possible",
    "passed",
    "critical_failure",
)
# One statement stores a draft: a new audit is inserted, a stored one updated only while it is not
# submitted and the new revision is not older (checked again here, inside the write lock).
_UPSERT_DRAFT = f"""
insert into audits (audit_id, auditor_id, status, created_at, {", ".join(_DRAFT_COLUMNS)})
values (:audit_id, :auditor_id, :status, :created_at, {", ".join(":" + c for c in _DRAFT_COLUMNS)})
on conflict (audit_id) do update set {", ".join(f"{c} = excluded.{c}" for c in _DRAFT_COLUMNS)}
 where audits.status not in ('submitted', 'published') and excluded.revision >= audits.revision"""


def save_audit(db: Database, audit_id: str, document: dict, user: dict) -> tuple[dict, str]:
    """Store a whole audit document. Returns (audit, outcome), outcome one of created, updated,
    unchanged (the same document) or stale (an older revision, ignored). The audit carries the
    engine's score of what is stored under "result".

    A draft is one row: its section and item rows are derived once, on submit."""
    checklist = _check_document(db, document)
    result = score(checklist, document["answers"])
    columns = _document_columns(document, result, now())
    with transaction(db):
        rows = list(db.query("select * from audits where audit_id = ?", [audit_id]))
        existing = rows[0] if rows else None
        if existing is not None:
            stored = {**existing, "document": json.loads(existing["document"])}
            if existing["auditor_id"] != user["user_id"] and user["role"] != ADMIN:
                raise AppError(f"Audit {audit_id} does not exist.", 404)
            if existing["document_hash"] == columns["document_hash"]:
                return {**stored, "result": result}, "unchanged"
            if existing["status"] in LOCKED:
                raise AppError(
                    f"Audit {audit_id} is {existing['status']}; it can no longer be changed from the phone.",
                    409,
                )
            if (existing["checklist_id"], existing["checklist_version"]) != (
                document["checklist_id"],
                document["checklist_version"],
            ):
                raise AppError(
                    "An audit keeps the checklist version it was started on.",
                    409,
                    {"checklist_version": [f"This audit uses version {existing['checklist_version']}."]},
                )
            if document["revision"] < existing["revision"]:
                return stored, "stale"
        row = existing or {
            "audit_id": audit_id,
            "auditor_id": user["user_id"],
            "status": DRAFT,
            "created_at": columns["updated_at"],
        }
        row = {**row, **columns}
        db.execute(_UPSERT_DRAFT, row)
    return {**row, "document": document, "result": result}, "created" if existing is None else "updated"


def add_trail(
    db: Database, audit_id: str, user_id: int | None, action: str, reason: str = "", before=None, after=None
):
    """Record a change to a submitted audit: who, when, what, why, before and after. Never edited."""
    db["audit_trail"].insert(
        {
            "audit_id": audit_id,
            "at": now(),
            "user_id": user_id,
            "action": action,
            "reason": reason,
            "before": None if before is None else json.dumps(before, ensure_ascii=False),
            "after": None if after is None else json.dumps(after, ensure_ascii=False),
        }
    )


def photo_ids_of(db: Database, audit_id: str) -> set[str]:
    return {r["photo_id"] for r in db.query("select photo_id from photos where audit_id = ?", [audit_id])}


def submit_audit(db: Database, audit_id: str, user: dict, at: datetime | None = None) -> dict:
    """Submit a draft (or returned) audit once nothing is missing; submitting again changes nothing."""
    with transaction(db):
        audit = audit_in_scope(db, audit_id, user)
        if audit["status"] in LOCKED:
            return audit
        if audit["auditor_id"] != user["user_id"] and user["role"] != ADMIN:
            raise AppError(f"Audit {audit_id} does not exist.", 404)
        checklist, result = audit_score(db, audit)
        problems = submission_problems(
            checklist, audit["document"], result, at or datetime.now(UTC), photo_ids_of(db, audit_id)
        )
        if problems:
            raise AppError(
                f"The audit cannot be submitted yet: {len(problems)} thing(s) to fix.", 422, problems
            )
        stamp = now()
        db["audits"].update(audit_id, {"status": SUBMITTED, "submitted_at": stamp, "updated_at": stamp})
        _write_sections(db, audit_id, audit["document"], result)
        add_trail(
            db, audit_id, user["user_id"], "submitted", after={"score": display_percent(result.percent)}
        )
    return get_audit(db, audit_id)


def list_audits_of_auditor(db: Database, auditor_id: int) -> list[dict]:
    return list(
        db.query(
            """select a.audit_id, a.status, a.visited_at, a.percent, a.checklist_id, a.updated_at,
                      b.name as branch, b.code as branch_code, c.title as checklist
               from audits a join branches b using (branch_id) join checklists c using (checklist_id)
               where a.auditor_id = ? order by a.updated_at desc""",
            [auditor_id],
        )
    )


# Assignments


def create_assignment(
    db: Database,
    branch_id: int,
    checklist_id: str,
    auditor_id: int,
    due_from: str,
    due_by: str,
    notes: str,
    user_id: int,
) -> int:
    """Assign a visit; its audit id is fixed now so every device of the auditor saves to one audit."""
    org_store.get_branch(db, branch_id)
    load_checklist(db, checklist_id)
    auditor = org_store.get_user(db, auditor_id)
    if auditor["role"] != AUDITOR:
        raise AppError("Visits are assigned to auditors.", 422, {"auditor_id": ["Not an auditor."]})
    if due_from and due_from > due_by:
        raise AppError(
            "The due window ends before it starts.", 422, {"due_by": ["Before the start of the window."]}
        )
    return (
        db["assignments"]
        .insert(
            {
                "audit_id": str(uuid.uuid4()),
                "branch_id": branch_id,
                "checklist_id": checklist_id,
                "auditor_id": auditor_id,
                "due_from": due_from or None,
                "due_by": due_by,
                "notes": notes,
                "created_at": now(),
                "created_by": user_id,
            }
        )
        .last_pk
    )


_ASSIGNMENT_SELECT = """
select s.*, b.name as branch, b.code as branch_code, b.address, c.title as checklist,
       c.latest_version, u.email as auditor_email, u.name as auditor_name,
       a.status, a.revision, a.updated_at as audit_updated_at
  from assignments s
  join branches b using (branch_id)
  join checklists c using (checklist_id)
  join users u on u.user_id = s.auditor_id
  left join audits a on a.audit_id = s.audit_id"""


def list_assignments(db: Database, auditor_id: int | None = None, open_only: bool = False) -> list[dict]:
    """Assignments due soonest first; open ones are those not yet submitted."""
    where, params = [], []
    if auditor_id is not None:
        where.append("s.auditor_id = ?")
        params.append(auditor_id)
    if open_only:
        where.append("(a.status is null or a.status in ('draft', 'returned'))")
    sql = (
        _ASSIGNMENT_SELECT
        + (" where " + " and ".join(where) if where else "")
        + " order by s.due_by, s.assignment_id"
    )
    return list(db.query(sql, params))


def assignment_by_audit(db: Database, audit_id: str) -> dict | None:
    rows = list(db.query(_ASSIGNMENT_SELECT + " where s.audit_id = ?", [audit_id]))
    return rows[0] if rows else None


# Photos


def save_photo(
    db: Database, photo_id: str, audit: dict, user: dict, photo, evidence: bool = False
) -> tuple[dict, bool]:
    """Store a processed photo under its client UUID; the same UUID again changes nothing.
    Evidence for an appeal may be added to a published audit; nothing else may."""
    with transaction(db):
        rows = list(db.query("select photo_id, audit_id from photos where photo_id = ?", [photo_id]))
        if rows:
            if rows[0]["audit_id"] != audit["audit_id"]:
                raise AppError(f"Photo {photo_id} belongs to another audit.", 409)
            return get_photo_info(db, photo_id), False
        if audit["status"] in LOCKED and not evidence:
            raise AppError(f"Audit {audit['audit_id']} is {audit['status']}; no photo can be added.", 409)
        db["photos"].insert(
            {
                "photo_id": photo_id,
                "audit_id": audit["audit_id"],
                "uploaded_by": user["user_id"],
                "content_type": "image/jpeg",
                "width": photo.width,
                "height": photo.height,
                "bytes": len(photo.image),
                "sha256": photo.sha256,
                "image": photo.image,
                "thumbnail": photo.thumbnail,
                "created_at": now(),
            }
        )
    return get_photo_info(db, photo_id), True


def get_photo_info(db: Database, photo_id: str) -> dict:
    rows = list(
        db.query(
            "select photo_id, audit_id, width, height, bytes, created_at from photos where photo_id = ?",
            [photo_id],
        )
    )
    if not rows:
        raise AppError(f"Photo {photo_id} does not exist.", 404)
    return rows[0]


def photo_bytes(db: Database, photo_id: str, thumbnail: bool = False) -> bytes:
    column = "thumbnail" if thumbnail else "image"
    rows = list(db.query(f"select {column} from photos where photo_id = ?", [photo_id]))
    if not rows:
        raise AppError(f"Photo {photo_id} does not exist.", 404)
    return rows[0][column]


def purge_employee_links(db: Database, before: str) -> int:
    """Remove the employees named in audits visited before `before` (UTC ISO time): the retention
    period of employee data. Scores are unchanged; the trail records the removal."""
    rows = list(
        db.query(
            """select audit_id from audits where visited_utc < ? and (
                 exists (select 1 from audit_sections s
                          where s.audit_id = audits.audit_id and s.employee_id is not null)
                 or document like '%"employee_descriptions":{"%')""",
            [before],
        )
    )
    for row in rows:
        with transaction(db):
            audit = get_audit(db, row["audit_id"])
            document = {**audit["document"], "employees": {}, "employee_descriptions": {}}
            db["audits"].update(
                audit["audit_id"], {"document": canonical(document), "document_hash": _hash(document)}
            )
            db.execute("update audit_sections set employee_id = null where audit_id = ?", [audit["audit_id"]])
            add_trail(
                db,
                audit["audit_id"],
                None,
                "employee_links_removed",
                "Retention period of employee data ended.",
            )
    return len(rows)


def bulk_rows(audit_id: str, document: dict, checklist: Checklist, auditor_id: int) -> dict:
    """The rows a published audit writes, for loading a large demo company in bulk (the same
    engine, the same columns as save_audit)."""
    result = score(checklist, document["answers"])
    stamp = now()
    audit = {
        "audit_id": audit_id,
        "auditor_id": auditor_id,
        "status": PUBLISHED,
        "created_at": stamp,
        "submitted_at": stamp,
        "published_at": stamp,
        **_document_columns(document, result, stamp),
    }
    return {
        "audit": audit,
        "sections": _section_rows(audit_id, document, result),
        "items": _item_rows(audit_id, result),
    }
