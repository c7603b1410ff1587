"""Reports on a 1,000-branch company (seed-demo --large, built and timed in this run unless
BENCH_LARGE_DATABASE names one already built): each report for the newest month and the newest
full year against the fastest hand-written SQL for the same numbers on the same tables, in CPU time
of this process (the machine is shared); then the dashboard page and a cached scorecard PDF, in
wall time."""

import os
import resource
import subprocess
import sys
import time

from bench.common import Row, median_seconds, temporary_app
from db import connect
from org import store as org_store
from reports import dashboard, store
from reports import standards as standards_report
from reports.comparison import league_table
from reports.intervals import window
from reports.periods import parse_period

TARGET = "≤ 1.5× and ≤ 300 ms"


def _marks(months: list[str]) -> str:
    return ",".join("?" * len(months))


def _floors(period) -> dict[str, tuple[str, list]]:
    """Hand-written SQL giving each report's numbers, on the indexes and rollup the app reads."""
    months = period.months
    league = sorted(set(months + period.previous().months + window(period)))
    trend = [m for p in period.last(12) for m in p.months]
    return {
        "league table": (
            # What the table and its intervals need: per month and branch over the period, the one
            # before and the twelve months whose spread the intervals use, from the branch rollup.
            f"""select period_month, branch_id, sum(audits), sum(scored), total(total), total(squares),
                       sum(passed), sum(critical)
                  from branch_rollup where period_month in ({_marks(league)})
                 group by period_month, branch_id""",
            league,
        ),
        "regions": (
            f"""select b.region_id, avg(m.mean), min(m.mean), max(m.mean), sum(m.audits)
                  from (select branch_id, total(total) / sum(scored) as mean, sum(audits) as audits
                          from branch_rollup where period_month in ({_marks(months)})
                         group by branch_id) m join branches b using (branch_id)
                 group by b.region_id""",
            months,
        ),
        "heat map": (
            f"""select branch_id, part_id, sum(total) / sum(n) from report_rollup
                 where kind = 'section' and period_month in ({_marks(months)})
                   and checklist_id = 'store-visit' group by 1, 2 having sum(n) > 0""",
            months,
        ),
        "trend (12 periods)": (
            # Per period (a month, or a year: the first 4 or 7 characters of the month), the mean of
            # the branches' means.
            f"""select period, avg(mean) from (
                  select substr(period_month, 1, {len(period.key)}) as period, branch_id,
                         total(total) / sum(scored) as mean
                    from branch_rollup where period_month in ({_marks(trend)})
                   group by 1, 2 having sum(scored) > 0)
                 group by 1""",
            trend,
        ),
        "most missed": (
            f"""select checklist_id, part_id, sum(missed), sum(n),
                       group_concat(distinct case when missed then branch_id end)
                  from report_rollup where kind = 'item' and period_month in ({_marks(months)})
                 group by 1, 2 having sum(missed) > 0 order by 3 desc limit 10""",
            months,
        ),
        "compliance per standard": (
            f"""select checklist_id, checklist_version, item_id, fraction, sum(n) from item_rollup
                 where period_month in ({_marks(months)}) group by 1, 2, 3, 4""",
            months,
        ),
        "employee ranking": (
            f"""select employee_id, e.name, b.name, audits, scored, total / scored, squares
                  from (select employee_id, sum(audits) as audits, sum(scored) as scored, sum(total) as total,
                               sum(squares) as squares
                          from employee_rollup where period_month in ({_marks(months)})
                           and lone_branch_id not in (select branch_id from branches where protect_lone_staff)
                         group by employee_id)
                  join employees e using (employee_id) join branches b on b.branch_id = e.branch_id
                 where b.staff_informed and audits > 0 order by 6 desc, 2""",
            months,
        ),
    }


def _seed(database: str, db) -> list[Row]:
    """seed-demo --large in its own process: wall time and peak memory; the floor is SQLite copying
    the finished item results into an empty table."""
    env = {**os.environ, "VISITSCORE_DATABASE": database, "VISITSCORE_SECRET_KEY": "bench"}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "seed-demo", "--large"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    items = db.execute("select count(*) from audit_items").fetchone()[0]
    start = time.perf_counter()
    db.execute("create temp table copied as select * from audit_items")
    copy = time.perf_counter() - start
    db.execute("drop table temp.copied")
    return [
        Row(f"seed-demo --large ({items:,} item results) vs copying them", seconds, copy, "s", "< 180 s"),
        Row("seed-demo --large peak memory", peak, 1024, "MB", "< 1 GB"),
    ]


def run() -> list[Row]:
    database = os.environ.get("BENCH_LARGE_DATABASE")
    with temporary_app(**({"DATABASE": database} if database else {})) as app:
        db = connect(app.config["DATABASE"])
        rows = []
        if db["audits"].count < 50_000:
            rows += _seed(app.config["DATABASE"], db)
        branches = org_store.list_branches(db)
        ids = {b["branch_id"] for b in branches}
        month = db.execute("select max(period_month) from audits where status = 'published'").fetchone()[0]
        year = month[:4] if month.endswith("-12") else str(int(month[:4]) - 1)
        items = db.execute("select count(*) from audit_items").fetchone()[0]
        print(f"{len(branches)} branches, {db['audits'].count} audits, {items} item results")
        for key in (month, year):
            period = parse_period(key)
            ours = {
                "league table": lambda p=period: league_table(db, p, branches),
                "regions": lambda p=period: dashboard.regions(league_table(db, p, branches)),
                "heat map": lambda p=period: dashboard.heat_map(db, p, branches, "store-visit"),
                "trend (12 periods)": lambda p=period: dashboard.company_trend(db, p, ids, "#1f6f8b"),
                "most missed": lambda p=period: store.most_missed(db, p, ids),
                "compliance per standard": lambda p=period: standards_report.compliance(db, p, ids),
                "employee ranking": lambda p=period: store.employee_ranking(db, p, ids),
            }
            for name, (sql, params) in _floors(period).items():
                floor = median_seconds(
                    lambda sql=sql, params=params: db.execute(sql, params).fetchall(), 3, time.process_time
                )
                value = median_seconds(ours[name], 3, time.process_time)
                rows.append(Row(f"{name}, {key}", value * 1000, floor * 1000, "ms", TARGET))
        client = app.test_client()
        from tests.conftest import csrf_token

        client.post(
            "/login",
            data={
                "email": "admin@demo.visitscore.app",
                "password": "visitscore-demo",
                "csrf_token": csrf_token(client),
            },
        )
        bare = median_seconds(lambda: client.get("/login"), 5)
        for key in (month, year):
            page = median_seconds(lambda key=key: client.get(f"/reports?period={key}"), 3)
            rows.append(
                Row(
                    f"dashboard page, {key}, {len(branches)} branches",
                    page * 1000,
                    bare * 1000,
                    "ms",
                    "≤ 400 ms",
                )
            )
        url = f"/reports/branches/{branches[-1]['branch_id']}/scorecard.pdf?period={year}"
        assert client.get(url).status_code == 200  # rendered once, then cached
        cached = median_seconds(lambda: client.get(url), 10)
        rows.append(
            Row(
                f"cached branch scorecard PDF, {year}, vs a bare page",
                cached * 1000,
                bare * 1000,
                "ms",
                "≤ 30 ms",
            )
        )
        db.conn.close()
    return rows
