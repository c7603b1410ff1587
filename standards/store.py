"""Reads and writes of the standards catalogue (every change a kept version) and of quizzes,
their single-use invitations and results."""

import hashlib
import json
import secrets
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

from sqlite_utils import Database

from db import in_list, now, transaction
from errors import AppError
from org import store as org_store
from standards.quizzes import Grade, check_quiz

INVITATION_DAYS = 14
FIELDS = ("title", "text", "category", "effective_date")


# The catalogue


def list_standards(db: Database) -> list[dict]:
    """Every standard, by category (in the order the catalogue first used them) and code."""
    return list(
        db.query(
            """select s.* from standards s order by
                 (select min(c.standard_id) from standards c where c.category = s.category), s.code"""
        )
    )


def codes(db: Database) -> dict[str, str]:
    """Every code with its title."""
    return {r["code"]: r["title"] for r in db.query("select code, title from standards order by code")}


def find_standard(db: Database, code: str) -> dict | None:
    rows = list(db.query("select * from standards where code = ?", [code]))
    return rows[0] if rows else None


def get_standard(db: Database, code: str) -> dict:
    standard = find_standard(db, code)
    if standard is None:
        raise AppError(f"Standard {code!r} does not exist.", 404)
    return standard


def _fields(data: dict) -> dict:
    effective = data.get("effective_date") or date.today()
    return {
        "title": data["title"].strip(),
        "text": data["text"].strip(),
        "category": data["category"].strip(),
        "effective_date": effective.isoformat() if isinstance(effective, date) else str(effective),
    }


def _add_version(db: Database, standard: dict, user_id: int | None, stamp: str) -> None:
    db["standard_versions"].insert(
        {
            "standard_id": standard["standard_id"],
            "version": standard["version"],
            "code": standard["code"],
            **{f: standard[f] for f in FIELDS},
            "created_at": stamp,
            "created_by": user_id,
        }
    )


def create_standard(db: Database, data: dict, user_id: int | None = None) -> dict:
    """Store a new standard as version 1; 409 when the code is taken."""
    stamp = now()
    with transaction(db):
        if find_standard(db, data["code"]) is not None:
            raise AppError(
                f"A standard with the code {data['code']!r} already exists.",
                409,
                {"code": [f"{data['code']!r} is already used."]},
            )
        row = {"code": data["code"], **_fields(data), "version": 1, "created_at": stamp, "updated_at": stamp}
        row["standard_id"] = db["standards"].insert(row).last_pk
        _add_version(db, row, user_id, stamp)
    return row


def change_standard(db: Database, code: str, changes: dict, user_id: int | None = None) -> tuple[dict, bool]:
    """Apply changes as a new version unless nothing differs; returns (standard, changed)."""
    if changes.get("code", code) != code:
        raise AppError(
            "A standard's code cannot be changed; create a new standard instead.",
            422,
            {"code": ["Does not match the standard in the URL."]},
        )
    stamp = now()
    with transaction(db):
        standard = get_standard(db, code)
        merged = _fields({**standard, **changes})
        if "effective_date" not in changes:
            merged["effective_date"] = date.today().isoformat()
        content = ("title", "text", "category")
        if all(merged[f] == standard[f] for f in content) and (
            "effective_date" not in changes or merged["effective_date"] == standard["effective_date"]
        ):
            return standard, False
        updated = {**standard, **merged, "version": standard["version"] + 1, "updated_at": stamp}
        db["standards"].update(
            standard["standard_id"], {k: updated[k] for k in (*FIELDS, "version", "updated_at")}
        )
        _add_version(db, updated, user_id, stamp)
    return updated, True


def list_versions(db: Database, code: str) -> list[dict]:
    """Every version of a standard, newest first."""
    standard = get_standard(db, code)
    return list(
        db.query(
            """select v.standard_id, v.version, v.code, v.title, v.text, v.category, v.effective_date,
                      v.created_at, u.email as created_by from standard_versions v
                 left join users u on u.user_id = v.created_by
                where v.standard_id = ? order by v.version desc""",
            [standard["standard_id"]],
        )
    )


def import_standards(
    db: Database, entries: list[dict], user_id: int | None = None
) -> list[tuple[str, int, str]]:
    """Create or change every standard of a validated file in one transaction: all or nothing.
    Returns (code, version, "new" | "changed" | "unchanged") for each."""
    out = []
    with transaction(db):
        for entry in entries:
            if find_standard(db, entry["code"]) is None:
                out.append((entry["code"], create_standard(db, entry, user_id)["version"], "new"))
            else:
                changes = {f: entry[f] for f in FIELDS if f in entry}
                standard, changed = change_standard(db, entry["code"], changes, user_id)
                out.append((entry["code"], standard["version"], "changed" if changed else "unchanged"))
    return out


# Quizzes


def _quiz_row(row: dict) -> dict:
    return {**row, "questions": json.loads(row["questions"])}


def list_quizzes(db: Database) -> list[dict]:
    rows = db.query(
        """select q.*, (select count(*) from quiz_results r where r.quiz_id = q.quiz_id) as results
             from quizzes q order by q.title"""
    )
    return [_quiz_row(r) for r in rows]


def find_quiz(db: Database, quiz_id: str) -> dict | None:
    rows = list(db.query("select * from quizzes where quiz_id = ?", [quiz_id]))
    return _quiz_row(rows[0]) if rows else None


def get_quiz(db: Database, quiz_id: str) -> dict:
    quiz = find_quiz(db, quiz_id)
    if quiz is None:
        raise AppError(f"Quiz {quiz_id!r} does not exist.", 404)
    return quiz


def save_quiz(db: Database, quiz: dict, create: bool) -> None:
    """Store a validated quiz; create refuses an id in use (409), otherwise it must exist (404)."""
    stamp = now()
    with transaction(db):
        check_quiz(quiz, set(codes(db)))
        existing = find_quiz(db, quiz["id"])
        if create and existing is not None:
            raise AppError(
                f"A quiz with the id {quiz['id']!r} already exists.",
                409,
                {"id": [f"{quiz['id']!r} is already used."]},
            )
        if not create and existing is None:
            raise AppError(f"Quiz {quiz['id']!r} does not exist.", 404)
        row = {
            "quiz_id": quiz["id"],
            "title": quiz["title"].strip(),
            "pass_mark": quiz["pass_mark"],
            "questions": json.dumps(quiz["questions"], ensure_ascii=False),
            "updated_at": stamp,
        }
        if existing:
            db["quizzes"].update(quiz["id"], row)
        else:
            db["quizzes"].insert({**row, "created_at": stamp})


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(db: Database, quiz_id: str, employee_id: int, user_id: int | None) -> tuple[str, str]:
    """A single-use link token (256 random bits; only its hash is kept) and its expiry."""
    get_quiz(db, quiz_id)
    employee = org_store.get_employee(db, employee_id)
    branch = org_store.get_branch(db, employee["branch_id"])
    if not branch["staff_informed"]:
        raise AppError(
            f"The staff of {branch['name']} are not informed that they may be tested by name, so no "
            "quiz invitation can be made for them.",
            409,
            {"employee_id": ["The employee's branch does not have informed staff."]},
        )
    if not employee["active"]:
        raise AppError(f"{employee['name']} is no longer active.", 409, {"employee_id": ["Not active."]})
    token = secrets.token_urlsafe(32)
    created = datetime.now(UTC)
    expires = (created + timedelta(days=INVITATION_DAYS)).isoformat(timespec="seconds")
    db["quiz_invitations"].insert(
        {
            "token_hash": _token_hash(token),
            "quiz_id": quiz_id,
            "employee_id": employee_id,
            "created_by": user_id,
            "created_at": created.isoformat(timespec="seconds"),
            "expires_at": expires,
        }
    )
    return token, expires


def open_invitation(db: Database, token: str) -> dict:
    """The invitation of a token with its quiz and employee: 404 unknown, 410 used or expired."""
    rows = list(db.query("select * from quiz_invitations where token_hash = ?", [_token_hash(token)]))
    if not rows:
        raise AppError("This quiz link does not exist. Check that it was copied whole.", 404)
    invitation = rows[0]
    if invitation["used_at"]:
        raise AppError("This quiz link has already been used: each link works once. Thank you!", 410)
    if invitation["expires_at"] < now():
        raise AppError("This quiz link has expired. Ask your manager for a new one.", 410)
    employee = org_store.get_employee(db, invitation["employee_id"])
    return {**invitation, "quiz": get_quiz(db, invitation["quiz_id"]), "employee": employee}


def record_result(db: Database, invitation: dict, result: Grade, chosen: dict[str, int]) -> int:
    """Use the invitation (once: a second post answers 410) and store the result with each answer."""
    stamp = now()
    with transaction(db):
        used = db.execute(
            "update quiz_invitations set used_at = ? where invitation_id = ? and used_at is null",
            [stamp, invitation["invitation_id"]],
        ).rowcount
        if not used:
            raise AppError("This quiz link has already been used: each link works once. Thank you!", 410)
        return store_result(
            db,
            invitation["quiz"],
            invitation["employee_id"],
            result,
            chosen,
            stamp,
            invitation["invitation_id"],
        )


def store_result(
    db,
    quiz: dict,
    employee_id: int,
    result: Grade,
    chosen: dict,
    taken_at: str,
    invitation_id: int | None = None,
) -> int:
    result_id = (
        db["quiz_results"]
        .insert(
            {
                "quiz_id": quiz["quiz_id"],
                "employee_id": employee_id,
                "invitation_id": invitation_id,
                "taken_at": taken_at,
                "period_month": taken_at[:7],
                "correct": result.correct,
                "questions": result.questions,
                "percent_value": float(result.percent),
                "passed": int(result.passed),
            }
        )
        .last_pk
    )
    db["quiz_answers"].insert_all(
        {
            "result_id": result_id,
            "question_id": q["id"],
            "standard_code": q["standard"],
            "chosen": chosen.get(q["id"], -1),
            "correct": int(result.marks[q["id"]]),
        }
        for q in quiz["questions"]
    )
    return result_id


def result_percent(result: dict) -> Fraction:
    """A result's exact percent of correct answers."""
    return Fraction(100 * result["correct"], result["questions"])


def employee_results(db: Database, employee_id: int) -> list[dict]:
    """An employee's quiz results, newest first."""
    return list(
        db.query(
            """select r.*, q.title from quiz_results r join quizzes q using (quiz_id)
                where r.employee_id = ? order by r.taken_at desc, r.result_id desc""",
            [employee_id],
        )
    )


def quiz_results(db: Database, quiz_id: str, branch_ids=None) -> list[dict]:
    """A quiz's results with the employee and branch, newest first (only branch_ids when given)."""
    where, params = "r.quiz_id = ?", [quiz_id]
    clause, ids = in_list("e.branch_id", branch_ids)
    where += f" and {clause}"
    params += ids
    return list(
        db.query(
            f"""select r.*, e.name as employee, b.name as branch from quiz_results r
                  join employees e using (employee_id) join branches b on b.branch_id = e.branch_id
                 where {where} order by r.taken_at desc, r.result_id desc""",
            params,
        )
    )


def period_results(db: Database, months: list[str], branch_ids) -> list[dict]:
    """Quiz results taken in the months by employees of the informed branches among branch_ids,
    with the quiz title and the employee's name, newest first."""
    month_clause, params = in_list("r.period_month", months)
    branch_clause, ids = in_list("e.branch_id", branch_ids)
    return list(
        db.query(
            f"""select r.*, q.title, e.name as employee from quiz_results r
                  join quizzes q using (quiz_id) join employees e using (employee_id)
                  join branches b on b.branch_id = e.branch_id
                 where {month_clause} and {branch_clause} and b.staff_informed
                 order by r.taken_at desc, r.result_id desc""",
            params + ids,
        )
    )


def knowledge(
    db: Database, months: list[str], branch_ids=None, employee_id: int | None = None
) -> dict[str, tuple[int, int]]:
    """Per standard code: (correct answers, answers) to quiz questions in the months, by employees
    of informed branches (of branch_ids when given, or one employee)."""
    month_clause, params = in_list("r.period_month", months)
    where = [month_clause, "b.staff_informed"]
    clause, ids = in_list("e.branch_id", branch_ids)
    where.append(clause)
    params += ids
    if employee_id is not None:
        where.append("r.employee_id = ?")
        params.append(employee_id)
    rows = db.query(
        f"""select a.standard_code, sum(a.correct) as correct, count(*) as answers
              from quiz_answers a join quiz_results r using (result_id)
              join employees e on e.employee_id = r.employee_id join branches b on b.branch_id = e.branch_id
             where {" and ".join(where)} group by a.standard_code""",
        params,
    )
    return {r["standard_code"]: (r["correct"], r["answers"]) for r in rows}
