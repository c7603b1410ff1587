"""Demo survey answers: a few months of customer scores and comments for every branch."""

import random
from datetime import UTC, date, datetime, timedelta

from sqlite_utils import Database

from org import store as org_store
from surveys import store

COMMENTS = {
    "promoter": ["Really helpful staff, thank you!", "Quick and friendly.", "Found exactly what I needed."],
    "passive": ["Fine, but I waited a while.", "OK. The shop was a bit untidy.", ""],
    "detractor": [
        "Nobody greeted me.",
        "Waited 15 minutes at the till.",
        "The staff member was on the phone.",
    ],
}


def seed_responses(db: Database, months: int = 4, today: date | None = None) -> int:
    """Add `months` months of survey answers to every branch; nothing when any exist."""
    if db["survey_responses"].count:
        return 0
    rng = random.Random(16)
    today = today or datetime.now(UTC).date()
    count = 0
    for branch in org_store.list_branches(db):
        store.survey_token(db, branch["branch_id"])
        mood = rng.uniform(-0.25, 0.3)  # some branches delight their customers more than others
        for month_back in range(months, 0, -1):
            first = (today.replace(day=1) - timedelta(days=28 * month_back)).replace(day=1)
            for n in range(rng.randint(6, 18)):
                score = max(0, min(10, round(rng.gauss(8 + 6 * mood, 2))))
                kind = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
                comment = rng.choice(COMMENTS[kind]) if rng.random() < 0.4 else ""
                at = datetime(first.year, first.month, rng.randint(1, 27), rng.randint(9, 18), tzinfo=UTC)
                store.add_response(db, branch["branch_id"], score, comment, f"demo-{count}-{n}", at)
                count += 1
    return count
