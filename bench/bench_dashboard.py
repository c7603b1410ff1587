"""The dashboard on a 1,000-branch company (seed-demo --large, built in this run: about 1.5 min):
each query against the fastest hand-written SQL for the same numbers, and the page itself."""

import os

from bench.common import Row, median_seconds, temporary_app
from db import connect
from org import store as org_store
from reports import dashboard, store
from reports.comparison import league_table
from reports.periods import parse_period


def _plan(db, sql: str, params) -> str:
    return " | ".join(r[3] for r in db.execute("explain query plan " + sql, params).fetchall())


def run() -> list[Row]:
    database = os.environ.get("BENCH_LARGE_DATABASE")
    with temporary_app(**({"DATABASE": database} if database else {})) as app:
        db = connect(app.config["DATABASE"])
        if db["audits"].count < 50_000:
            app.test_cli_runner().invoke(args=["seed-demo", "--large"])
        branches = org_store.list_branches(db)
        month = db.execute("select max(period_month) from audits where status = 'published'").fetchone()[0]
        rows = []
        for key in (month, month[:4]):
            period = parse_period(key)
            marks = ",".join("?" * len(period.months))
            raw_league = f"""select branch_id, count(*), avg(percent_value) from audits
                              where status = 'published' and period_month in ({marks}) group by branch_id"""
            raw_missed = f"""select a.checklist_id, i.item_id, sum(i.lost), count(*) from audits a
                              join audit_items i using (audit_id) where a.status = 'published'
                              and a.period_month in ({marks}) group by 1, 2 order by 3 desc limit 10"""
            raw_heat = f"""select a.branch_id, s.section_id, avg(s.percent_value) from audits a
                            join audit_sections s using (audit_id) where a.status = 'published'
                            and a.period_month in ({marks}) and a.checklist_id = 'store-visit'
                            group by 1, 2"""
            pairs = [
                ("league table", lambda p=period: league_table(db, p, branches), raw_league),
                ("heat map", lambda p=period: dashboard.heat_map(db, p, branches, "store-visit"), raw_heat),
                ("most missed", lambda p=period: store.most_missed(db, p), raw_missed),
            ]
            for name, ours, raw in pairs:
                floor = median_seconds(lambda raw=raw, p=period: db.execute(raw, p.months).fetchall(), 5)
                value = median_seconds(ours, 5)
                rows.append(Row(f"{name}, {key}", value * 1000, floor * 1000, "ms", "≤ 1.5× and ≤ 300 ms"))
            if key == month:
                print("plan, league:", _plan(db, raw_league, period.months))
                print("plan, most missed:", _plan(db, raw_missed, period.months))
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
        page = median_seconds(lambda: client.get(f"/reports?period={month}"), 3)
        bare = median_seconds(lambda: client.get("/login"), 3)
        rows.append(
            Row(f"dashboard page, {month}, {len(branches)} branches", page * 1000, bare * 1000, "ms", "< 1 s")
        )
        db.conn.close()
    return rows
