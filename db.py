"""Opening the SQLite database, its pragmas, and the numbered migrations."""

import os
import sqlite3
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import click
from flask import current_app, g, has_request_context
from flask.cli import with_appcontext
from sqlite_utils import Database, Migrations

migrations = Migrations("visitscore")

# synchronous=FULL: an audit acknowledged with 2xx is evidence people are paid and judged on, so
# it must survive a power cut, not only a crash of the process (which NORMAL already survives in WAL).
PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA synchronous = FULL",
)


PRIVATE_MODE = 0o600


def create_private(path: str) -> None:
    """Create the file readable and writable by its owner only, unless it exists. SQLite gives the
    -wal and -shm files the mode of the database file, so they are private too."""
    if path == ":memory:" or path.startswith("file:"):
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE))
    except FileExistsError:
        pass


def connect(path: str) -> Database:
    """Open the database at path with the pragmas every connection needs; a new file is private (0600).

    Autocommit mode (isolation_level=None): a statement outside transaction() commits at once, so no
    implicit transaction is ever left holding the write lock.
    """
    create_private(path)
    conn = sqlite3.connect(path, timeout=5, check_same_thread=False, isolation_level=None)
    for pragma in PRAGMAS:
        conn.execute(pragma)
    return Database(conn)


@contextmanager
def transaction(db: Database):
    """A write transaction that takes the write lock at its start (BEGIN IMMEDIATE).

    A deferred BEGIN that reads and then writes fails at once with "database is locked" when another
    connection wrote in between; taking the lock first makes it wait (busy timeout) instead.
    Nested use becomes a savepoint.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    else:
        db.execute("COMMIT")


def select_rows(db: Database, sql: str, params=()) -> list[dict]:
    """The rows of a read, as dicts. sqlite-utils' query() runs every read between a SAVEPOINT and a
    RELEASE (so a statement that returns no rows can be undone); a read does not need them, and on
    the paths every request takes (the token check, a draft save) those two statements a read were a
    tenth of the work."""
    cursor = db.execute(sql, params)
    keys = [column[0] for column in cursor.description]
    return [dict(zip(keys, row, strict=True)) for row in cursor]


def in_list(column: str, values) -> tuple[str, list]:
    """The SQL "column in (?, ...)" for values and its parameters, sorted; "0" (false) when empty,
    "1" (no filter) when values is None, as in branch_ids=None for every branch.

    One placeholder a value rather than json_each(?): the planner then knows the list, so a single
    value searches the column's own index (json_each's unknown size can make it pick another).
    """
    if values is None:
        return "1", []
    values = sorted(values)
    return (f"{column} in ({','.join('?' * len(values))})" if values else "0"), values


def fraction_text(value: Fraction) -> str:
    """An exact fraction as the database stores it: "numerator/denominator"."""
    return f"{value.numerator}/{value.denominator}"


def parse_fraction(text: str | None) -> Fraction | None:
    """The exact fraction stored as "numerator/denominator" (None stays None)."""
    if text is None:
        return None
    numerator, denominator = text.split("/")
    return Fraction(int(numerator), int(denominator))


_write_locks: dict[str, threading.Lock] = {}


@contextmanager
def durable_transaction(db: Database):
    """A write transaction that, like synchronous=FULL, returns only once its commit is on disk, but
    syncs the write-ahead log after releasing the write lock rather than while holding it.

    FULL syncs the log inside COMMIT, so concurrent saves wait for the disk one after another; here
    the commit is written with NORMAL (in WAL mode a crash of the process loses nothing, and the
    checksummed log keeps the database intact), then the log file is synced (fdatasync acts on
    the file, whichever descriptor asks), so saves that commit close together share one wait for
    the disk. Nested in another transaction it is that transaction's part and syncs with it.
    """
    if db.conn.in_transaction:
        with transaction(db):
            yield db
        return
    path = getattr(db, "file_path", None)
    if path is None:  # a connection's file never changes: asked once ("" in memory)
        path = db.file_path = db.execute("PRAGMA database_list").fetchone()[2]
    level = db.execute("PRAGMA synchronous").fetchone()[0]  # 2 FULL, 3 EXTRA
    if level >= 2:
        db.execute("PRAGMA synchronous = NORMAL")
    try:
        # Threads of this process take turns here: one wakes the moment the other commits, where
        # SQLite's busy handler would sleep 1, 2, 5, 10... ms between tries.
        with _write_locks.setdefault(path, threading.Lock()), transaction(db):
            yield db
    finally:
        if level >= 2:
            db.execute(f"PRAGMA synchronous = {level}")
    if level >= 2 and path:  # an in-memory database has no log to sync
        _sync_log(path)


def _sync_log(path: str) -> None:
    try:
        fd = os.open(path + "-wal", os.O_RDWR)
    except FileNotFoundError:
        return  # the last connection checkpointed the log into the synced database and removed it
    try:
        (getattr(os, "fdatasync", None) or os.fsync)(fd)  # macOS and Windows have fsync only
    finally:
        os.close(fd)


def migrate(db: Database) -> list[str]:
    """Apply pending migrations; return the names of those applied."""
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    return pending


def now() -> str:
    """The moment stored in rows: UTC, to the second, ISO 8601 (so text order is time order)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


# The rollups keep each branch's rows and, under branch_id 0, the whole company's, so that a report
# of every branch reads one row where it would sum a thousand.
COMPANY = 0
COMPANY_AND_BRANCHES = ("a.branch_id", str(COMPANY))


def roll_up(db: Database, audits: str, params=(), sign: int = 1) -> None:
    """Add (sign 1) or take away (sign -1) the item and section rows of the audits matching the SQL
    condition `audits` (on `a`) to the report rollup, per branch and (branch_id 0) for the whole
    company: called when an audit is published, around a change of a published audit, and by the
    bulk demo loader."""
    for branch in COMPANY_AND_BRANCHES:
        db.execute(
            f"""insert into report_rollup (kind, period_month, checklist_id, part_id, branch_id,
                       checklist_version, n, total, missed)
                select * from (
                  select 'item', a.period_month, a.checklist_id, i.item_id, {branch}, a.checklist_version,
                         {sign} * count(*), 0.0, {sign} * sum(i.lost)
                    from audits a join audit_items i using (audit_id) where {audits}
                   group by 2, 3, 4, 5, 6
                  union all
                  select 'section', a.period_month, a.checklist_id, s.section_id, {branch},
                         a.checklist_version, {sign} * count(s.percent_value),
                         {sign} * total(s.percent_value), 0
                    from audits a join audit_sections s using (audit_id) where {audits}
                   group by 2, 3, 4, 5, 6)
                 where true
                on conflict do update set n = n + excluded.n, total = total + excluded.total,
                                          missed = missed + excluded.missed""",
            [*params, *params],
        )


def roll_up_items(db: Database, audits: str, params=(), sign: int = 1) -> None:
    """Add or take away the audits matching `audits` in item_rollup, per branch and (branch_id 0)
    for the whole company: one row per item and fraction scored, and one (item_id '') counting the
    audits."""
    for branch in COMPANY_AND_BRANCHES:
        db.execute(
            f"""insert into item_rollup (period_month, checklist_id, item_id, checklist_version, fraction,
                       branch_id, n)
                select * from (
                  select a.period_month, a.checklist_id, i.item_id, a.checklist_version, i.fraction, {branch},
                         {sign} * count(*)
                    from audits a join audit_items i using (audit_id) where {audits}
                   group by 1, 2, 3, 4, 5, 6
                  union all
                  select a.period_month, a.checklist_id, '', a.checklist_version, '', {branch},
                         {sign} * count(*)
                    from audits a where {audits}
                   group by 1, 2, 4, 6)
                 where true
                on conflict do update set n = n + excluded.n""",
            [*params, *params],
        )


def roll_up_branches(db: Database, audits: str, params=(), sign: int = 1) -> None:
    """Add or take away the audits matching `audits` in branch_rollup: per month, branch and
    checklist, and under checklist_id '' for every checklist together, the audits, those scored,
    the sum and sum of squares of their full-precision percents, passes and critical failures."""
    figures = f"""{sign} * count(*), {sign} * count(a.percent_value), {sign} * total(a.percent_value),
                  {sign} * total(a.percent_value * a.percent_value),
                  {sign} * count(case when a.percent_value is not null and a.passed then 1 end),
                  {sign} * count(case when a.critical_failure then 1 end)"""
    db.execute(
        f"""insert into branch_rollup (period_month, branch_id, checklist_id, audits, scored, total,
                   squares, passed, critical)
            select * from (
              select a.period_month, a.branch_id, a.checklist_id, {figures} from audits a where {audits}
               group by 1, 2, 3
              union all
              select a.period_month, a.branch_id, '', {figures} from audits a where {audits}
               group by 1, 2)
             where true
            on conflict do update set
              audits = audits + excluded.audits, scored = scored + excluded.scored,
              total = total + excluded.total, squares = squares + excluded.squares,
              passed = passed + excluded.passed, critical = critical + excluded.critical""",
        [*params, *params],
    )


# An n/d text of the scoring engine as a float, in SQL.
_FLOAT_OF_FRACTION = (
    "(cast(substr({0}, 1, instr({0}, '/') - 1) as real) / cast(substr({0}, instr({0}, '/') + 1) as real))"
)


def roll_up_employees(db: Database, audits: str, params=(), sign: int = 1) -> None:
    """Add or take away the audits matching `audits` in employee_rollup: per month, employee named
    and lone-staff branch (the audit's branch when one employee was on duty, else 0), the count of
    audits, of scored ones, and the sum and sum of squares of the employee's percent in each: the
    section's own full-precision percent when one section names them, else the pooled float
    earned / possible of those sections."""
    earned, possible = _FLOAT_OF_FRACTION.format("s.earned"), _FLOAT_OF_FRACTION.format("s.possible")
    db.execute(
        f"""insert into employee_rollup (period_month, employee_id, lone_branch_id, audits, scored, total,
                   squares)
            select period_month, employee_id, lone_branch_id, {sign} * count(*), {sign} * count(percent),
                   {sign} * total(percent), {sign} * total(percent * percent)
              from (select a.period_month, s.employee_id,
                           case when a.staff_on_duty = 1 then a.branch_id else 0 end as lone_branch_id,
                           case when count(*) = 1 then max(s.percent_value)
                                when total({possible}) > 0 then 100 * total({earned}) / total({possible})
                           end as percent
                      from audits a join audit_sections s using (audit_id)
                     where {audits} and s.employee_id is not null
                     group by a.audit_id, s.employee_id)
             group by 1, 2, 3
            on conflict do update set audits = audits + excluded.audits, scored = scored + excluded.scored,
                                      total = total + excluded.total, squares = squares + excluded.squares""",
        params,
    )


def forget_cached_pdfs(db: Database) -> int:
    """Drop every cached PDF, so that names removed from the data vanish from documents too (an
    employee's data purged, a branch's staff no longer informed). Rare; the cache refills on demand."""
    return db.execute("delete from pdf_cache").rowcount


def trim_pdf_cache(db: Database, max_bytes: int, max_age_days: float) -> int:
    """Bound the PDF cache: drop entries older than max_age_days, then the oldest beyond max_bytes."""
    cutoff = (datetime.now(UTC) - timedelta(days=max_age_days)).isoformat(timespec="seconds")
    dropped = db.execute("delete from pdf_cache where created_at < ?", [cutoff]).rowcount
    return (
        dropped
        + db.execute(
            """delete from pdf_cache where cache_key in (
             select cache_key from (
               select cache_key, sum(length(pdf)) over (order by created_at desc, cache_key) as total
                 from pdf_cache)
              where total > ?)""",
            [max_bytes],
        ).rowcount
    )


def _thread_connection(app) -> Database:
    """This server thread's own connection to the app's database, opened once and kept.

    Opening a connection and setting its pragmas costs about as much as a small request, and
    closing the last connection to a WAL database checkpoints the whole log into the database file
    (with synchronous=FULL, an fsync) inside the request that happens to close it. A thread runs one
    request at a time, so its connection is never shared; close_db() ends any transaction a request
    left open. A child process made by fork() opens its own (SQLite connections must not cross a fork).
    """
    kept = app.extensions.setdefault("db_connections", threading.local())
    entry = getattr(kept, "entry", None)
    if entry is None or entry[0] != os.getpid():
        entry = kept.entry = (os.getpid(), connect(app.config["DATABASE"]))
    return entry[1]


def get_db() -> Database:
    """The request's database connection: the server thread's kept one during a request, a fresh one
    (closed at the end of the app context) in CLI commands."""
    if "db" not in g:
        if has_request_context():
            g.db = _thread_connection(current_app)
            g.db_kept = True
        else:
            g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(_exc=None) -> None:
    db = g.pop("db", None)
    if db is None:
        return
    if g.pop("db_kept", False):
        if db.conn.in_transaction:
            db.conn.rollback()  # never let a failed request's half-done work reach the next request
    else:
        db.conn.close()


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the database or bring it up to the newest migration."""
    db = connect(current_app.config["DATABASE"])
    applied = migrate(db)
    db.conn.close()
    click.echo(f"Database ready at {current_app.config['DATABASE']} ({len(applied)} migrations applied).")


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def backup_command(path):
    """Copy the live database to PATH with SQLite's online backup; the copy is private (0600)."""
    source = sqlite3.connect(current_app.config["DATABASE"])
    try:
        create_private(path)
        os.chmod(path, PRIVATE_MODE)  # an existing file is overwritten: it holds the same data now
        target = sqlite3.connect(path)
        with target:
            source.backup(target)
        ok = target.execute("PRAGMA integrity_check").fetchone()[0]
        target.close()
    except (sqlite3.Error, OSError) as exc:
        raise click.ClickException(f"Backup to {path} failed: {exc}") from exc
    finally:
        source.close()
    if ok != "ok":
        raise click.ClickException(f"Backup at {path} failed its integrity check: {ok}")
    click.echo(f"Backed up {current_app.config['DATABASE']} to {path} (integrity ok).")


def init_app(app) -> None:
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
    app.cli.add_command(backup_command)


@migrations()
def m001_organisation(db: Database) -> None:
    db["regions"].create({"region_id": int, "name": str}, pk="region_id", not_null={"name"})
    db["regions"].create_index(["name"], unique=True)
    db["branches"].create(
        {
            "branch_id": int,
            "code": str,
            "name": str,
            "region_id": int,
            "address": str,
            "active": int,
            "staff_informed": int,
        },
        pk="branch_id",
        not_null={"code", "name", "region_id", "active", "staff_informed"},
        defaults={"address": "", "active": 1, "staff_informed": 0},
        foreign_keys=[("region_id", "regions", "region_id")],
    )
    db["branches"].create_index(["code"], unique=True)
    db["branches"].create_index(["region_id"])
    db["employees"].create(
        {"employee_id": int, "branch_id": int, "name": str, "active": int},
        pk="employee_id",
        not_null={"branch_id", "name", "active"},
        defaults={"active": 1},
        foreign_keys=[("branch_id", "branches", "branch_id")],
    )
    db["employees"].create_index(["branch_id"])
    db["users"].create(
        {
            "user_id": int,
            "email": str,
            "name": str,
            "role": str,
            "password_hash": str,
            "active": int,
            "created_at": str,
        },
        pk="user_id",
        not_null={"email", "role", "active"},
        defaults={"name": "", "active": 1},
    )
    db["users"].create_index(["email"], unique=True)
    db["manager_branches"].create(
        {"user_id": int, "branch_id": int},
        pk=("user_id", "branch_id"),
        foreign_keys=[("user_id", "users", "user_id"), ("branch_id", "branches", "branch_id")],
    )
    db["manager_branches"].create_index(["branch_id"])
    db["api_tokens"].create(
        {"token_id": int, "user_id": int, "token_hash": str, "created_at": str, "last_used_at": str},
        pk="token_id",
        not_null={"user_id", "token_hash", "created_at"},
        foreign_keys=[("user_id", "users", "user_id")],
    )
    db["api_tokens"].create_index(["token_hash"], unique=True)


@migrations()
def m002_checklists(db: Database) -> None:
    db["checklists"].create(
        {"checklist_id": str, "title": str, "latest_version": int, "created_at": str, "updated_at": str},
        pk="checklist_id",
        not_null={"title", "latest_version", "created_at", "updated_at"},
    )
    db["checklist_versions"].create(
        {
            "checklist_id": str,
            "version": int,
            "title": str,
            "spec": str,
            "content_hash": str,
            "created_at": str,
            "created_by": int,
        },
        pk=("checklist_id", "version"),
        not_null={"title", "spec", "content_hash", "created_at"},
        foreign_keys=[("checklist_id", "checklists", "checklist_id"), ("created_by", "users", "user_id")],
    )


@migrations()
def m003_audits(db: Database) -> None:
    db["assignments"].create(
        {
            "assignment_id": int,
            "audit_id": str,
            "branch_id": int,
            "checklist_id": str,
            "auditor_id": int,
            "due_from": str,
            "due_by": str,
            "notes": str,
            "created_at": str,
            "created_by": int,
        },
        pk="assignment_id",
        not_null={"audit_id", "branch_id", "checklist_id", "auditor_id", "due_by", "created_at"},
        defaults={"notes": ""},
        foreign_keys=[
            ("branch_id", "branches", "branch_id"),
            ("checklist_id", "checklists", "checklist_id"),
            ("auditor_id", "users", "user_id"),
        ],
    )
    db["assignments"].create_index(["audit_id"], unique=True)
    db["assignments"].create_index(["auditor_id", "due_by"])
    db["audits"].create(
        {
            "audit_id": str,
            "checklist_id": str,
            "checklist_version": int,
            "branch_id": int,
            "auditor_id": int,
            "status": str,
            "revision": int,
            "document": str,
            "document_hash": str,
            "visited_at": str,
            "visited_utc": str,
            "period_month": str,
            "percent": float,
            "percent_exact": str,
            "earned": str,
            "possible": str,
            "passed": int,
            "critical_failure": int,
            "created_at": str,
            "updated_at": str,
            "submitted_at": str,
            "published_at": str,
        },
        pk="audit_id",
        not_null={
            "checklist_id",
            "checklist_version",
            "branch_id",
            "auditor_id",
            "status",
            "revision",
            "document",
            "document_hash",
            "visited_at",
            "visited_utc",
            "period_month",
            "created_at",
            "updated_at",
        },
        foreign_keys=[
            ("branch_id", "branches", "branch_id"),
            ("auditor_id", "users", "user_id"),
        ],
    )
    db.execute("create index audits_checklist_version on audits(checklist_id, checklist_version)")
    db["audits"].create_index(["auditor_id", "status"])
    db["audits"].create_index(["status", "period_month", "branch_id"])
    db["audits"].create_index(["branch_id", "period_month"])
    db["audit_sections"].create(
        {
            "audit_id": str,
            "section_id": str,
            "earned": str,
            "possible": str,
            "percent": float,
            "employee_id": int,
        },
        pk=("audit_id", "section_id"),
        foreign_keys=[("audit_id", "audits", "audit_id"), ("employee_id", "employees", "employee_id")],
    )
    db["audit_sections"].create_index(["employee_id"])
    db["audit_trail"].create(
        {
            "entry_id": int,
            "audit_id": str,
            "at": str,
            "user_id": int,
            "action": str,
            "reason": str,
            "before": str,
            "after": str,
        },
        pk="entry_id",
        not_null={"audit_id", "at", "action"},
        foreign_keys=[("audit_id", "audits", "audit_id"), ("user_id", "users", "user_id")],
    )
    db["audit_trail"].create_index(["audit_id"])
    db["photos"].create(
        {
            "photo_id": str,
            "audit_id": str,
            "uploaded_by": int,
            "content_type": str,
            "width": int,
            "height": int,
            "bytes": int,
            "sha256": str,
            "image": bytes,
            "thumbnail": bytes,
            "created_at": str,
        },
        pk="photo_id",
        not_null={"audit_id", "uploaded_by", "content_type", "image", "thumbnail", "created_at"},
        foreign_keys=[("uploaded_by", "users", "user_id")],
    )
    db["photos"].create_index(["audit_id"])


@migrations()
def m004_review(db: Database) -> None:
    db["audits"].add_column("acknowledged_at", str)
    db["audits"].add_column("returned_reason", str)
    db["appeals"].create(
        {
            "appeal_id": int,
            "audit_id": str,
            "item_id": str,
            "text": str,
            "photos": str,
            "status": str,
            "opened_by": int,
            "opened_at": str,
            "decided_by": int,
            "decided_at": str,
            "decision_reason": str,
            "answer_before": str,
            "answer_after": str,
            "percent_before": float,
            "percent_after": float,
        },
        pk="appeal_id",
        not_null={"audit_id", "item_id", "text", "status", "opened_by", "opened_at"},
        foreign_keys=[("audit_id", "audits", "audit_id"), ("opened_by", "users", "user_id")],
    )
    db["appeals"].create_index(["audit_id"])
    db["appeals"].create_index(["status"])
    db["action_items"].create(
        {
            "action_id": int,
            "audit_id": str,
            "item_id": str,
            "what": str,
            "who": str,
            "due": str,
            "done_at": str,
            "created_by": int,
            "created_at": str,
        },
        pk="action_id",
        not_null={"audit_id", "what", "who", "due", "created_by", "created_at"},
        foreign_keys=[("audit_id", "audits", "audit_id"), ("created_by", "users", "user_id")],
    )
    db["action_items"].create_index(["audit_id"])
    # The audit trail is evidence: no row of it is ever changed or removed.
    for event in ("UPDATE", "DELETE"):
        db.execute(
            f"""create trigger audit_trail_no_{event.lower()} before {event} on audit_trail
                begin select raise(abort, 'the audit trail cannot be changed'); end"""
        )


@migrations()
def m005_audit_items(db: Database) -> None:
    # Each scored item's result, stored with the audit's score so that "most missed standards"
    # never re-scores answers.
    db["audit_items"].create(
        {
            "audit_id": str,
            "item_id": str,
            "section_id": str,
            "status": str,
            "fraction": str,
            "lost": int,
            "failed": int,
        },
        pk=("audit_id", "item_id"),
        foreign_keys=[("audit_id", "audits", "audit_id")],
    )
    db["audit_items"].create_index(["item_id", "lost"])


@migrations()
def m006_pdf_cache(db: Database) -> None:
    db["pdf_cache"].create(
        {"cache_key": str, "pdf": bytes, "created_at": str}, pk="cache_key", not_null={"pdf"}
    )


@migrations()
def m007_percent_values(db: Database) -> None:
    # Full-precision percents beside the exact fractions, so that reports can aggregate in SQL;
    # a mean that falls on a rounding boundary is recomputed exactly (reports/store.py).
    db["audits"].add_column("percent_value", float)
    db["audit_sections"].add_column("percent_value", float)
    for row in list(db.query("select audit_id, percent_exact from audits where percent_exact is not null")):
        db.execute(
            "update audits set percent_value = ? where audit_id = ?",
            [float(parse_fraction(row["percent_exact"])), row["audit_id"]],
        )
    for row in list(db.query("select rowid, earned, possible from audit_sections")):
        possible = parse_fraction(row["possible"])
        if possible:
            value = 100 * float(parse_fraction(row["earned"])) / float(possible)
            db.execute("update audit_sections set percent_value = ? where rowid = ?", [value, row["rowid"]])
    db.execute(
        "create index audits_published_month on audits(status, period_month, branch_id, percent_value)"
    )


@migrations()
def m008_settings(db: Database) -> None:
    db["settings"].create({"key": str, "value": str, "data": bytes}, pk="key")


@migrations()
def m009_lone_staff(db: Database) -> None:
    # A branch may ask that a visit with only one employee on duty stays out of employee comparisons.
    db["branches"].add_column("protect_lone_staff", int, not_null_default=0)
    db["audits"].add_column("staff_on_duty", int)


@migrations()
def m010_session_generation(db: Database) -> None:
    # A session is valid only while it carries its user's current generation: logging out or a
    # password change bumps it, which ends every session signed before (cookies cannot be recalled).
    db["users"].add_column("session_generation", int, not_null_default=0)


@migrations()
def m011_token_expiry(db: Database) -> None:
    # An API token may expire (UTC ISO time); null means it lives until it is revoked.
    db["api_tokens"].add_column("expires_at", str)


@migrations()
def m013_standards(db: Database) -> None:
    # The catalogue of service standards; each change is kept as a version.
    db["standards"].create(
        {
            "standard_id": int,
            "code": str,
            "title": str,
            "text": str,
            "category": str,
            "version": int,
            "effective_date": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="standard_id",
        not_null={
            "code",
            "title",
            "text",
            "category",
            "version",
            "effective_date",
            "created_at",
            "updated_at",
        },
    )
    db["standards"].create_index(["code"], unique=True)
    db["standard_versions"].create(
        {
            "standard_id": int,
            "version": int,
            "code": str,
            "title": str,
            "text": str,
            "category": str,
            "effective_date": str,
            "created_at": str,
            "created_by": int,
        },
        pk=("standard_id", "version"),
        not_null={"code", "title", "text", "category", "effective_date", "created_at"},
        foreign_keys=[("standard_id", "standards", "standard_id"), ("created_by", "users", "user_id")],
    )


@migrations()
def m014_quizzes(db: Database) -> None:
    # Staff knowledge quizzes: the quiz, single-use invitations (only a hash of the token is kept),
    # results, and each answer with the standard its question was on when it was answered.
    db["quizzes"].create(
        {
            "quiz_id": str,
            "title": str,
            "pass_mark": float,
            "questions": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="quiz_id",
        not_null={"title", "pass_mark", "questions", "created_at", "updated_at"},
    )
    db["quiz_invitations"].create(
        {
            "invitation_id": int,
            "token_hash": str,
            "quiz_id": str,
            "employee_id": int,
            "created_by": int,
            "created_at": str,
            "expires_at": str,
            "used_at": str,
        },
        pk="invitation_id",
        not_null={"token_hash", "quiz_id", "employee_id", "created_at", "expires_at"},
        foreign_keys=[
            ("quiz_id", "quizzes", "quiz_id"),
            ("employee_id", "employees", "employee_id"),
            ("created_by", "users", "user_id"),
        ],
    )
    db["quiz_invitations"].create_index(["token_hash"], unique=True)
    db["quiz_results"].create(
        {
            "result_id": int,
            "quiz_id": str,
            "employee_id": int,
            "invitation_id": int,
            "taken_at": str,
            "period_month": str,
            "correct": int,
            "questions": int,
            "percent_value": float,
            "passed": int,
        },
        pk="result_id",
        not_null={"quiz_id", "employee_id", "taken_at", "period_month", "correct", "questions", "passed"},
        foreign_keys=[
            ("quiz_id", "quizzes", "quiz_id"),
            ("employee_id", "employees", "employee_id"),
            ("invitation_id", "quiz_invitations", "invitation_id"),
        ],
    )
    db["quiz_results"].create_index(["employee_id", "taken_at"])
    db["quiz_results"].create_index(["period_month"])
    db["quiz_results"].create_index(["invitation_id"], unique=True)
    db["quiz_answers"].create(
        {"result_id": int, "question_id": str, "standard_code": str, "chosen": int, "correct": int},
        pk=("result_id", "question_id"),
        not_null={"standard_code", "chosen", "correct"},
        foreign_keys=[("result_id", "quiz_results", "result_id")],
    )
    db["quiz_answers"].create_index(["standard_code"])


@migrations()
def m015_surveys(db: Database) -> None:
    # Each branch's public survey link (an unguessable token printed on its poster) and the
    # anonymous responses. address_key is a keyed hash of the sender's address, kept only for the
    # hour of the rate limit and then cleared (surveys/store.py), so responses stay anonymous.
    db["survey_links"].create(
        {"branch_id": int, "token": str, "created_at": str},
        pk="branch_id",
        not_null={"token", "created_at"},
        foreign_keys=[("branch_id", "branches", "branch_id")],
    )
    db["survey_links"].create_index(["token"], unique=True)
    db["survey_responses"].create(
        {
            "response_id": int,
            "branch_id": int,
            "score": int,
            "comment": str,
            "created_at": str,
            "period_month": str,
            "address_key": str,
        },
        pk="response_id",
        not_null={"branch_id", "score", "comment", "created_at", "period_month"},
        defaults={"comment": ""},
        foreign_keys=[("branch_id", "branches", "branch_id")],
    )
    db["survey_responses"].create_index(["branch_id", "period_month"])
    db["survey_responses"].create_index(["address_key", "branch_id", "created_at"])


@migrations()
def m016_recordings(db: Database) -> None:
    # Audio evidence of a call review, stored in the database like photos (one file to back up).
    db["recordings"].create(
        {
            "recording_id": str,
            "audit_id": str,
            "uploaded_by": int,
            "content_type": str,
            "bytes": int,
            "sha256": str,
            "audio": bytes,
            "created_at": str,
        },
        pk="recording_id",
        not_null={"audit_id", "uploaded_by", "content_type", "bytes", "sha256", "audio", "created_at"},
        foreign_keys=[("audit_id", "audits", "audit_id"), ("uploaded_by", "users", "user_id")],
    )
    db["recordings"].create_index(["audit_id"])


@migrations()
def m017_kpis(db: Database) -> None:
    # Operational figures defined by head office, and their monthly values per branch.
    db["kpis"].create(
        {"kpi_code": str, "name": str, "unit": str, "better": str, "target": float, "created_at": str},
        pk="kpi_code",
        not_null={"name", "unit", "better", "target", "created_at"},
        defaults={"unit": ""},
    )
    db["kpi_values"].create(
        {"branch_id": int, "kpi_code": str, "period_month": str, "value": float, "imported_at": str},
        pk=("branch_id", "kpi_code", "period_month"),
        not_null={"value", "imported_at"},
        foreign_keys=[("branch_id", "branches", "branch_id"), ("kpi_code", "kpis", "kpi_code")],
    )
    db["kpi_values"].create_index(["kpi_code", "period_month"])


@migrations()
def m018_schedules(db: Database) -> None:
    # Recurring schedules, and what the planner and the office need on each assignment: the
    # schedule and period it was planned for (so a second plan run creates nothing) and cancellation.
    db["schedules"].create(
        {
            "schedule_id": int,
            "checklist_id": str,
            "branch_ids": str,
            "region_id": int,
            "visits": int,
            "every": str,
            "rotation_days": int,
            "active": int,
            "created_at": str,
            "created_by": int,
        },
        pk="schedule_id",
        not_null={"checklist_id", "visits", "every", "rotation_days", "active", "created_at"},
        defaults={"active": 1, "rotation_days": 90},
        foreign_keys=[("checklist_id", "checklists", "checklist_id"), ("region_id", "regions", "region_id")],
    )
    db["assignments"].add_column("schedule_id", int)
    db["assignments"].add_column("period", str)
    db["assignments"].add_column("slot", int)
    db["assignments"].add_column("cancelled_at", str)
    db.execute(
        "create unique index assignments_planned on assignments(schedule_id, period, branch_id, slot) "
        "where schedule_id is not null"
    )
    db["assignments"].create_index(["branch_id", "auditor_id"])


@migrations()
def m019_mail_queue(db: Database) -> None:
    # Mail waits here until the SMTP server took it; dedupe_key makes an event mail at most once.
    db["mail_queue"].create(
        {
            "mail_id": int,
            "dedupe_key": str,
            "recipient": str,
            "subject": str,
            "text_body": str,
            "link": str,
            "created_at": str,
            "attempts": int,
            "next_attempt_at": str,
            "claimed_until": str,
            "sent_at": str,
            "last_error": str,
        },
        pk="mail_id",
        not_null={"dedupe_key", "recipient", "subject", "text_body", "link", "created_at", "attempts"},
        defaults={"attempts": 0},
    )
    db["mail_queue"].create_index(["dedupe_key"], unique=True)
    db.execute("create index mail_queue_pending on mail_queue(next_attempt_at) where sent_at is null")


@migrations()
def m020_account_tokens(db: Database) -> None:
    # Single-use links (invitation, password reset; only a hash is kept) and the rate-limit counters
    # of login and reset, in the database so that every worker process counts the same attempts.
    db["account_tokens"].create(
        {
            "token_hash": str,
            "user_id": int,
            "purpose": str,
            "created_at": str,
            "expires_at": str,
            "used_at": str,
        },
        pk="token_hash",
        not_null={"user_id", "purpose", "created_at", "expires_at"},
        foreign_keys=[("user_id", "users", "user_id")],
    )
    db["account_tokens"].create_index(["user_id"])
    db["rate_limits"].create(
        {"bucket": str, "window_start": str, "hits": int}, pk="bucket", not_null={"window_start", "hits"}
    )


@migrations()
def m021_action_followup(db: Database) -> None:
    # Action items get a real assignee (a user of the branch), a state and the proof of their completion.
    db["action_items"].add_column("assignee_id", int)
    db["action_items"].add_column("state", str, not_null_default="open")
    db["action_items"].add_column("done_note", str)
    db["action_items"].add_column("proof_photo_id", str)
    db["action_items"].add_column("verified_at", str)
    db["action_items"].add_column("verified_by", int)
    db.execute("update action_items set state = 'done' where done_at is not null")
    db["action_items"].create_index(["state", "due"])


@migrations()
def m022_report_index(db: Database) -> None:
    # Every column the league table and trends read from a published audit, in the order they
    # group by (month, then branch), so a year of a 1,000-branch company streams from this index.
    db.execute(
        """create index audits_report on audits(status, period_month, branch_id, percent_value,
           passed, critical_failure, checklist_id)"""
    )


@migrations()
def m023_report_rollup(db: Database) -> None:
    # Per month, branch and checklist version: each item's times scored and missed and each
    # section's count and sum of full-precision percents over the published audits, kept on
    # publish (roll_up above), so most-missed and the heat map read thousands of rows,
    # not millions of answers.
    db.execute(
        """create table report_rollup (
             kind text not null, period_month text not null, checklist_id text not null,
             part_id text not null, branch_id integer not null, checklist_version integer not null,
             n integer not null, total real not null, missed integer not null,
             primary key (kind, period_month, checklist_id, part_id, branch_id, checklist_version)
           ) without rowid"""
    )
    db.execute("create index report_rollup_branch on report_rollup(branch_id, kind, period_month)")
    roll_up(db, "a.status = 'published'")


@migrations()
def m024_item_rollup(db: Database) -> None:
    # Per month, checklist version, item, fraction scored and branch: how many times the published
    # audits scored that item with that fraction (exact, as the engine's n/d text), and under
    # item_id '' how many published audits there were, kept on publish with report_rollup
    # (audits/store.py update_rollups), so compliance per standard pools exact earned/possible over
    # thousands of rows, not millions of answers. In key order a month streams without a sort.
    db.execute(
        """create table item_rollup (
             period_month text not null, checklist_id text not null, item_id text not null,
             checklist_version integer not null, fraction text not null, branch_id integer not null,
             n integer not null,
             primary key (period_month, checklist_id, item_id, checklist_version, fraction, branch_id)
           ) without rowid"""
    )
    db.execute("create index item_rollup_branch on item_rollup(branch_id, period_month)")
    roll_up_items(db, "a.status = 'published'")


@migrations()
def m025_one_exact_score(db: Database) -> None:
    # An audit keeps one exact record of its score, the engine's earned and possible points (n/d);
    # percent (one decimal, for display) and percent_value (full precision, for means in SQL and
    # the report index) are derived from the engine's exact percent when it is written.
    # percent_exact repeated that percent and was read by nothing but m007.
    db.execute("alter table audits drop column percent_exact")


@migrations()
def m026_branch_rollup(db: Database) -> None:
    # Per month, branch and checklist (checklist_id '': all checklists): the published audits'
    # counts, the sum and sum of squares of their full-precision percents, passes and critical
    # failures, kept on publish with the other rollups (audits/store.py update_rollups), so the
    # league table, its intervals and the trends read one row per branch and month, not every
    # audit. In key order a month streams by branch.
    db.execute(
        """create table branch_rollup (
             period_month text not null, branch_id integer not null, checklist_id text not null,
             audits integer not null, scored integer not null, total real not null, squares real not null,
             passed integer not null, critical integer not null,
             primary key (period_month, branch_id, checklist_id)
           ) without rowid"""
    )
    roll_up_branches(db, "a.status = 'published'")


@migrations()
def m027_company_rollup_rows(db: Database) -> None:
    # The whole company's rows (branch_id 0) in report_rollup and item_rollup, kept on publish by
    # roll_up and roll_up_items, so that most missed, compliance per standard and the company's
    # section means read one row per month and item, not one per branch. Rebuilt from the branch
    # rows: upgrading a database that ran m023 or m024 just now has made some already.
    db.execute("delete from report_rollup where branch_id = ?", [COMPANY])
    db.execute(
        """insert into report_rollup (kind, period_month, checklist_id, part_id, branch_id,
                   checklist_version, n, total, missed)
           select kind, period_month, checklist_id, part_id, ?, checklist_version, sum(n), total(total),
                  sum(missed)
             from report_rollup group by kind, period_month, checklist_id, part_id, checklist_version""",
        [COMPANY],
    )
    db.execute("delete from item_rollup where branch_id = ?", [COMPANY])
    db.execute(
        """insert into item_rollup (period_month, checklist_id, item_id, checklist_version, fraction,
                   branch_id, n)
           select period_month, checklist_id, item_id, checklist_version, fraction, ?, sum(n)
             from item_rollup group by period_month, checklist_id, item_id, checklist_version, fraction""",
        [COMPANY],
    )


@migrations()
def m028_employee_rollup(db: Database) -> None:
    # Per month, employee and lone-staff branch: the count, sum and sum of squares of the employee's
    # percent in each published audit that names them, kept on publish with the other rollups
    # (audits/store.py update_rollups), so the employee ranking reads thousands of rows, not a
    # year's sections. The filters that can change any time are applied when reading: the staff of
    # the employee's current branch informed, and the lone-staff protection of the audit's branch.
    db.execute(
        """create table employee_rollup (
             period_month text not null, employee_id integer not null, lone_branch_id integer not null,
             audits integer not null, scored integer not null, total real not null, squares real not null,
             primary key (period_month, employee_id, lone_branch_id)
           ) without rowid"""
    )
    roll_up_employees(db, "a.status = 'published'")
