"""CLI: the retention of employee data."""

from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from audits.store import purge_employee_links, purge_recordings
from db import connect


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


def init_app(app) -> None:
    app.cli.add_command(purge_employee_data_command)
