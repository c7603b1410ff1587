"""The mails of audits: who is told what, with a link to the page it is about.

Each event mails once (its dedupe key). Mails to a branch never name the shopper.
"""

from datetime import date

from sqlite_utils import Database

from checklists.scoring import format_percent
from mail import queue_mail
from org import store as org_store
from org.roles import ADMIN, MANAGER, REVIEWER


def _branch_managers(db: Database, branch_id: int) -> list[dict]:
    return list(
        db.query(
            """select u.user_id, u.email, u.name from manager_branches m join users u using (user_id)
                where m.branch_id = ? and u.active and u.role = ? order by u.email""",
            [branch_id, MANAGER],
        )
    )


def _office(db: Database) -> list[dict]:
    return list(
        db.query(
            "select user_id, email, name from users where active and role in (?, ?) order by email",
            [REVIEWER, ADMIN],
        )
    )


def visit_assigned(db: Database, assignment: dict) -> None:
    """Tell the auditor about a visit assigned (or reassigned) to them."""
    auditor = org_store.get_user(db, assignment["auditor_id"])
    window = f"{assignment['due_from']} to {assignment['due_by']}" if assignment["due_from"] else ""
    queue_mail(
        db,
        f"assigned:{assignment['assignment_id']}:{auditor['user_id']}:{assignment['due_by']}",
        auditor["email"],
        f"Visit assigned: {assignment['branch']} by {assignment['due_by']}",
        f"Hello {auditor['name'] or auditor['email']},\n\n"
        f"You have a visit to make: {assignment['branch']} ({assignment['branch_code']}), "
        f"checklist {assignment['checklist']}, due by {assignment['due_by']}"
        + (f" (window {window})" if window else "")
        + ".\n\n"
        + (f"Scenario: {assignment['notes']}\n\n" if assignment.get("notes") else ""),
        f"/audits/{assignment['audit_id']}/form",
    )


def audit_returned(db: Database, audit: dict, reason: str, at: str) -> None:
    auditor = org_store.get_user(db, audit["auditor_id"])
    branch = org_store.get_branch(db, audit["branch_id"])
    queue_mail(
        db,
        f"returned:{audit['audit_id']}:{at}",
        auditor["email"],
        f"Audit returned: {branch['name']}",
        f"Your audit of {branch['name']} visited on {audit['visited_at'][:10]} was returned by head "
        f"office.\n\nReason: {reason}\n\nPlease correct it and submit it again.",
        f"/audits/{audit['audit_id']}/form",
    )


def audit_published(db: Database, audit: dict) -> None:
    """Tell the branch's managers a result is out; the shopper is never named."""
    branch = org_store.get_branch(db, audit["branch_id"])
    for manager in _branch_managers(db, audit["branch_id"]):
        queue_mail(
            db,
            f"published:{audit['audit_id']}:{manager['user_id']}",
            manager["email"],
            f"New audit result: {branch['name']}",
            f"A new audit of {branch['name']} ({branch['code']}), visited on {audit['visited_at'][:10]}, "
            f"is published: {format_percent(audit['percent'])}.\n\n"
            "Read it, acknowledge it, and add an action plan for what lost points.",
            f"/audits/{audit['audit_id']}",
        )


def appeal_filed(db: Database, audit: dict, appeal_ids: list[int]) -> None:
    """Tell head office's reviewers that a branch appealed."""
    branch = org_store.get_branch(db, audit["branch_id"])
    for person in _office(db):
        queue_mail(
            db,
            f"appeal-filed:{min(appeal_ids)}:{person['user_id']}",
            person["email"],
            f"Appeal filed: {branch['name']}",
            f"{branch['name']} ({branch['code']}) appealed {len(appeal_ids)} item(s) of the audit visited on "
            f"{audit['visited_at'][:10]}. Please decide within the appeal period.",
            f"/audits/{audit['audit_id']}",
        )


def appeal_decided(db: Database, appeal: dict) -> None:
    """Tell the manager who appealed what was decided."""
    manager = org_store.get_user(db, appeal["opened_by"])
    queue_mail(
        db,
        f"appeal-decided:{appeal['appeal_id']}",
        manager["email"],
        f"Appeal {appeal['status']}: item {appeal['item_id']}",
        f"Your appeal on item {appeal['item_id']} was {appeal['status']}.\n\n"
        f"Reason: {appeal['decision_reason']}\n\n"
        f"Score before: {appeal['percent_before']}%, after: {appeal['percent_after']}%.",
        f"/audits/{appeal['audit_id']}",
    )


def action_assigned(db: Database, action: dict, assignee: dict) -> None:
    queue_mail(
        db,
        f"action-assigned:{action['action_id']}:{assignee['user_id']}",
        assignee["email"],
        f"Action for you: {action['what'][:60]}",
        f'An action for {action["branch"]} was given to you: "{action["what"]}", due by {action["due"]}.\n\n'
        "When it is done, mark it done with a note (and a photo as proof if you have one).",
        f"/actions/{action['action_id']}",
    )


def action_reminders(db: Database, today: date) -> int:
    """Mail assignees of open action items due today or overdue (each once per state); return how
    many mails were queued."""
    rows = db.query(
        """select x.action_id, x.audit_id, x.what, x.due, u.email, u.name, b.name as branch
             from action_items x join users u on u.user_id = x.assignee_id
             join audits a on a.audit_id = x.audit_id join branches b on b.branch_id = a.branch_id
            where x.state = 'open' and x.due <= ? and u.active
              and not exists (select 1 from mail_queue q where q.dedupe_key =
                  (case when x.due < ? then 'action-overdue:' else 'action-due:' end) || x.action_id)""",
        [today.isoformat(), today.isoformat()],
    )
    queued = 0
    for row in list(rows):
        overdue = row["due"] < today.isoformat()
        kind = "overdue" if overdue else "due"
        queued += queue_mail(
            db,
            f"action-{kind}:{row['action_id']}",
            row["email"],
            f"Action {'overdue' if overdue else 'due today'}: {row['what'][:60]}",
            f'The action for {row["branch"]} assigned to you, "{row["what"]}", '
            + (f"was due on {row['due']} and is not done yet." if overdue else "is due today.")
            + "\n\nMark it done with a note (and a photo as proof if you have one).",
            f"/actions/{row['action_id']}",
        )
    return queued
