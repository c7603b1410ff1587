"""CLI: render every scorecard of a period, on all cores."""

import os
from collections.abc import Callable
from multiprocessing import Pool
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from db import connect
from org import store as org_store
from reports.documents import branch_pdf, employee_pdf
from reports.kpis import KpiImportError
from reports.periods import PeriodError, parse_period
from reports.store import import_kpi_values

_worker = {}


def _start_worker(create_app: Callable[[dict], Flask], config: dict) -> None:
    app = create_app(config)
    _worker["app"] = app
    _worker["db"] = connect(app.config["DATABASE"])


def _render(job: tuple[str, int, str, str, str]) -> str:
    """Render one scorecard in a worker process; return the file written."""
    kind, object_id, period_key, out, name = job
    with _worker["app"].app_context():
        period = parse_period(period_key)
        render = branch_pdf if kind == "branch" else employee_pdf
        path = Path(out) / name
        path.write_bytes(render(_worker["db"], object_id, period))
    return str(path)


def scorecard_jobs(db, period_key: str, out: str, employees: bool) -> list[tuple]:
    jobs = []
    for branch in org_store.list_branches(db):
        if not branch["active"]:
            continue
        jobs.append(
            ("branch", branch["branch_id"], period_key, out, f"scorecard-{branch['code']}-{period_key}.pdf")
        )
        if employees and branch["staff_informed"]:
            for employee in org_store.list_employees(db, branch["branch_id"], active_only=True):
                name = f"employee-{branch['code']}-{employee['employee_id']}-{period_key}.pdf"
                jobs.append(("employee", employee["employee_id"], period_key, out, name))
    return jobs


@click.command("scorecards")
@click.option("--period", required=True, help="YYYY-MM, YYYY-Qn, YYYY or YYYY-MM..YYYY-MM.")
@click.option(
    "--out", required=True, type=click.Path(file_okay=False), help="Folder for the PDFs (created if missing)."
)
@click.option(
    "--employees", is_flag=True, help="Also an employee scorecard for each employee of informed branches."
)
@click.option("--processes", type=int, default=None, help="Worker processes (default: all cores).")
@with_appcontext
def scorecards_command(period, out, employees, processes):
    """Render the scorecard of every active branch for a period into a folder, on all cores."""
    try:
        period_key = parse_period(period).key
    except PeriodError as exc:
        raise click.ClickException(str(exc)) from None
    os.makedirs(out, exist_ok=True)
    db = connect(current_app.config["DATABASE"])
    jobs = scorecard_jobs(db, period_key, out, employees)
    db.conn.close()
    config = {k: current_app.config[k] for k in ("DATABASE", "SECRET_KEY", "COMPANY_NAME", "BRAND_COLOUR")}
    factory = current_app.extensions["app_factory"]
    with Pool(processes or os.cpu_count(), initializer=_start_worker, initargs=(factory, config)) as pool:
        with click.progressbar(
            pool.imap_unordered(_render, jobs), length=len(jobs), label="Rendering scorecards"
        ) as bar:
            written = list(bar)
    click.echo(f"{len(written)} scorecards for {period_key} written to {out}.")


@click.command("import-kpis")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_kpis_command(path):
    """Import monthly KPI values from a CSV (branch_code,kpi_code,period,value): all or nothing."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            text = f.read()
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} is not UTF-8 text.") from None
    db = connect(current_app.config["DATABASE"])
    try:
        imported = import_kpi_values(db, text)
    except KpiImportError as exc:
        raise click.ClickException(f"{path}: nothing was imported.\n" + "\n".join(exc.lines)) from None
    finally:
        db.conn.close()
    click.echo(f"{imported} KPI value(s) imported from {path}.")


def init_app(app: Flask, create_app: Callable[[dict], Flask]) -> None:
    """Register the commands; `create_app` is the factory each scorecard worker builds its app with."""
    app.extensions["app_factory"] = create_app
    app.cli.add_command(scorecards_command)
    app.cli.add_command(import_kpis_command)
