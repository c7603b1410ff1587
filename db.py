"""Opening the SQLite database, its pragmas, and the numbered migrations."""

import sqlite3
from contextlib import contextmanager

import click
from flask import current_app, g
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


def connect(path: str) -> Database:
    """Open the database at path with the pragmas every connection needs.

    Autocommit mode (isolation_level=None): a statement outside transaction() commits at once, so no
    implicit transaction is ever left holding the write lock.
    """
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


def migrate(db: Database) -> list[str]:
    """Apply pending migrations; return the names of those applied."""
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    return pending


def get_db() -> Database:
    """The request's database connection, opened on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(_exc=None) -> None:
    db = g.pop("db", None)
    if db is not None:
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
    """Copy the live database to PATH with SQLite's online backup."""
    source = sqlite3.connect(current_app.config["DATABASE"])
    try:
        target = sqlite3.connect(path)
        with target:
            source.backup(target)
        ok = target.execute("PRAGMA integrity_check").fetchone()[0]
        target.close()
    except sqlite3.Error as exc:
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


def _fraction_float(text: str | None) -> float | None:
    if text is None:
        return None
    numerator, denominator = text.split("/")
    return int(numerator) / int(denominator)


@migrations()
def m007_percent_values(db: Database) -> None:
    # Full-precision percents beside the exact fractions, so that reports can aggregate in SQL;
    # a mean that falls on a rounding boundary is recomputed exactly (reports/store.py).
    db["audits"].add_column("percent_value", float)
    db["audit_sections"].add_column("percent_value", float)
    for row in list(db.query("select audit_id, percent_exact from audits where percent_exact is not null")):
        db.execute(
            "update audits set percent_value = ? where audit_id = ?",
            [_fraction_float(row["percent_exact"]), row["audit_id"]],
        )
    for row in list(db.query("select rowid, earned, possible from audit_sections")):
        possible = _fraction_float(row["possible"])
        if possible:
            value = 100 * _fraction_float(row["earned"]) / possible
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
    # publish (audits/store.py roll_up), so most-missed and the heat map read thousands of rows,
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
    from audits.store import roll_up

    roll_up(db, "a.status = 'published'")
