"""Bulk import of branches, employees and users: what a checked CSV file would change, and applying
it all or nothing. Importing the same file again changes nothing."""

from sqlite_utils import Database

from db import transaction
from errors import AppError
from org import accounts, store
from org.csvimport import BRANCHES, EMPLOYEES, ImportProblems, Row, parse

_BRANCH_FIELDS = ("name", "region", "address", "active", "staff_informed", "protect_lone_staff")


def _branch_change(db: Database, row: Row) -> dict:
    values = row.values
    branch_id = store.branch_id_by_code(db, values["code"])
    if branch_id is None:
        fields = {k: values[k] for k in _BRANCH_FIELDS if k in values}
        return {"line": row.line, "action": "create", "key": values["code"], "changes": fields}
    current = store.get_branch(db, branch_id)
    changes = {k: values[k] for k in _BRANCH_FIELDS if k in values and values[k] != current[k]}
    return {
        "line": row.line,
        "action": "update" if changes else "unchanged",
        "key": values["code"],
        "id": branch_id,
        "changes": {k: [current[k], v] for k, v in changes.items()},
        "new": changes,
    }


def _employee_change(db: Database, row: Row, problems: dict) -> dict | None:
    values = row.values
    branch_id = store.branch_id_by_code(db, values["branch_code"])
    if branch_id is None:
        problems[f"line {row.line}.branch_code"] = [f"No branch has the code {values['branch_code']!r}."]
        return None
    key = f"{values['branch_code']} / {values['name']}"
    existing = [e for e in store.list_employees(db, branch_id) if e["name"] == values["name"]]
    if not existing:
        return {
            "line": row.line,
            "action": "create",
            "key": key,
            "branch_id": branch_id,
            "changes": {"name": values["name"], "active": values.get("active", True)},
        }
    employee = existing[0]
    changes = (
        {"active": values["active"]} if "active" in values and values["active"] != employee["active"] else {}
    )
    return {
        "line": row.line,
        "action": "update" if changes else "unchanged",
        "key": key,
        "id": employee["employee_id"],
        "changes": {k: [employee[k], v] for k, v in changes.items()},
        "new": changes,
    }


def _user_change(db: Database, row: Row, problems: dict) -> dict | None:
    values = row.values
    branch_ids = []
    for code in values.get("branches", []):
        branch_id = store.branch_id_by_code(db, code)
        if branch_id is None:
            problems.setdefault(f"line {row.line}.branches", []).append(f"No branch has the code {code!r}.")
        branch_ids.append(branch_id)
    if f"line {row.line}.branches" in problems:
        return None
    user = store.user_by_email(db, values["email"])
    wanted = {"role": values["role"], "branch_ids": sorted(branch_ids)}
    if "name" in values:
        wanted["name"] = values["name"]
    if user is None:
        return {"line": row.line, "action": "create", "key": values["email"], "changes": wanted}
    changes = {k: v for k, v in wanted.items() if v != user[k]}
    return {
        "line": row.line,
        "action": "update" if changes else "unchanged",
        "key": values["email"],
        "id": user["user_id"],
        "changes": {k: [user[k], v] for k, v in changes.items()},
        "new": changes,
    }


def _changes(db: Database, kind: str, rows: list[Row]) -> list[dict]:
    problems: dict[str, list[str]] = {}
    if kind == BRANCHES:
        changes = [_branch_change(db, row) for row in rows]
    elif kind == EMPLOYEES:
        changes = [_employee_change(db, row, problems) for row in rows]
    else:
        changes = [_user_change(db, row, problems) for row in rows]
    if problems:
        raise ImportProblems(problems)
    return changes


def _apply(db: Database, kind: str, change: dict) -> None:
    if change["action"] == "unchanged":
        return
    values = change["changes"] if change["action"] == "create" else change["new"]
    if kind == BRANCHES:
        if change["action"] == "create":
            store.create_branch(db, change["key"], **values)
        else:
            store.update_branch(db, change["id"], **values)
    elif kind == EMPLOYEES:
        if change["action"] == "create":
            employee_id = store.create_employee(db, change["branch_id"], values["name"])
            if not values["active"]:
                store.update_employee(db, employee_id, values["name"], False)
        else:
            employee = store.get_employee(db, change["id"])
            store.update_employee(db, change["id"], employee["name"], values["active"])
    elif change["action"] == "create":
        accounts.invite(db, change["key"], values["role"], values.get("name", ""), values["branch_ids"])
    else:
        user = store.get_user(db, change["id"])
        role = values.get("role", user["role"])
        branch_ids = values.get("branch_ids", user["branch_ids"])
        store.update_user(
            db, user["user_id"], values.get("name", user["name"]), role, user["active"], branch_ids
        )


def import_csv(db: Database, kind: str, data: bytes, dry_run: bool = False) -> dict:
    """Check a CSV file and (unless dry_run) apply it in one transaction. Returns the counts and each
    line's change; 422 naming every bad line and column, with nothing stored."""
    try:
        rows = parse(kind, data)
        with transaction(db):
            changes = _changes(db, kind, rows)
            if not dry_run:
                for change in changes:
                    _apply(db, kind, change)
    except ImportProblems as exc:
        lines = len({path.split(".")[0] for path in exc.problems if path.startswith("line ")})
        what = f"{lines} line(s) have problems" if lines else "The file cannot be read"
        raise AppError(f"{what}; nothing was imported.", 422, exc.problems) from None
    counts = {
        action: sum(c["action"] == action for c in changes) for action in ("create", "update", "unchanged")
    }
    return {
        "kind": kind,
        "dry_run": dry_run,
        "created": counts["create"],
        "updated": counts["update"],
        "unchanged": counts["unchanged"],
        "changes": [{k: c[k] for k in ("line", "action", "key", "changes")} for c in changes],
    }
