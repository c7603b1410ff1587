"""Demo KPIs: three figures head office tracks, with monthly values for every branch."""

import random
from datetime import UTC, date, datetime, timedelta

from sqlite_utils import Database

from org import store as org_store
from reports import store

KPIS = [
    ("wait-minutes", "Average waiting time", "min", "lower", 5),
    ("complaints", "Complaints per 1,000 customers", "per 1,000", "lower", 2),
    ("first-call", "First-call resolution", "%", "higher", 80),
]


def seed_kpis(db: Database, months: int = 4, today: date | None = None) -> int:
    """Define the demo KPIs (once) and import their monthly values (the same file again changes nothing)."""
    known = {k["code"] for k in store.list_kpis(db)}
    for code, name, unit, better, target in KPIS:
        if code not in known:
            store.create_kpi(db, code, name, unit, better, target)
    rng = random.Random(17)
    today = today or datetime.now(UTC).date()
    lines = []
    for branch in org_store.list_branches(db):
        skill = rng.random()
        for month_back in range(months, 0, -1):
            month = (today.replace(day=1) - timedelta(days=28 * month_back)).strftime("%Y-%m")
            wait = round(3 + 4 * (1 - skill) + rng.uniform(-1, 1), 1)
            complaints = round(0.5 + 3 * (1 - skill) + rng.uniform(-0.4, 0.4), 2)
            first_call = round(70 + 20 * skill + rng.uniform(-4, 4), 1)
            for code, value in (
                ("wait-minutes", wait),
                ("complaints", complaints),
                ("first-call", first_call),
            ):
                lines.append(f"{branch['code']},{code},{month},{value}")
    return store.import_kpi_values(db, "\n".join(lines) + "\n")
