"""Reads and writes of regions, branches, employees, users and API tokens."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database
from werkzeug.security import check_password_hash, generate_password_hash

from db import forget_cached_pdfs, in_list, now, select_rows, transaction
from errors import AppError
from org.roles import ALL_BRANCHES, MANAGER, ROLES

# Checked against when the email is unknown, so a wrong email costs the same time as a wrong password.
_DUMMY_HASH = generate_password_hash("not a real password")


def _not_found(what: str, key) -> AppError:
    return AppError(f"{what} {key} does not exist.", 404)


# Regions


def list_regions(db: Database) -> list[dict]:
    """Every region with its number of branches, by name."""
    return list(
        db.query(
            """select r.region_id, r.name, count(b.branch_id) as branches
               from regions r left join branches b on b.region_id = r.region_id
               group by r.region_id order by r.name"""
        )
    )


def get_region(db: Database, region_id: int) -> dict:
    rows = list(db.query("select * from regions where region_id = ?", [region_id]))
    if not rows:
        raise _not_found("Region", region_id)
    return rows[0]


def _region_id_by_name(db: Database, name: str) -> int | None:
    rows = list(db.query("select region_id from regions where name = ?", [name]))
    return rows[0]["region_id"] if rows else None


def create_region(db: Database, name: str) -> int:
    name = name.strip()
    if _region_id_by_name(db, name) is not None:
        raise AppError(f"A region named {name!r} already exists.", 409, {"name": ["Already exists."]})
    return db["regions"].insert({"name": name}).last_pk


def ensure_region(db: Database, name: str) -> int:
    """The id of the region with this name, created if it is new."""
    region_id = _region_id_by_name(db, name.strip())
    return region_id if region_id is not None else create_region(db, name)


def rename_region(db: Database, region_id: int, name: str) -> None:
    get_region(db, region_id)
    other = _region_id_by_name(db, name.strip())
    if other is not None and other != region_id:
        raise AppError(f"A region named {name!r} already exists.", 409, {"name": ["Already exists."]})
    db["regions"].update(region_id, {"name": name.strip()})


# Branches

_BRANCH_SELECT = """select b.branch_id, b.code, b.name, b.region_id, r.name as region, b.address,
       b.active, b.staff_informed, b.protect_lone_staff,
       (select count(*) from employees e where e.branch_id = b.branch_id and e.active) as employees
  from branches b join regions r on r.region_id = b.region_id"""


def _branch_row(row: dict) -> dict:
    flags = ("active", "staff_informed", "protect_lone_staff")
    return {**row, **{flag: bool(row[flag]) for flag in flags}}


def list_branches(
    db: Database, branch_ids: set[int] | None = None, region_id: int | None = None
) -> list[dict]:
    """Branches by region and code; only those in branch_ids when it is given."""
    where, params = [], []
    clause, ids = in_list("b.branch_id", branch_ids)
    where.append(clause)
    params.extend(ids)
    if region_id is not None:
        where.append("b.region_id = ?")
        params.append(region_id)
    sql = _BRANCH_SELECT + (" where " + " and ".join(where) if where else "")
    return [_branch_row(r) for r in db.query(sql + " order by r.name, b.code", params)]


def find_branch(db: Database, branch_id: int) -> dict | None:
    """The branch, or None when there is none."""
    rows = select_rows(db, _BRANCH_SELECT + " where b.branch_id = ?", [branch_id])
    return _branch_row(rows[0]) if rows else None


def get_branch(db: Database, branch_id: int) -> dict:
    """The branch; 404 when there is none."""
    branch = find_branch(db, branch_id)
    if branch is None:
        raise _not_found("Branch", branch_id)
    return branch


def branch_id_by_code(db: Database, code: str) -> int | None:
    rows = list(db.query("select branch_id from branches where code = ?", [code]))
    return rows[0]["branch_id"] if rows else None


def _check_code_free(db: Database, code: str, branch_id: int | None = None) -> None:
    other = branch_id_by_code(db, code)
    if other is not None and other != branch_id:
        raise AppError(
            f"Branch code {code!r} is already used.", 409, {"code": [f"{code!r} is already used."]}
        )


def create_branch(
    db: Database,
    code: str,
    name: str,
    region: str,
    address: str = "",
    active: bool = True,
    staff_informed: bool = False,
    protect_lone_staff: bool = False,
) -> int:
    """Create a branch in the named region (created if new); return its id."""
    with transaction(db):
        _check_code_free(db, code)
        region_id = ensure_region(db, region)
        return (
            db["branches"]
            .insert(
                {
                    "code": code,
                    "name": name,
                    "region_id": region_id,
                    "address": address,
                    "active": int(active),
                    "staff_informed": int(staff_informed),
                    "protect_lone_staff": int(protect_lone_staff),
                }
            )
            .last_pk
        )


def update_branch(db: Database, branch_id: int, **changes) -> None:
    """Change a branch's code, name, region (by name), address, active or staff_informed."""
    with transaction(db):
        before = get_branch(db, branch_id)
        if before["staff_informed"] and not changes.get("staff_informed", True):
            forget_cached_pdfs(db)  # cached PDFs name the branch's employees
        if "code" in changes:
            _check_code_free(db, changes["code"], branch_id)
        if "region" in changes:
            changes["region_id"] = ensure_region(db, changes.pop("region"))
        for flag in ("active", "staff_informed", "protect_lone_staff"):
            if flag in changes:
                changes[flag] = int(changes[flag])
        db["branches"].update(branch_id, changes)


# Employees


def list_employees(db: Database, branch_id: int, active_only: bool = False) -> list[dict]:
    sql = "select employee_id, branch_id, name, active from employees where branch_id = ?"
    if active_only:
        sql += " and active"
    rows = db.query(sql + " order by name", [branch_id])
    return [{**r, "active": bool(r["active"])} for r in rows]


def auditor_may_see_staff(db: Database, user_id: int, branch_id: int) -> bool:
    """Whether an auditor needs this branch's staff list: its staff are informed and the auditor has
    a visit there (an assignment or an audit of their own). Shoppers see no other staff names."""
    return bool(
        db.execute(
            """select 1 from branches b where b.branch_id = ? and b.staff_informed and (
                 exists (select 1 from assignments s where s.branch_id = b.branch_id and s.auditor_id = ?)
                 or exists (select 1 from audits a where a.branch_id = b.branch_id and a.auditor_id = ?))""",
            [branch_id, user_id, user_id],
        ).fetchone()
    )


def get_employee(db: Database, employee_id: int) -> dict:
    rows = list(db.query("select * from employees where employee_id = ?", [employee_id]))
    if not rows:
        raise _not_found("Employee", employee_id)
    return {**rows[0], "active": bool(rows[0]["active"])}


def create_employee(db: Database, branch_id: int, name: str) -> int:
    get_branch(db, branch_id)
    return db["employees"].insert({"branch_id": branch_id, "name": name.strip()}).last_pk


def update_employee(db: Database, employee_id: int, name: str, active: bool) -> None:
    get_employee(db, employee_id)
    db["employees"].update(employee_id, {"name": name.strip(), "active": int(active)})


# Users


def _user_row(db: Database, row: dict) -> dict:
    user = {k: v for k, v in row.items() if k != "password_hash"}
    user["active"] = bool(user["active"])
    user["branch_ids"] = manager_branch_ids(db, user["user_id"]) if user["role"] == MANAGER else []
    return user


def list_users(db: Database) -> list[dict]:
    rows = db.query("select * from users order by role, email")
    return [_user_row(db, r) for r in rows]


def find_user(db: Database, user_id: int) -> dict | None:
    """The user (without the password hash), or None when there is none."""
    rows = list(db.query("select * from users where user_id = ?", [user_id]))
    return _user_row(db, rows[0]) if rows else None


def get_user(db: Database, user_id: int) -> dict:
    """The user (without the password hash); 404 when there is none."""
    user = find_user(db, user_id)
    if user is None:
        raise _not_found("User", user_id)
    return user


def user_by_email(db: Database, email: str) -> dict | None:
    rows = list(db.query("select * from users where email = ?", [email.strip().lower()]))
    return _user_row(db, rows[0]) if rows else None


def manager_branch_ids(db: Database, user_id: int) -> list[int]:
    rows = db.query("select branch_id from manager_branches where user_id = ? order by branch_id", [user_id])
    return [r["branch_id"] for r in rows]


def visible_branch_ids(db: Database, user: dict) -> set[int] | None:
    """The branches a user may see: None means all of them."""
    if user["role"] in ALL_BRANCHES:
        return None
    return set(manager_branch_ids(db, user["user_id"]))


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AppError(
            f"Unknown role {role!r}; use one of {', '.join(ROLES)}.", 422, {"role": ["Unknown role."]}
        )


def create_user(
    db: Database,
    email: str,
    role: str,
    password: str,
    name: str = "",
    branch_ids: list[int] = (),
) -> int:
    """Create a user with a hashed password; managers get the given branches."""
    email = email.strip().lower()
    _check_role(role)
    with transaction(db):
        if user_by_email(db, email) is not None:
            raise AppError(f"A user with email {email} already exists.", 409, {"email": ["Already exists."]})
        user_id = (
            db["users"]
            .insert(
                {
                    "email": email,
                    "name": name,
                    "role": role,
                    "password_hash": generate_password_hash(password),
                    "created_at": now(),
                }
            )
            .last_pk
        )
        set_manager_branches(db, user_id, branch_ids if role == MANAGER else [])
    return user_id


def update_user(
    db: Database, user_id: int, name: str, role: str, active: bool, branch_ids: list[int]
) -> None:
    _check_role(role)
    with transaction(db):
        get_user(db, user_id)
        db["users"].update(user_id, {"name": name, "role": role, "active": int(active)})
        set_manager_branches(db, user_id, branch_ids if role == MANAGER else [])


def set_password(db: Database, user_id: int, password: str) -> int:
    """Change the password and end every session of the user; return the new session generation."""
    with transaction(db):
        db["users"].update(user_id, {"password_hash": generate_password_hash(password)})
        return end_sessions(db, user_id)


def end_sessions(db: Database, user_id: int) -> int:
    """End every session of the user (signed cookies cannot be recalled, so their generation
    goes stale); return the new generation, for re-stamping the one session that should survive."""
    with transaction(db):
        db.execute(
            "update users set session_generation = session_generation + 1 where user_id = ?", [user_id]
        )
        return db.execute("select session_generation from users where user_id = ?", [user_id]).fetchone()[0]


def set_manager_branches(db: Database, user_id: int, branch_ids) -> None:
    with transaction(db):
        db.execute("delete from manager_branches where user_id = ?", [user_id])
        for branch_id in sorted(set(branch_ids)):
            get_branch(db, branch_id)
            db["manager_branches"].insert({"user_id": user_id, "branch_id": branch_id})


def authenticate(db: Database, email: str, password: str) -> dict | None:
    """The active user with this email and password, or None; same cost either way."""
    rows = list(db.query("select * from users where email = ?", [email.strip().lower()]))
    row = rows[0] if rows else None
    valid = check_password_hash(row["password_hash"] if row else _DUMMY_HASH, password)
    if row is None or not valid or not row["active"]:
        return None
    return _user_row(db, row)


# API tokens: only a hash is stored; the token itself is shown once. A token may expire; a revoked
# token is deleted. last_used_at is written at most once a minute per token, so reads stay cheap.

LAST_USED_GRANULARITY = timedelta(minutes=1)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(db: Database, user_id: int, days: int | None = None) -> str:
    """A new token for the user, valid for `days` days (None: until revoked); shown only now."""
    token = "vs_" + secrets.token_urlsafe(32)
    expires_at = None
    if days is not None:
        if days < 1:
            raise AppError("A token lives at least one day.", 422, {"days": ["At least 1."]})
        expires_at = (datetime.now(UTC) + timedelta(days=days)).isoformat(timespec="seconds")
    db["api_tokens"].insert(
        {"user_id": user_id, "token_hash": _token_hash(token), "created_at": now(), "expires_at": expires_at}
    )
    return token


def list_tokens(db: Database, user_id: int) -> list[dict]:
    """The user's tokens, newest first (never the token itself)."""
    rows = db.query(
        """select token_id, created_at, last_used_at, expires_at from api_tokens
            where user_id = ? order by token_id desc""",
        [user_id],
    )
    stamp = now()
    return [{**r, "expired": r["expires_at"] is not None and r["expires_at"] <= stamp} for r in rows]


def revoke_tokens(db: Database, user_id: int, token_id: int | None = None) -> int:
    """Revoke one token of the user (404 when it is not theirs), or all of them; return how many."""
    if token_id is None:
        return db.execute("delete from api_tokens where user_id = ?", [user_id]).rowcount
    deleted = db.execute(
        "delete from api_tokens where token_id = ? and user_id = ?", [token_id, user_id]
    ).rowcount
    if not deleted:
        raise _not_found("Token", token_id)
    return deleted


def user_for_token(db: Database, token: str) -> dict | None:
    """The active user of an unexpired token, or None; notes when the token was used."""
    stamp = now()
    rows = select_rows(
        db,
        """select u.*, t.token_id, t.last_used_at as token_last_used
             from api_tokens t join users u on u.user_id = t.user_id
            where t.token_hash = ? and u.active and (t.expires_at is null or t.expires_at > ?)""",
        [_token_hash(token), stamp],
    )
    if not rows:
        return None
    row = rows[0]
    stale = (datetime.now(UTC) - LAST_USED_GRANULARITY).isoformat(timespec="seconds")
    if row["token_last_used"] is None or row["token_last_used"] < stale:
        db.execute("update api_tokens set last_used_at = ? where token_id = ?", [stamp, row["token_id"]])
    return _user_row(db, {k: v for k, v in row.items() if k not in ("token_id", "token_last_used")})
