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
from checklists.store import find_checklist, load_checklist
from db import (
    durable_transaction,
    forget_cached_pdfs,
    fraction_text,
    in_list,
    now,
    roll_up,
    roll_up_branches,
    roll_up_employees,
    roll_up_items,
    select_rows,
    transaction,
)
from errors import AppError
from org import store as org_store
from org.roles import ADMIN, AUDITOR, MANAGER, REVIEWER

DRAFT, SUBMITTED, RETURNED, PUBLISHED = "draft", "submitted", "returned", "published"
LOCKED = (SUBMITTED, PUBLISHED)


def canonical(document: dict) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _hash(document: dict) -> str:
    return hashlib.sha256(canonical(document).encode()).hexdigest()


# Reading


def find_audit(db: Database, audit_id: str) -> dict | None:
    """The audit, or None when there is none."""
    rows = list(db.query("select * from audits where audit_id = ?", [audit_id]))
    return {**rows[0], "document": json.loads(rows[0]["document"])} if rows else None


def get_audit(db: Database, audit_id: str) -> dict:
    """The audit; 404 when there is none."""
    audit = find_audit(db, audit_id)
    if audit is None:
        raise AppError(f"Audit {audit_id} does not exist.", 404)
    return audit


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


def find_audit_in_scope(db: Database, audit_id: str, user: dict) -> dict | None:
    """The audit if the user may see it; None when there is none or it is out of their scope."""
    audit = find_audit(db, audit_id)
    return audit if audit is not None and can_see(db, audit, user) else None


def audit_in_scope(db: Database, audit_id: str, user: dict) -> dict:
    """The audit if the user may see it; 404 otherwise, as for one that does not exist."""
    audit = find_audit_in_scope(db, audit_id, user)
    if audit is None:
        raise AppError(f"Audit {audit_id} does not exist.", 404)
    return audit


def audit_score(db: Database, audit: dict) -> tuple[Checklist, Score]:
    """The checklist version of an audit and the engine's score of its answers."""
    checklist = load_checklist(db, audit["checklist_id"], audit["checklist_version"])
    return checklist, score(checklist, audit["document"]["answers"])


def shown_document(db: Database, audit: dict) -> dict:
    """The audit's document as anyone reads it: without employee links and descriptions once its
    branch's staff are no longer informed (the stored links stay, should they be informed again)."""
    document = audit["document"]
    if not (document.get("employees") or document.get("employee_descriptions")):
        return document
    if org_store.get_branch(db, audit["branch_id"])["staff_informed"]:
        return document
    return {**document, "employees": {}, "employee_descriptions": {}}


def audit_view(db: Database, audit: dict, result: Score | None = None) -> dict:
    """The audit as the API shows it: its document, status, score and section scores."""
    document = shown_document(db, audit)
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
    checklist = find_checklist(db, document["checklist_id"], document["checklist_version"])
    if checklist is None:
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
        )
    branch = org_store.find_branch(db, document["branch_id"])
    if branch is None:
        raise AppError(
            "The audit names a branch that does not exist.",
            422,
            {"branch_id": [f"Branch {document['branch_id']} does not exist."]},
        )
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
    """The engine's exact points (n/d text) and what is derived from its exact percent: one decimal
    for display and full precision for means in SQL (m025: no third copy)."""
    return {
        "percent": display_percent(result.percent),
        "percent_value": None if result.percent is None else float(result.percent),
        "earned": fraction_text(result.earned),
        "possible": fraction_text(result.possible),
        "passed": None if result.passed is None else int(result.passed),
        "critical_failure": int(result.critical_failure),
    }


def _section_rows(audit_id: str, document: dict, result: Score) -> list[dict]:
    return [
        {
            "audit_id": audit_id,
            "section_id": section_id,
            "earned": fraction_text(s.earned),
            "possible": fraction_text(s.possible),
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
            "fraction": fraction_text(i.fraction),
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


def update_rollups(db: Database, audits: str, params=(), sign: int = 1) -> None:
    """Add (sign 1) or take away (sign -1) the audits matching the SQL condition `audits` (on `a`) in
    every report rollup: called when an audit is published, around a change of a published audit,
    and by the bulk demo loader."""
    roll_up(db, audits, params, sign)
    roll_up_items(db, audits, params, sign)
    roll_up_branches(db, audits, params, sign)
    roll_up_employees(db, audits, params, sign)


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
            update_rollups(db, *published, sign=-1)
        db["audits"].update(audit["audit_id"], _document_columns(document, after, now()))
        _write_sections(db, audit["audit_id"], document, after)
        if audit["status"] == PUBLISHED:
            update_rollups(db, *published)
    return before, after


def check_binding(db: Database, audit_id: str, document: dict, user: dict, allow_unscheduled: bool) -> None:
    """Refuse a save that strays from what binds the audit (one indexed query): its assignment fixes
    the auditor (else 404), the branch and the checklist (else 422); a saved audit keeps its branch
    (422); without an assignment an auditor may start an audit only while unscheduled visits are allowed
    (else 403). Admins may save any audit, as elsewhere."""
    row = db.execute(
        """select s.auditor_id, s.branch_id, s.checklist_id, a.branch_id, a.auditor_id, a.status
             from (select ? as audit_id) q
             left join assignments s on s.audit_id = q.audit_id
             left join audits a on a.audit_id = q.audit_id""",
        [audit_id],
    ).fetchone()
    assigned_to, assigned_branch, assigned_checklist, saved_branch, saved_by, status = row
    saved = saved_by is not None
    owners = {assigned_to, saved_by} - {None}
    if user["role"] != ADMIN and owners - {user["user_id"]}:
        raise AppError(f"Audit {audit_id} does not exist.", 404)
    if status in LOCKED:
        return  # the save answers 409 unless the document is the one stored
    problems = {}
    if assigned_to is not None:
        if document["branch_id"] != assigned_branch:
            problems["branch_id"] = [f"This visit is assigned to branch {assigned_branch}."]
        if document["checklist_id"] != assigned_checklist:
            problems["checklist_id"] = [f"This visit is assigned with checklist {assigned_checklist!r}."]
    elif not saved and user["role"] != ADMIN and not allow_unscheduled:
        raise AppError("Only assigned visits can be made; ask head office to assign this one.", 403)
    if saved and saved_branch != document["branch_id"] and "branch_id" not in problems:
        problems["branch_id"] = [f"This audit is of branch {saved_branch}; a visit keeps its branch."]
    if problems:
        raise AppError("The audit does not match its assignment; nothing was saved.", 422, problems)


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
    "percent_value",
    "earned",
    "possible",
    "passed",
    "critical_failure",
)
_INSERT_DRAFT = f"""
insert into audits (audit_id, auditor_id, status, created_at, {", ".join(_DRAFT_COLUMNS)})
values (:audit_id, :auditor_id, :status, :created_at, {", ".join(":" + c for c in _DRAFT_COLUMNS)})"""


def _update_draft(db: Database, existing: dict, columns: dict) -> None:
    """Store a newer draft of a stored audit: one update of the columns that changed, only while it
    is not submitted and the new revision is not older (checked again here, inside the write lock).

    SQLite rewrites the entry of every index holding a column an UPDATE names, changed or not, and
    the report indexes hold the checklist, branch, month and percent: naming them all logged 6 pages
    a save where 2 or 3 changed (the benchmark's saves), and checkpoints came that much more often."""
    changed = [c for c in _DRAFT_COLUMNS if existing[c] != columns[c]]
    db.execute(
        f"""update audits set {", ".join(f"{c} = :{c}" for c in changed)}
             where audit_id = :audit_id and status not in ('submitted', 'published')
               and revision <= :revision""",
        {**columns, "audit_id": existing["audit_id"]},
    )


def save_audit(
    db: Database, audit_id: str, document: dict, user: dict, allow_unscheduled: bool = True
) -> tuple[dict, str]:
    """Store a whole audit document. Returns (audit, outcome), outcome one of created, updated,
    unchanged (the same document) or stale (an older revision, ignored). The audit carries the
    engine's score of what is stored under "result".

    A draft is one row: its section and item rows are derived once, on submit."""
    checklist = _check_document(db, document)
    result = score(checklist, document["answers"])
    columns = _document_columns(document, result, now())
    with durable_transaction(db):
        check_binding(db, audit_id, document, user, allow_unscheduled)
        rows = select_rows(db, "select * from audits where audit_id = ?", [audit_id])
        existing = rows[0] if rows else None
        if existing is not None:
            if existing["auditor_id"] != user["user_id"] and user["role"] != ADMIN:
                raise AppError(f"Audit {audit_id} does not exist.", 404)
            if existing["document_hash"] == columns["document_hash"]:
                return {**existing, "document": document, "result": result}, "unchanged"
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
                return {**existing, "document": json.loads(existing["document"])}, "stale"
        if existing is None:
            row = {
                "audit_id": audit_id,
                "auditor_id": user["user_id"],
                "status": DRAFT,
                "created_at": columns["updated_at"],
                **columns,
            }
            db.execute(_INSERT_DRAFT, row)
        else:
            row = {**existing, **columns}
            _update_draft(db, existing, columns)
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
        if _visit_cancelled(db, audit_id):
            raise AppError(
                "Head office cancelled this visit, so it cannot be submitted; its answers are kept.", 409
            )
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


def _visit_cancelled(db: Database, audit_id: str) -> bool:
    """Whether every assignment of the audit was cancelled (an audit without one is not)."""
    cancelled = [
        row[0] for row in db.execute("select cancelled_at from assignments where audit_id = ?", [audit_id])
    ]
    return bool(cancelled) and all(cancelled)


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

DEFAULT_ROTATION_DAYS = 90


def create_assignment(
    db: Database,
    branch_id: int,
    checklist_id: str,
    auditor_id: int,
    due_from: str,
    due_by: str,
    notes: str,
    user_id: int,
    planned: dict | None = None,
) -> int:
    """Assign a visit; its audit id is fixed now so every device of the auditor saves to one audit.
    `planned` holds the schedule_id, period and slot of a visit the planner made."""
    _check_branch(db, branch_id)
    if find_checklist(db, checklist_id) is None:
        raise AppError(
            f"Checklist {checklist_id!r} does not exist.", 422, {"checklist_id": ["No such checklist."]}
        )
    _check_auditor(db, auditor_id)
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
                **(planned or {}),
            }
        )
        .last_pk
    )


def _check_branch(db: Database, branch_id: int) -> dict:
    branch = org_store.find_branch(db, branch_id)
    if branch is None:
        raise AppError(f"Branch {branch_id} does not exist.", 422, {"branch_id": [f"No branch {branch_id}."]})
    return branch


def _check_auditor(db: Database, auditor_id: int) -> dict:
    auditor = org_store.find_user(db, auditor_id)
    if auditor is None or auditor["role"] != AUDITOR or not auditor["active"]:
        raise AppError(
            "Visits are assigned to active auditors.", 422, {"auditor": ["Not an active auditor."]}
        )
    return auditor


_ASSIGNMENT_SELECT = """
select s.*, b.name as branch, b.code as branch_code, b.address, c.title as checklist,
       c.latest_version, u.email as auditor_email, u.name as auditor_name,
       a.status, a.revision, a.updated_at as audit_updated_at
  from assignments s
  join branches b using (branch_id)
  join checklists c using (checklist_id)
  join users u on u.user_id = s.auditor_id
  left join audits a on a.audit_id = s.audit_id"""

OPEN_SQL = "(a.status is null or a.status in ('draft', 'returned'))"
DONE_SQL = "a.status in ('submitted', 'published')"


def assignment_state(row: dict, today: str) -> str:
    """open, overdue (open and past its due date), done (submitted or published) or cancelled."""
    if row["cancelled_at"]:
        return "cancelled"
    if row["status"] in LOCKED:
        return "done"
    return "overdue" if row["due_by"] < today else "open"


def list_assignments(
    db: Database,
    auditor_id: int | None = None,
    open_only: bool = False,
    state: str | None = None,
    today: str | None = None,
    branch_id: int | None = None,
) -> list[dict]:
    """Assignments not cancelled, due soonest first. open: not yet submitted (overdue ones
    included); overdue: open and due before today; done: submitted or published."""
    where, params = ["s.cancelled_at is null"], []
    if auditor_id is not None:
        where.append("s.auditor_id = ?")
        params.append(auditor_id)
    if branch_id is not None:
        where.append("s.branch_id = ?")
        params.append(branch_id)
    if open_only or state in ("open", "overdue"):
        where.append(OPEN_SQL)
    if state == "overdue":
        where.append("s.due_by < ?")
        params.append(today)
    if state == "done":
        where.append(DONE_SQL)
    sql = _ASSIGNMENT_SELECT + " where " + " and ".join(where) + " order by s.due_by, s.assignment_id"
    return list(db.query(sql, params))


def assignment_by_audit(db: Database, audit_id: str) -> dict | None:
    rows = list(db.query(_ASSIGNMENT_SELECT + " where s.audit_id = ? and s.cancelled_at is null", [audit_id]))
    return rows[0] if rows else None


def get_assignment(db: Database, assignment_id: int) -> dict:
    """An assignment, cancelled or not; 404 when there is none."""
    rows = list(db.query(_ASSIGNMENT_SELECT + " where s.assignment_id = ?", [assignment_id]))
    if not rows:
        raise AppError(f"Assignment {assignment_id} does not exist.", 404)
    return rows[0]


def _changeable(row: dict) -> None:
    if row["cancelled_at"]:
        raise AppError(f"Assignment {row['assignment_id']} was cancelled; it cannot change.", 409)
    if row["status"] in LOCKED:
        raise AppError(
            f"Assignment {row['assignment_id']} was already {row['status']}; it cannot change.", 409
        )


def visit_days(db: Database, branch_ids, since: str, until: str) -> dict[tuple[int, int], list[str]]:
    """Days on which auditors visited (or are due to visit) branches between since and until:
    {(auditor_id, branch_id): ["YYYY-MM-DD", ...]}. A submitted visit counts on the day it was
    made, an open one on its due date."""
    assigned, ids = in_list("s.branch_id", set(branch_ids))
    if not ids:
        return {}
    visited = in_list("a.branch_id", ids)[0]
    rows = db.query(
        f"""select auditor_id, branch_id, day from (
              select s.auditor_id, s.branch_id,
                     coalesce(case when {DONE_SQL} then substr(a.visited_at, 1, 10) end, s.due_by) as day
                from assignments s left join audits a on a.audit_id = s.audit_id
               where s.cancelled_at is null and {assigned}
              union all
              select a.auditor_id, a.branch_id, substr(a.visited_at, 1, 10) from audits a
               where {visited}
                 and not exists (select 1 from assignments s where s.audit_id = a.audit_id))
            where day between ? and ?""",
        [*ids, *ids, since, until],
    )
    days: dict[tuple[int, int], list[str]] = {}
    for row in rows:
        days.setdefault((row["auditor_id"], row["branch_id"]), []).append(row["day"])
    return days


def rotation_days_for(db: Database, branch_id: int, checklist_id: str) -> int:
    """The rotation interval at a branch: the longest of the schedules that visit it with this
    checklist, else the default."""
    rows = db.query(
        """select s.rotation_days, s.branch_ids, s.region_id from schedules s
            where s.active and s.checklist_id = ?""",
        [checklist_id],
    )
    branch = _check_branch(db, branch_id)
    covering = [
        r["rotation_days"]
        for r in rows
        if r["region_id"] == branch["region_id"] or branch_id in json.loads(r["branch_ids"] or "[]")
    ]
    return max(covering, default=DEFAULT_ROTATION_DAYS)


def rotation_conflict(
    db: Database, branch_id: int, checklist_id: str, auditor_id: int, due_by: str, exclude: int | None = None
) -> str | None:
    """A message when the auditor visited (or will visit) the branch within the rotation interval
    of due_by; None when the rotation is kept."""
    rotation = rotation_days_for(db, branch_id, checklist_id)
    day = datetime.fromisoformat(due_by).date()
    rows = db.query(
        f"""select s.assignment_id,
                   coalesce(case when {DONE_SQL} then substr(a.visited_at, 1, 10) end, s.due_by) as day
              from assignments s left join audits a on a.audit_id = s.audit_id
             where s.cancelled_at is null and s.branch_id = ? and s.auditor_id = ?
            union all
            select null, substr(a.visited_at, 1, 10) from audits a
             where a.branch_id = ? and a.auditor_id = ?
               and not exists (select 1 from assignments s where s.audit_id = a.audit_id)""",
        [branch_id, auditor_id, branch_id, auditor_id],
    )
    for row in rows:
        if exclude is not None and row["assignment_id"] == exclude:
            continue
        other = datetime.fromisoformat(row["day"]).date()
        if abs((day - other).days) < rotation:
            return (
                f"This auditor visits this branch on {row['day']}, within the rotation interval of "
                f"{rotation} days; staff may recognise them. Choose another auditor or override."
            )
    return None


def reassign(
    db: Database, assignment_id: int, auditor_id: int | None = None, due_by: str | None = None
) -> tuple[dict, bool]:
    """Change the auditor or the due date of an open assignment; a draft already saved moves with it
    to the new auditor. Returns (assignment, whether the auditor changed)."""
    with transaction(db):
        row = get_assignment(db, assignment_id)
        _changeable(row)
        changes: dict = {}
        moved = auditor_id is not None and auditor_id != row["auditor_id"]
        if moved:
            _check_auditor(db, auditor_id)
            changes["auditor_id"] = auditor_id
        if due_by is not None:
            if row["due_from"] and row["due_from"] > due_by:
                raise AppError(
                    "The due window ends before it starts.", 422, {"due": ["Before the start of the window."]}
                )
            changes["due_by"] = due_by
        if changes:
            db["assignments"].update(assignment_id, changes)
        if moved and row["status"] is not None:
            db.execute(
                "update audits set auditor_id = ?, updated_at = ? where audit_id = ?",
                [auditor_id, now(), row["audit_id"]],
            )
    return get_assignment(db, assignment_id), moved


def cancel_assignment(db: Database, assignment_id: int) -> None:
    """Cancel an assignment that was not submitted; a saved draft stays with its auditor, unlisted."""
    with transaction(db):
        row = get_assignment(db, assignment_id)
        if row["cancelled_at"]:
            return  # cancelling twice changes nothing
        _changeable(row)
        db["assignments"].update(assignment_id, {"cancelled_at": now()})


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


def find_photo_info(db: Database, photo_id: str) -> dict | None:
    """A photo's size and audit (not its bytes), or None when there is none."""
    rows = list(
        db.query(
            "select photo_id, audit_id, width, height, bytes, created_at from photos where photo_id = ?",
            [photo_id],
        )
    )
    return rows[0] if rows else None


def get_photo_info(db: Database, photo_id: str) -> dict:
    """A photo's size and audit; 404 when there is none."""
    info = find_photo_info(db, photo_id)
    if info is None:
        raise AppError(f"Photo {photo_id} does not exist.", 404)
    return info


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
            # The employee rollup counts a published audit under the employees it names: it leaves them.
            roll_up_employees(db, "a.audit_id = ? and a.status = 'published'", [audit["audit_id"]], sign=-1)
            db.execute("update audit_sections set employee_id = null where audit_id = ?", [audit["audit_id"]])
            add_trail(
                db,
                audit["audit_id"],
                None,
                "employee_links_removed",
                "Retention period of employee data ended.",
            )
    if rows:
        forget_cached_pdfs(db)  # the names are in cached scorecards too
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


# Recordings


def save_recording(db: Database, recording_id: str, audit: dict, user: dict, recording) -> tuple[dict, bool]:
    """Store a checked recording under its client UUID; the same UUID again changes nothing."""
    with transaction(db):
        rows = list(db.query("select audit_id from recordings where recording_id = ?", [recording_id]))
        if rows:
            if rows[0]["audit_id"] != audit["audit_id"]:
                raise AppError(f"Recording {recording_id} belongs to another audit.", 409)
            return get_recording_info(db, recording_id), False
        if audit["status"] in LOCKED:
            raise AppError(f"Audit {audit['audit_id']} is {audit['status']}; no recording can be added.", 409)
        db["recordings"].insert(
            {
                "recording_id": recording_id,
                "audit_id": audit["audit_id"],
                "uploaded_by": user["user_id"],
                "content_type": recording.content_type,
                "bytes": len(recording.audio),
                "sha256": recording.sha256,
                "audio": recording.audio,
                "created_at": now(),
            }
        )
    return get_recording_info(db, recording_id), True


_RECORDING_INFO = "select recording_id, audit_id, content_type, bytes, created_at from recordings"


def find_recording_info(db: Database, recording_id: str) -> dict | None:
    """A recording's type, size and audit (not its audio), or None when there is none."""
    rows = list(db.query(_RECORDING_INFO + " where recording_id = ?", [recording_id]))
    return rows[0] if rows else None


def get_recording_info(db: Database, recording_id: str) -> dict:
    """A recording's type, size and audit; 404 when there is none."""
    info = find_recording_info(db, recording_id)
    if info is None:
        raise AppError(f"Recording {recording_id} does not exist.", 404)
    return info


def recordings_of(db: Database, audit_id: str) -> list[dict]:
    return list(
        db.query(_RECORDING_INFO + " where audit_id = ? order by created_at, recording_id", [audit_id])
    )


def recording_audio(db: Database, recording_id: str) -> bytes:
    return db.execute("select audio from recordings where recording_id = ?", [recording_id]).fetchone()[0]


def may_hear_recordings(db: Database, audit: dict, user: dict) -> bool:
    """Whether the user may hear an audit's recordings: voices identify staff, so a manager only
    where the branch's staff are informed. Scope of the audit itself is checked before."""
    if user["role"] != MANAGER:
        return True
    return bool(org_store.get_branch(db, audit["branch_id"])["staff_informed"])


def purge_recordings(db: Database, before: str) -> int:
    """Delete the recordings of audits visited before `before` (UTC ISO time): voices are employee
    data with the same retention period. The trail records each removal."""
    rows = list(
        db.query(
            """select r.audit_id, count(*) as n from recordings r join audits a using (audit_id)
                where a.visited_utc < ? group by r.audit_id""",
            [before],
        )
    )
    for row in rows:
        with transaction(db):
            db.execute("delete from recordings where audit_id = ?", [row["audit_id"]])
            add_trail(
                db, row["audit_id"], None, "recordings_removed", "Retention period of employee data ended."
            )
    return sum(r["n"] for r in rows)
