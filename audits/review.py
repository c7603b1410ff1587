"""Review before release and what follows it: corrections, returns, approval, acknowledgement,
action plans and appeals. Every change is written to the audit trail with who, when, what, why,
before and after."""

from datetime import UTC, date, datetime, timedelta

from sqlite_utils import Database

from audits import store
from audits.store import PUBLISHED, RETURNED, SUBMITTED, add_trail, audit_in_scope, audit_score
from checklists.scoring import SCORED, Score, display_percent
from db import transaction
from org import store as org_store
from org.errors import AppError
from org.store import now

OPEN, UPHELD, REJECTED = "open", "upheld", "rejected"


def _require_status(audit: dict, *statuses: str, doing: str) -> None:
    if audit["status"] not in statuses:
        raise AppError(
            f"Only a {' or '.join(statuses)} audit can be {doing}; this one is {audit['status']}.", 409
        )


def lost_points(result: Score) -> list[str]:
    """Items that were scored and earned less than full points: what a branch can act on or appeal."""
    return [i.item_id for i in result.items.values() if i.status == SCORED and i.fraction < 1]


def correct(db: Database, audit_id: str, user: dict, item_id: str, answer: dict, reason: str) -> dict:
    """A reviewer changes an answer of a submitted audit; the reason is required and recorded."""
    audit = audit_in_scope(db, audit_id, user)
    _require_status(audit, SUBMITTED, doing="corrected")
    checklist, _result = audit_score(db, audit)
    try:
        checklist.item(item_id)
    except KeyError:
        raise AppError(f"No item {item_id!r} in this checklist.", 422, {"item": ["Unknown item."]}) from None
    old = audit["document"]["answers"].get(item_id)
    with transaction(db):
        before, after = store.replace_answer(db, audit, item_id, answer)
        add_trail(
            db,
            audit_id,
            user["user_id"],
            "corrected",
            reason,
            before={"item": item_id, "answer": old, "percent": display_percent(before.percent)},
            after={"item": item_id, "answer": answer, "percent": display_percent(after.percent)},
        )
    return store.get_audit(db, audit_id)


def return_to_auditor(db: Database, audit_id: str, user: dict, reason: str) -> dict:
    audit = audit_in_scope(db, audit_id, user)
    _require_status(audit, SUBMITTED, doing="returned")
    with transaction(db):
        db["audits"].update(audit_id, {"status": RETURNED, "returned_reason": reason, "updated_at": now()})
        add_trail(
            db,
            audit_id,
            user["user_id"],
            "returned",
            reason,
            before={"status": SUBMITTED},
            after={"status": RETURNED},
        )
    return store.get_audit(db, audit_id)


def approve(db: Database, audit_id: str, user: dict) -> dict:
    """Publish a submitted audit: the branch sees it, and it counts in every report."""
    audit = audit_in_scope(db, audit_id, user)
    if audit["status"] == PUBLISHED:
        return audit
    _require_status(audit, SUBMITTED, doing="approved")
    stamp = now()
    with transaction(db):
        db["audits"].update(audit_id, {"status": PUBLISHED, "published_at": stamp, "updated_at": stamp})
        store.roll_up(db, "a.audit_id = ?", [audit_id])
        add_trail(
            db,
            audit_id,
            user["user_id"],
            "approved",
            before={"status": SUBMITTED},
            after={"status": PUBLISHED, "percent": audit["percent"]},
        )
    return store.get_audit(db, audit_id)


def acknowledge(db: Database, audit_id: str, user: dict) -> dict:
    audit = audit_in_scope(db, audit_id, user)
    if not audit.get("acknowledged_at"):
        with transaction(db):
            db["audits"].update(audit_id, {"acknowledged_at": now()})
            add_trail(db, audit_id, user["user_id"], "acknowledged")
    return store.get_audit(db, audit_id)


# Action plans


def add_action(db: Database, audit_id: str, user: dict, item_id: str, what: str, who: str, due: str) -> int:
    audit = audit_in_scope(db, audit_id, user)
    _require_status(audit, PUBLISHED, doing="given an action plan")
    _checklist, result = audit_score(db, audit)
    if item_id not in lost_points(result):
        raise AppError(
            "Action plans are for items that lost points.", 422, {"item": [f"{item_id!r} lost no points."]}
        )
    with transaction(db):
        action_id = (
            db["action_items"]
            .insert(
                {
                    "audit_id": audit_id,
                    "item_id": item_id,
                    "what": what,
                    "who": who,
                    "due": due,
                    "created_by": user["user_id"],
                    "created_at": now(),
                }
            )
            .last_pk
        )
        add_trail(
            db,
            audit_id,
            user["user_id"],
            "action_added",
            after={"item": item_id, "what": what, "who": who, "due": due},
        )
    return action_id


def complete_action(db: Database, action_id: int, user: dict) -> dict:
    action = get_action(db, action_id, user)
    if not action["done_at"]:
        with transaction(db):
            db["action_items"].update(action_id, {"done_at": now()})
            add_trail(
                db,
                action["audit_id"],
                user["user_id"],
                "action_done",
                after={"item": action["item_id"], "what": action["what"]},
            )
    return get_action(db, action_id, user)


def get_action(db: Database, action_id: int, user: dict) -> dict:
    rows = list(db.query("select * from action_items where action_id = ?", [action_id]))
    if not rows:
        raise AppError(f"Action {action_id} does not exist.", 404)
    try:
        audit_in_scope(db, rows[0]["audit_id"], user)
    except AppError:
        raise AppError(f"Action {action_id} does not exist.", 404) from None
    return rows[0]


# Appeals


def appeal_deadline(audit: dict, days: int) -> date:
    return (datetime.fromisoformat(audit["published_at"]) + timedelta(days=days)).date()


def open_appeals(
    db: Database,
    audit_id: str,
    user: dict,
    item_ids: list[str],
    text: str,
    days: int,
    photos: list[str] = (),
    today: date | None = None,
) -> list[int]:
    """A branch manager contests items that lost points, within `days` days of publishing."""
    audit = audit_in_scope(db, audit_id, user)
    _require_status(audit, PUBLISHED, doing="appealed")
    deadline = appeal_deadline(audit, days)
    if (today or datetime.now(UTC).date()) > deadline:
        raise AppError(
            f"The appeal period ended on {deadline.isoformat()}.",
            422,
            {"items": [f"Appeals closed on {deadline.isoformat()}."]},
        )
    checklist, result = audit_score(db, audit)
    known = {item.id for _s, item in checklist.items()}
    losing = set(lost_points(result))
    already = {
        r["item_id"]
        for r in db.query("select item_id from appeals where audit_id = ? and status = ?", [audit_id, OPEN])
    }
    problems = {}
    for index, item_id in enumerate(item_ids):
        if item_id not in known:
            problems[f"items[{index}]"] = [f"No item {item_id!r} in this checklist."]
        elif item_id not in losing:
            problems[f"items[{index}]"] = [f"{item_id!r} lost no points; there is nothing to appeal."]
        elif item_id in already:
            raise AppError(
                f"An appeal on {item_id!r} is already open.", 409, {f"items[{index}]": ["Already appealed."]}
            )
    if problems:
        raise AppError("Some items cannot be appealed; nothing was opened.", 422, problems)
    ids = []
    with transaction(db):
        for item_id in item_ids:
            ids.append(
                db["appeals"]
                .insert(
                    {
                        "audit_id": audit_id,
                        "item_id": item_id,
                        "text": text,
                        "photos": ",".join(photos),
                        "status": OPEN,
                        "opened_by": user["user_id"],
                        "opened_at": now(),
                        "answer_before": store.canonical(audit["document"]["answers"].get(item_id)),
                        "percent_before": audit["percent"],
                    }
                )
                .last_pk
            )
            add_trail(db, audit_id, user["user_id"], "appeal_opened", text, after={"item": item_id})
    return ids


def get_appeal(db: Database, appeal_id: int, user: dict) -> dict:
    rows = list(db.query("select * from appeals where appeal_id = ?", [appeal_id]))
    if not rows:
        raise AppError(f"Appeal {appeal_id} does not exist.", 404)
    try:
        audit_in_scope(db, rows[0]["audit_id"], user)
    except AppError:
        raise AppError(f"Appeal {appeal_id} does not exist.", 404) from None
    return rows[0]


def decide_appeal(
    db: Database, appeal_id: int, user: dict, outcome: str, reason: str, answer: dict | None
) -> dict:
    """Uphold (the answer changes and the engine rescores) or reject an open appeal, with a reason."""
    appeal = get_appeal(db, appeal_id, user)
    if appeal["status"] != OPEN:
        raise AppError(f"Appeal {appeal_id} was already {appeal['status']}.", 409)
    audit = store.get_audit(db, appeal["audit_id"])
    changes = {
        "status": outcome,
        "decided_by": user["user_id"],
        "decided_at": now(),
        "decision_reason": reason,
    }
    with transaction(db):
        if outcome == UPHELD:
            if answer is None:
                raise AppError(
                    "An upheld appeal needs the corrected answer.", 422, {"answer": ["Required when upheld."]}
                )
            before, after = store.replace_answer(db, audit, appeal["item_id"], answer)
            changes |= {
                "answer_after": store.canonical(answer),
                "percent_after": display_percent(after.percent),
            }
            changes["percent_before"] = display_percent(before.percent)
        else:
            changes["percent_after"] = appeal["percent_before"]
        db["appeals"].update(appeal_id, changes)
        add_trail(
            db,
            appeal["audit_id"],
            user["user_id"],
            f"appeal_{outcome}",
            reason,
            before={
                "item": appeal["item_id"],
                "percent": changes["percent_before"] if outcome == UPHELD else appeal["percent_before"],
            },
            after={
                "item": appeal["item_id"],
                "answer": answer if outcome == UPHELD else None,
                "percent": changes["percent_after"],
            },
        )
    return get_appeal(db, appeal_id, user)


# Lists


def review_queue(
    db: Database, branch_id: int | None = None, auditor_id: int | None = None, checklist_id: str | None = None
) -> list[dict]:
    """Submitted audits, oldest first."""
    where, params = ["a.status = 'submitted'"], []
    for column, value in (
        ("a.branch_id", branch_id),
        ("a.auditor_id", auditor_id),
        ("a.checklist_id", checklist_id),
    ):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    return list(
        db.query(
            f"""select a.audit_id, a.submitted_at, a.visited_at, a.percent, a.critical_failure,
                       a.checklist_id, b.name as branch, b.code as branch_code, c.title as checklist,
                       u.name as auditor, u.email as auditor_email
                  from audits a join branches b using (branch_id) join checklists c using (checklist_id)
                  join users u on u.user_id = a.auditor_id
                 where {" and ".join(where)} order by a.submitted_at, a.audit_id""",
            params,
        )
    )


def appeals_list(
    db: Database, status: str | None = OPEN, branch_ids: set[int] | None = None, audit_id: str | None = None
) -> list[dict]:
    where, params = [], []
    if status:
        where.append("p.status = ?")
        params.append(status)
    if audit_id:
        where.append("p.audit_id = ?")
        params.append(audit_id)
    if branch_ids is not None:
        where.append(f"a.branch_id in ({','.join('?' * len(branch_ids))})" if branch_ids else "0")
        params.extend(sorted(branch_ids))
    sql = """select p.*, a.branch_id, b.name as branch, a.visited_at from appeals p
               join audits a using (audit_id) join branches b on b.branch_id = a.branch_id"""
    return list(
        db.query(sql + (" where " + " and ".join(where) if where else "") + " order by p.opened_at", params)
    )


def actions_list(
    db: Database, audit_id: str | None = None, branch_ids: set[int] | None = None, open_only: bool = False
) -> list[dict]:
    where, params = [], []
    if audit_id:
        where.append("x.audit_id = ?")
        params.append(audit_id)
    if open_only:
        where.append("x.done_at is null")
    if branch_ids is not None:
        where.append(f"a.branch_id in ({','.join('?' * len(branch_ids))})" if branch_ids else "0")
        params.extend(sorted(branch_ids))
    sql = """select x.*, b.name as branch from action_items x join audits a using (audit_id)
               join branches b on b.branch_id = a.branch_id"""
    return list(
        db.query(
            sql + (" where " + " and ".join(where) if where else "") + " order by x.due, x.action_id", params
        )
    )


def published_for_manager(db: Database, user: dict) -> list[dict]:
    branch_ids = org_store.manager_branch_ids(db, user["user_id"])
    if not branch_ids:
        return []
    return list(
        db.query(
            f"""select a.audit_id, a.visited_at, a.percent, a.passed, a.critical_failure, a.published_at,
                       a.acknowledged_at, b.name as branch, b.code as branch_code, c.title as checklist
                  from audits a join branches b using (branch_id) join checklists c using (checklist_id)
                 where a.status = 'published' and a.branch_id in ({",".join("?" * len(branch_ids))})
                 order by a.published_at desc""",
            branch_ids,
        )
    )


def trail(db: Database, audit_id: str, hide_auditor: bool) -> list[dict]:
    """The trail of an audit, oldest first; the shopper's name is hidden from the branch."""
    rows = db.query(
        """select t.entry_id, t.at, t.action, t.reason, t.before, t.after, u.name, u.email, u.role
             from audit_trail t left join users u on u.user_id = t.user_id
            where t.audit_id = ? order by t.entry_id""",
        [audit_id],
    )
    entries = []
    for row in rows:
        who = (
            "Auditor"
            if hide_auditor and row["role"] == "auditor"
            else (row["name"] or row["email"] or "system")
        )
        entries.append({**row, "who": who, "email": None if hide_auditor else row["email"]})
    return entries
