"""CLI: the retention of employee data, planning the visits of a period, action reminders."""

from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from audits import notices, schedules
from audits.store import purge_employee_links, purge_recordings
from db import connect
from errors import AppError


def months_before(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 - months
    return moment.replace(
        year=index // 12, month=index % 12 + 1, day=1, hour=0, minute=0, second=0, microsecond=0
    )


@click.command("purge-employee-data")
@click.option(
    "--months", type=int, default=None, help="Keep this many months (default: EMPLOYEE_RETENTION_MONTHS)."
)
@with_appcontext
def purge_employee_data_command(months):
    """Remove employee names and call recordings from audits older than the retention period; scores stay."""
    months = months if months is not None else current_app.config["EMPLOYEE_RETENTION_MONTHS"]
    if months < 1:
        raise click.ClickException("--months must be at least 1.")
    cutoff = months_before(datetime.now(UTC), months).isoformat(timespec="seconds")
    db = connect(current_app.config["DATABASE"])
    count = purge_employee_links(db, cutoff)
    removed = purge_recordings(db, cutoff)
    db.conn.close()
    click.echo(f"Employee links removed from {count} audit(s) visited before {cutoff[:10]}.")
    click.echo(f"{removed} call recording(s) of those audits deleted.")


@click.command("plan-visits")
@click.option("--period", required=True, help="YYYY-MM, YYYY-Qn or YYYY.")
@click.option("--dry-run", is_flag=True, help="Show the plan; create nothing.")
@with_appcontext
def plan_visits_command(period, dry_run):
    """Create the period's visits from every schedule (a second run creates nothing)."""
    db = connect(current_app.config["DATABASE"])
    try:
        rows = schedules.plan_visits(db, period, dry_run=dry_run)
    except AppError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        db.conn.close()
    for row in rows:
        note = "" if row["rotation_kept"] else "  (rotation broken: no other auditor free)"
        click.echo(f"{row['period']}  {row['branch_code']:<10} {row['auditor']:<30} due {row['due']}{note}")
    verb = "would be created" if dry_run else "created"
    click.echo(f"{len(rows)} visit(s) {verb} for {period}.")


@click.command("send-reminders")
@with_appcontext
def send_reminders_command():
    """Queue the mails of action items due today or overdue (the app's mail sender does this too)."""
    db = connect(current_app.config["DATABASE"])
    count = notices.action_reminders(db, datetime.now(UTC).date())
    db.conn.close()
    click.echo(f"{count} reminder(s) queued.")


def init_app(app) -> None:
    app.cli.add_command(purge_employee_data_command)
    app.cli.add_command(plan_visits_command)
    app.cli.add_command(send_reminders_command)
