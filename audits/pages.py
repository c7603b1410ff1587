"""What the visit form and the audit page show, gathered from the stores.

No Flask here: the caller passes the user, the settings and the day."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from audits import review, store
from audits.formdata import item_hints, local_input, offset_of
from checklists.scoring import explain
from checklists.store import load_checklist
from errors import AppError
from org import store as org_store
from org.roles import ADMIN, MANAGER, REVIEWER


def today() -> str:
    """Today's date in UTC, YYYY-MM-DD (the form due dates are compared in)."""
    return datetime.now(UTC).date().isoformat()


def new_document(
    db: Database,
    audit_id: str,
    user: dict,
    branch_id: int | None,
    checklist_id: str,
    unscheduled: bool,
    zone: str,
) -> dict:
    """The starting document of a visit not saved yet: from its assignment, else (where the user may
    make unscheduled visits) from the branch and checklist asked for; 404 otherwise."""
    assignment = store.assignment_by_audit(db, audit_id)
    if assignment is not None:
        if assignment["auditor_id"] != user["user_id"] and user["role"] != ADMIN:
            raise AppError(f"Audit {audit_id} does not exist.", 404)
        branch_id, checklist_id = assignment["branch_id"], assignment["checklist_id"]
    elif not branch_id or not checklist_id or not unscheduled:
        raise AppError(f"Audit {audit_id} does not exist.", 404)
    checklist = load_checklist(db, checklist_id)
    org_store.get_branch(db, branch_id)
    return {
        "checklist_id": checklist.id,
        "checklist_version": checklist.version,
        "branch_id": branch_id,
        "visited_at": datetime.now(ZoneInfo(zone)).isoformat(timespec="seconds"),
        "revision": 0,
        "answers": {},
        "employees": {},
        "employee_descriptions": {},
    }


def visit_context(db: Database, audit_id: str, document: dict) -> dict:
    """The visit form's data for this document (saved or not yet)."""
    checklist = load_checklist(db, document["checklist_id"], document["checklist_version"])
    branch = org_store.get_branch(db, document["branch_id"])
    audit = store.find_audit(db, audit_id)  # None: a visit not saved yet, nothing is scored so far
    saved = (
        {**store.audit_view(db, audit), "returned_reason": audit.get("returned_reason")} if audit else None
    )
    return {
        "audit_id": audit_id,
        "document": document,
        "checklist": checklist,
        "branch": branch,
        "employees": (
            org_store.list_employees(db, branch["branch_id"], active_only=True)
            if branch["staff_informed"]
            else []
        ),
        "saved": saved,
        "visited_local": local_input(document["visited_at"]),
        "offset_minutes": offset_of(document["visited_at"]),
        "assignment": store.assignment_by_audit(db, audit_id),
        "hints": item_hints(checklist),
        "returned_reason": (saved or {}).get("returned_reason"),
        "recordings": store.recordings_of(db, audit_id) if audit else [],
    }


def audit_context(db: Database, audit: dict, user: dict, appeal_days: int) -> dict:
    """The audit page's data for this user (forms aside): the score and why, the trail, appeals,
    actions and recordings."""
    checklist, result = store.audit_score(db, audit)
    branch = org_store.get_branch(db, audit["branch_id"])
    office = user["role"] in (ADMIN, REVIEWER)
    deadline = review.appeal_deadline(audit, appeal_days) if audit["published_at"] else None
    return {
        "audit": audit,
        "document": store.shown_document(db, audit),
        "checklist": checklist,
        "result": result,
        "branch": branch,
        "staff": {e["employee_id"]: e["name"] for e in org_store.list_employees(db, branch["branch_id"])},
        "explanation": explain(checklist, result),
        "office": office,
        "auditor": org_store.get_user(db, audit["auditor_id"]) if office else None,
        "trail": review.trail(db, audit, hide_shopper=user["role"] == MANAGER, checklist=checklist),
        "appeals": review.appeals_list(db, status=None, audit_id=audit["audit_id"]),
        "actions": review.actions_list(db, audit_id=audit["audit_id"]),
        "lost": review.lost_points(result),
        "recordings": store.recordings_of(db, audit["audit_id"]),
        "may_hear": store.may_hear_recordings(db, audit, user),
        "deadline": deadline,
        "appeal_open": deadline is not None and datetime.now(UTC).date() <= deadline,
        "today": today(),
    }
