"""Branch scorecards: against WeasyPrint rendering the same final HTML alone, cached re-downloads,
and a batch on all cores against the same batch serially."""

import resource
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

from bench.common import Row, median_seconds, temporary_app
from db import connect
from reports.periods import parse_period

BATCH = 64


def _seeded_app():
    import contextlib

    stack = contextlib.ExitStack()
    app = stack.enter_context(temporary_app())
    app.test_cli_runner().invoke(args=["seed-demo"])
    return stack, app


def _render_measured(job) -> float:
    """Render one job in a worker and tell its peak memory so far, in MB (RUSAGE_CHILDREN would also
    count any earlier child of this process, such as the seed of a whole benchmark run)."""
    from reports.cli import _render

    _render(job)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run() -> list[Row]:
    from flask import render_template
    from weasyprint import HTML

    from app import create_app
    from reports import scorecards
    from reports.cli import _render, _start_worker
    from reports.documents import branch_pdf, branding

    stack, app = _seeded_app()
    with stack, app.app_context():
        db = connect(app.config["DATABASE"])
        period = parse_period(
            db.execute("select max(period_month) from audits where status = 'published'").fetchone()[0]
        )
        branch_id = 1
        data = scorecards.branch_scorecard(db, branch_id, period, branding(db)["colour"])
        html = render_template(
            "reports/pdf/branch.html",
            data=data,
            paper="A4",
            header_right="x",
            generated_at="now",
            **branding(db),
        )

        def uncached():
            db.execute("delete from pdf_cache")
            branch_pdf(db, branch_id, period)

        floor = median_seconds(lambda: HTML(string=html).write_pdf(), 5)
        full = median_seconds(uncached, 5)
        branch_pdf(db, branch_id, period)
        cached = median_seconds(lambda: branch_pdf(db, branch_id, period), 20)

        config = {k: app.config[k] for k in ("DATABASE", "SECRET_KEY", "COMPANY_NAME", "BRAND_COLOUR")}
        branches = [r[0] for r in db.execute("select branch_id from branches")]
        # Distinct scorecards (branches × the newest months), so that none comes from the cache.
        months = [p.key for p in period.last(-(-BATCH // len(branches)))]
        with tempfile.TemporaryDirectory() as out:
            jobs = [
                ("branch", branches[n % len(branches)], months[n // len(branches)], out, f"{n}.pdf")
                for n in range(BATCH)
            ]
            db.execute("delete from pdf_cache")
            _start_worker(create_app, config)
            start = time.perf_counter()
            for job in jobs:
                _render(job)
            serial = time.perf_counter() - start
            db.execute("delete from pdf_cache")
            start = time.perf_counter()
            with Pool(2, initializer=_start_worker, initargs=(create_app, config)) as pool:
                worker_peak = max(pool.imap_unordered(_render_measured, jobs))
            parallel = time.perf_counter() - start
            assert len(list(Path(out).iterdir())) == BATCH
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [
        Row("branch scorecard vs WeasyPrint on the same HTML", full * 1000, floor * 1000, "ms", "≤ 1.5×"),
        Row("cached re-download vs a fresh render", cached * 1000, full * 1000, "ms", "instant"),
        Row(f"batch of {BATCH}: serial time vs 2 processes", serial, parallel, "s", "ratio ≥ 1.8"),
        Row("peak memory (this process / a worker)", peak, worker_peak, "MB", "≤ 400 MB"),
    ]
