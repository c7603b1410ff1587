"""Review before release and what follows it: corrections, returns, approval, acknowledgement,
action plans and appeals. Every change is written to the audit trail with who, when, what, why,
before and after."""

import json
import uuid
from datetime import UTC, date, datetime, timedelta

from sqlite_utils import Database

from audits import notices, photos, store
from audits.document import answer_text
from audits.formdata import answer_from_field
from audits.store import PUBLISHED, RETURNED, SUBMITTED, add_trail, audit_in_scope, audit_score
from checklists.model import Checklist
from checklists.scoring import SCORED, Score, display_percent, format_percent
from checklists.store import load_checklist
from db import in_list, now, transaction
from errors import AppError
from org import store as org_store

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
    stamp = now()
    with transaction(db):
        db["audits"].update(audit_id, {"status": RETURNED, "returned_reason": reason, "updated_at": stamp})
        notices.audit_returned(db, audit, reason, stamp)
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
        store.update_rollups(db, "a.audit_id = ?", [audit_id])
        add_trail(
            db,
            audit_id,
            user["user_id"],
            "approved",
            before={"status": SUBMITTED},
            after={"status": PUBLISHED, "percent": audit["percent"]},
        )
        verify_at_visit(db, audit, audit_score(db, audit)[1], user["user_id"])
        notices.audit_published(db, audit)
    return store.get_audit(db, audit_id)


def acknowledge(db: Database, audit_id: str, user: dict) -> dict:
    audit = audit_in_scope(db, audit_id, user)
    if not audit.get("acknowledged_at"):
        with transaction(db):
            db["audits"].update(audit_id, {"acknowledged_at": now()})
            add_trail(db, audit_id, user["user_id"], "acknowledged")
    return store.get_audit(db, audit_id)


# Action plans: an assignee from the branch's users, a due date, open -> done -> verified

ACTION_OPEN, ACTION_DONE, ACTION_VERIFIED = "open", "done", "verified"


def branch_users(db: Database, branch_id: int) -> list[dict]:
    """The active users of a branch (its managers), who may be given an action."""
    return list(
        db.query(
            """select u.user_id, u.email, u.name from manager_branches m join users u using (user_id)
                where m.branch_id = ? and u.active and u.role = 'manager' order by u.name, u.email""",
            [branch_id],
        )
    )


def add_action(
    db: Database, audit_id: str, user: dict, item_id: str, what: str, due: str, assignee_id: int | None = None
) -> int:
    """Plan an action for an item that lost points; the assignee (default: whoever plans it) is a
    user of the audit's branch and is mailed when it is someone else."""
    audit = audit_in_scope(db, audit_id, user)
    _require_status(audit, PUBLISHED, doing="given an action plan")
    _checklist, result = audit_score(db, audit)
    if item_id not in lost_points(result):
        raise AppError(
            "Action plans are for items that lost points.", 422, {"item": [f"{item_id!r} lost no points."]}
        )
    assignee_id = assignee_id or user["user_id"]
    people = {u["user_id"]: u for u in branch_users(db, audit["branch_id"])}
    if assignee_id not in people:
        raise AppError(
            "The assignee must be a user of this branch.", 422, {"assignee": ["Not a user of this branch."]}
        )
    assignee = people[assignee_id]
    who = assignee["name"] or assignee["email"]
    with transaction(db):
        action_id = (
            db["action_items"]
            .insert(
                {
                    "audit_id": audit_id,
                    "item_id": item_id,
                    "what": what,
                    "who": who,
                    "assignee_id": assignee_id,
                    "state": ACTION_OPEN,
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
        if assignee_id != user["user_id"]:
            notices.action_assigned(db, get_action(db, action_id, user), assignee)
    return action_id


def complete_action(
    db: Database, action_id: int, user: dict, note: str = "", proof_photo_id: str | None = None
) -> dict:
    """The branch marks an action done, with a note and an optional proof photo (once)."""
    action = get_action(db, action_id, user)
    if action["state"] == ACTION_OPEN:
        with transaction(db):
            db["action_items"].update(
                action_id,
                {"state": ACTION_DONE, "done_at": now(), "done_note": note, "proof_photo_id": proof_photo_id},
            )
            add_trail(
                db,
                action["audit_id"],
                user["user_id"],
                "action_done",
                note,
                after={"item": action["item_id"], "what": action["what"]},
            )
    return get_action(db, action_id, user)


def evidence_photo(db: Database, audit: dict, data: bytes, user: dict) -> str | None:
    """Store a photo sent as evidence (an appeal's, an action's proof) with the audit; its id, or
    None when no file was sent."""
    if not data:
        return None
    try:
        processed = photos.process(data)
    except photos.PhotoError as exc:
        raise AppError(str(exc), 422, {"photo": [str(exc)]}) from None
    photo_id = str(uuid.uuid4())
    store.save_photo(db, photo_id, audit, user, processed, evidence=True)
    return photo_id


def proof_photo(db: Database, action: dict, data: bytes, user: dict) -> str | None:
    """Store a proof photo with the action's audit; its id, or None when no file was sent."""
    return evidence_photo(db, store.get_audit(db, action["audit_id"]), data, user)


def typed_answer(db: Database, audit: dict, item_id: str, text: str) -> dict:
    """The answer a form's text gives to an item of the audit's checklist; 422 if there is no such item."""
    checklist = load_checklist(db, audit["checklist_id"], audit["checklist_version"])
    try:
        kind = checklist.item(item_id).type
    except KeyError:
        raise AppError("This item is not in the checklist.", 422) from None
    return answer_from_field(kind, text)


def verify_action(db: Database, action_id: int, user: dict, note: str = "") -> dict:
    """Head office confirms an action was really done."""
    action = get_action(db, action_id, user)
    if action["state"] == ACTION_VERIFIED:
        return action
    if action["state"] != ACTION_DONE:
        raise AppError(f"Action {action_id} is not done yet; only a done action can be verified.", 409)
    with transaction(db):
        _verify(db, action, user["user_id"], note)
    return get_action(db, action_id, user)


def _verify(db: Database, action: dict, user_id: int, note: str) -> None:
    db["action_items"].update(
        action["action_id"], {"state": ACTION_VERIFIED, "verified_at": now(), "verified_by": user_id}
    )
    add_trail(db, action["audit_id"], user_id, "action_verified", note, after={"item": action["item_id"]})


def verify_at_visit(db: Database, audit: dict, result: Score, user_id: int) -> int:
    """The next published visit verifies the branch's earlier actions on items it found in order."""
    passed = {i.item_id for i in result.items.values() if i.status == SCORED and i.fraction == 1}
    if not passed:
        return 0
    items, item_ids = in_list("x.item_id", passed)
    rows = list(
        db.query(
            f"""select x.* from action_items x join audits a using (audit_id)
                 where a.branch_id = ? and a.audit_id != ? and x.state in ('open', 'done') and {items}""",
            [audit["branch_id"], audit["audit_id"], *item_ids],
        )
    )
    for row in rows:
        _verify(db, row, user_id, f"Found in order at the visit of {audit['visited_at'][:10]}.")
    return len(rows)


def get_action(db: Database, action_id: int, user: dict) -> dict:
    rows = list(db.query(_ACTION_SELECT + " where x.action_id = ?", [action_id]))
    if not rows or store.find_audit_in_scope(db, rows[0]["audit_id"], user) is None:
        raise AppError(f"Action {action_id} does not exist.", 404)
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
        notices.appeal_filed(db, audit, ids)
    return ids


def get_appeal(db: Database, appeal_id: int, user: dict) -> dict:
    rows = list(db.query("select * from appeals where appeal_id = ?", [appeal_id]))
    if not rows or store.find_audit_in_scope(db, rows[0]["audit_id"], user) is None:
        raise AppError(f"Appeal {appeal_id} does not exist.", 404)
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
        notices.appeal_decided(db, {**appeal, **changes})
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
    clause, ids = in_list("a.branch_id", branch_ids)
    where.append(clause)
    params.extend(ids)
    sql = """select p.*, a.branch_id, b.name as branch, a.visited_at, a.checklist_id, a.checklist_version
               from appeals p join audits a using (audit_id) join branches b on b.branch_id = a.branch_id"""
    rows = list(
        db.query(sql + (" where " + " and ".join(where) if where else "") + " order by p.opened_at", params)
    )
    for row in rows:
        checklist = load_checklist(db, row["checklist_id"], row["checklist_version"])
        row |= item_label(checklist, row["item_id"])
        row["answer_before_text"] = answer_text(_loads(row["answer_before"]))
        row["answer_after_text"] = answer_text(_loads(row["answer_after"])) if row["answer_after"] else None
    return rows


def _loads(text: str | None):
    return None if text is None else json.loads(text)


def item_label(checklist: Checklist, item_id: str) -> dict:
    """The item's text and its section's title, for people (the id when the item is gone)."""
    for section, item in checklist.items():
        if item.id == item_id:
            return {"item_text": item.text, "section_title": section.title}
    return {"item_text": item_id, "section_title": ""}


_STATUS_WORDS = {"submitted": "submitted", "returned": "returned to the auditor", "published": "published"}


def change_lines(checklist: Checklist, before: dict | None, after: dict | None) -> list[str]:
    """What one trail entry changed, as sentences: from what to what."""
    before, after = before or {}, after or {}
    lines = []
    item_id = after.get("item") or before.get("item")
    if item_id:
        label = item_label(checklist, item_id)
        where = f" ({label['section_title']})" if label["section_title"] else ""
        lines.append(f"Item: {label['item_text']}{where}")
    if "answer" in before or "answer" in after:
        if "answer" in before:
            lines.append(f"Answer: {answer_text(before['answer'])} → {answer_text(after.get('answer'))}")
        elif after.get("answer") is not None:
            lines.append(f"Answer: {answer_text(after['answer'])}")
    if "status" in before or "status" in after:
        lines.append(
            f"Status: {_STATUS_WORDS.get(before.get('status'), before.get('status') or '—')} → "
            f"{_STATUS_WORDS.get(after.get('status'), after.get('status') or '—')}"
        )
    if "percent" in before or "percent" in after:
        if "percent" in before:
            lines.append(
                f"Score: {format_percent(before['percent'])} → {format_percent(after.get('percent'))}"
            )
        else:
            lines.append(f"Score: {format_percent(after['percent'])}")
    for key, words in (("what", "Action"), ("who", "Who"), ("due", "Due by")):
        if after.get(key):
            lines.append(f"{words}: {after[key]}")
    return lines


_ACTION_SELECT = """select x.*, b.name as branch, b.code as branch_code, a.branch_id,
       u.email as assignee_email, coalesce(nullif(u.name, ''), u.email, x.who) as assignee
  from action_items x join audits a using (audit_id) join branches b on b.branch_id = a.branch_id
  left join users u on u.user_id = x.assignee_id"""


def actions_list(
    db: Database,
    audit_id: str | None = None,
    branch_ids: set[int] | None = None,
    open_only: bool = False,
    state: str | None = None,
    today: str | None = None,
) -> list[dict]:
    """Action items, soonest due first. state: open, overdue (open and due before today), done or
    verified."""
    where, params = [], []
    if audit_id:
        where.append("x.audit_id = ?")
        params.append(audit_id)
    if open_only or state in (ACTION_OPEN, "overdue"):
        where.append("x.state = 'open'")
    if state == "overdue":
        where.append("x.due < ?")
        params.append(today)
    if state in (ACTION_DONE, ACTION_VERIFIED):
        where.append("x.state = ?")
        params.append(state)
    clause, ids = in_list("a.branch_id", branch_ids)
    where.append(clause)
    params.extend(ids)
    return list(
        db.query(
            _ACTION_SELECT
            + (" where " + " and ".join(where) if where else "")
            + " order by x.due, x.action_id",
            params,
        )
    )


def published_for_manager(db: Database, user: dict) -> list[dict]:
    """The published audits of the manager's branches, newest visit first."""
    branch_ids = org_store.manager_branch_ids(db, user["user_id"])
    if not branch_ids:
        return []
    branches, ids = in_list("a.branch_id", branch_ids)
    return list(
        db.query(
            f"""select a.audit_id, a.visited_at, a.percent, a.passed, a.critical_failure, a.published_at,
                       a.acknowledged_at, b.name as branch, b.code as branch_code, c.title as checklist
                  from audits a join branches b using (branch_id) join checklists c using (checklist_id)
                 where a.status = 'published' and {branches}
                 order by a.visited_utc desc, a.audit_id""",
            ids,
        )
    )


def trail(db: Database, audit: dict, hide_shopper: bool, checklist: Checklist | None = None) -> list[dict]:
    """The trail of an audit, oldest first. With hide_shopper (for the branch) whoever did this
    audit is "Auditor": anonymity follows from who did the audit, not from anyone's role today.
    With the audit's checklist, each entry also says in `changes` what changed, from what to what."""
    rows = db.query(
        """select t.entry_id, t.at, t.action, t.reason, t.before, t.after, t.user_id, u.name, u.email
             from audit_trail t left join users u on u.user_id = t.user_id
            where t.audit_id = ? order by t.entry_id""",
        [audit["audit_id"]],
    )
    entries = []
    for row in rows:
        shopper = hide_shopper and row["user_id"] == audit["auditor_id"]
        who = "Auditor" if shopper else (row["name"] or row["email"] or "system")
        entry = {**row, "who": who, "email": None if hide_shopper else row["email"]}
        if checklist is not None:
            entry["changes"] = change_lines(checklist, _loads(row["before"]), _loads(row["after"]))
        entries.append(entry)
    return entries
