"""Recurring schedules and the plan of a period: storage around the pure planner."""

import json
from datetime import date, timedelta

from sqlite_utils import Database

from audits import notices, planner
from audits import store as audits_store
from checklists.store import find_checklist
from db import now, transaction
from errors import AppError
from org import store as org_store
from org.roles import AUDITOR


def create_schedule(
    db: Database,
    checklist_id: str,
    visits: int,
    every: str,
    branch_ids: list[int] | None = None,
    region: str | None = None,
    rotation_days: int = audits_store.DEFAULT_ROTATION_DAYS,
    user_id: int | None = None,
) -> int:
    """Store a schedule over a list of branches or a whole region; 422 naming what does not exist."""
    problems: dict[str, list[str]] = {}
    if find_checklist(db, checklist_id) is None:
        problems["checklist_id"] = [f"Checklist {checklist_id!r} does not exist."]
    region_id = None
    if region is not None:
        rows = list(db.query("select region_id from regions where name = ?", [region.strip()]))
        if rows:
            region_id = rows[0]["region_id"]
        else:
            problems["region"] = [f"Region {region!r} does not exist."]
    for index, branch_id in enumerate(branch_ids or []):
        if not db["branches"].count_where("branch_id = ?", [branch_id]):
            problems[f"branch_ids[{index}]"] = [f"Branch {branch_id} does not exist."]
    if problems:
        raise AppError("The schedule names things that do not exist; nothing was stored.", 422, problems)
    return (
        db["schedules"]
        .insert(
            {
                "checklist_id": checklist_id,
                "branch_ids": None if branch_ids is None else json.dumps(sorted(set(branch_ids))),
                "region_id": region_id,
                "visits": visits,
                "every": every,
                "rotation_days": rotation_days,
                "created_at": now(),
                "created_by": user_id,
            }
        )
        .last_pk
    )


def _schedule_row(row: dict) -> dict:
    return {
        **row,
        "branch_ids": None if row["branch_ids"] is None else json.loads(row["branch_ids"]),
        "active": bool(row["active"]),
    }


_SCHEDULE_SELECT = """select s.*, r.name as region, c.title as checklist from schedules s
  join checklists c using (checklist_id) left join regions r on r.region_id = s.region_id"""


def list_schedules(db: Database, active_only: bool = True) -> list[dict]:
    sql = _SCHEDULE_SELECT + (" where s.active" if active_only else "") + " order by s.schedule_id"
    return [_schedule_row(r) for r in db.query(sql)]


def get_schedule(db: Database, schedule_id: int) -> dict:
    rows = list(db.query(_SCHEDULE_SELECT + " where s.schedule_id = ?", [schedule_id]))
    if not rows:
        raise AppError(f"Schedule {schedule_id} does not exist.", 404)
    return _schedule_row(rows[0])


def stop_schedule(db: Database, schedule_id: int) -> None:
    """Stop planning from a schedule; the visits it planned stay."""
    get_schedule(db, schedule_id)
    db["schedules"].update(schedule_id, {"active": 0})


def schedule_branch_ids(db: Database, schedule: dict) -> list[int]:
    """The active branches a schedule visits now (a region's branches as they are today)."""
    if schedule["region_id"] is not None:
        branches = org_store.list_branches(db, region_id=schedule["region_id"])
    else:
        branches = org_store.list_branches(db, set(schedule["branch_ids"] or []))
    return sorted(b["branch_id"] for b in branches if b["active"])


def _auditors(db: Database) -> list[dict]:
    return list(
        db.query(
            "select user_id, email, name from users where role = ? and active order by user_id", [AUDITOR]
        )
    )


def _period_load(db: Database, period: planner.Period) -> dict[int, int]:
    rows = db.query(
        """select auditor_id, count(*) as n from assignments
            where cancelled_at is null and due_by between ? and ? group by auditor_id""",
        [period.start.isoformat(), period.end.isoformat()],
    )
    return {r["auditor_id"]: r["n"] for r in rows}


def _plan(db: Database, period_key: str) -> list[dict]:
    """The visits still to create for `period_key` from every active schedule."""
    auditors = _auditors(db)
    emails = {a["user_id"]: a["email"] for a in auditors}
    branch_names = {b["branch_id"]: b for b in org_store.list_branches(db)}
    rows: list[dict] = []
    extra_load: dict[tuple[str, int], int] = {}
    extra_days: dict[tuple[int, int], list] = {}
    for schedule in list_schedules(db):
        branch_ids = schedule_branch_ids(db, schedule)
        for period in planner.schedule_periods(schedule["every"], period_key):
            existing = list(
                db.query(
                    "select branch_id, slot, auditor_id, cancelled_at from assignments "
                    "where schedule_id = ? and period = ?",
                    [schedule["schedule_id"], period.key],
                )
            )
            slots_left = {b: set(range(schedule["visits"])) for b in branch_ids}
            taken: dict[int, set[int]] = {}
            for row in existing:
                slots_left.get(row["branch_id"], set()).discard(row["slot"])
                if row["cancelled_at"] is None:
                    taken.setdefault(row["branch_id"], set()).add(row["auditor_id"])
            demand = {b: len(slots) for b, slots in slots_left.items() if slots}
            if not demand:
                continue
            rotation = schedule["rotation_days"]
            window = timedelta(days=rotation)
            stored = audits_store.visit_days(
                db, demand, (period.start - window).isoformat(), (period.end + window).isoformat()
            )
            history = {key: [date.fromisoformat(d) for d in days] for key, days in stored.items()}
            for key, days in extra_days.items():
                history.setdefault(key, []).extend(days)
            load = _period_load(db, period)
            for (key, auditor_id), n in extra_load.items():
                if key == period.key:
                    load[auditor_id] = load.get(auditor_id, 0) + n
            chosen = planner.plan(demand, list(emails), history, period.end, rotation, load=load, taken=taken)
            for branch_id, picked in sorted(chosen.items()):
                for slot, auditor_id in zip(sorted(slots_left[branch_id]), picked, strict=False):
                    kept = not planner.breaks_rotation(
                        history.get((auditor_id, branch_id), ()), period.end, rotation
                    )
                    rows.append(
                        {
                            "schedule_id": schedule["schedule_id"],
                            "period": period.key,
                            "slot": slot,
                            "branch_id": branch_id,
                            "branch": branch_names[branch_id]["name"],
                            "branch_code": branch_names[branch_id]["code"],
                            "checklist_id": schedule["checklist_id"],
                            "auditor_id": auditor_id,
                            "auditor": emails[auditor_id],
                            "due_from": period.start.isoformat(),
                            "due": period.end.isoformat(),
                            "rotation_kept": kept,
                        }
                    )
                    extra_load[(period.key, auditor_id)] = extra_load.get((period.key, auditor_id), 0) + 1
                    extra_days.setdefault((auditor_id, branch_id), []).append(period.end)
    return rows


def plan_visits(
    db: Database, period_key: str, dry_run: bool = False, user_id: int | None = None
) -> list[dict]:
    """Plan the visits of a period from every schedule; a dry run stores nothing. A second run
    creates nothing (each schedule, period, branch and slot is planned once). Each auditor is
    mailed the visits created for them."""
    try:
        planner.schedule_periods(planner.MONTH, period_key)
    except planner.PeriodError as exc:
        raise AppError(str(exc), 422, {"period": [str(exc)]}) from None
    if not _auditors(db) and list_schedules(db):
        raise AppError("There is no active auditor to plan visits for.", 409)
    if dry_run:
        return _plan(db, period_key)
    with transaction(db):
        rows = _plan(db, period_key)
        for row in rows:
            row["id"] = assign_visit(
                db,
                branch_id=row["branch_id"],
                checklist_id=row["checklist_id"],
                auditor_id=row["auditor_id"],
                due_from=row["due_from"],
                due_by=row["due"],
                notes="",
                user_id=user_id,
                planned={"schedule_id": row["schedule_id"], "period": row["period"], "slot": row["slot"]},
            )
    return rows


# One visit at a time


def assign_visit(db: Database, **visit) -> int:
    """Assign a visit (the arguments of store.create_assignment, by name) and mail its auditor; its id."""
    with transaction(db):
        assignment_id = audits_store.create_assignment(db, **visit)
        notices.visit_assigned(db, audits_store.get_assignment(db, assignment_id))
    return assignment_id


def change_assignment(
    db: Database, row: dict, auditor_id: int | None, due_by: str | None
) -> tuple[dict, bool]:
    """Reassign a visit (a saved draft moves along) or move its due date, mailing the auditor when
    either changed; the updated assignment and whether it moved to another auditor."""
    with transaction(db):
        updated, moved = audits_store.reassign(db, row["assignment_id"], auditor_id, due_by)
        if moved or (due_by and due_by != row["due_by"]):
            notices.visit_assigned(db, updated)
    return updated, moved


def assignment_groups(rows: list[dict], today: str) -> dict[str, list[dict]]:
    """Assignments (none cancelled) as head office's list shows them: overdue, upcoming, done."""
    groups: dict[str, list[dict]] = {"Overdue": [], "Upcoming": [], "Done": []}
    names = {"overdue": "Overdue", "open": "Upcoming", "done": "Done"}
    for row in rows:
        groups[names[audits_store.assignment_state(row, today)]].append(row)
    return groups
