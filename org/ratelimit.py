"""Rate limits whose counters live in the database, so that every worker process counts the same hits."""

from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from db import transaction


def _window_start(moment: datetime, seconds: int) -> str:
    start = int(moment.timestamp()) // seconds * seconds
    return datetime.fromtimestamp(start, UTC).isoformat(timespec="seconds")


def hits(db: Database, bucket: str, seconds: int, now: datetime | None = None) -> int:
    """How many hits the bucket counted in the current window of `seconds`."""
    window = _window_start(now or datetime.now(UTC), seconds)
    rows = list(db.query("select window_start, hits from rate_limits where bucket = ?", [bucket]))
    return rows[0]["hits"] if rows and rows[0]["window_start"] == window else 0


def over(db: Database, bucket: str, limit: int, seconds: int, now: datetime | None = None) -> bool:
    """Whether the bucket already counted `limit` hits in the current window."""
    return hits(db, bucket, seconds, now) >= limit


def hit(db: Database, bucket: str, seconds: int, now: datetime | None = None) -> int:
    """Count one hit in the bucket's current window; return the window's count."""
    moment = now or datetime.now(UTC)
    window = _window_start(moment, seconds)
    with transaction(db):
        db.execute(
            """insert into rate_limits (bucket, window_start, hits) values (?, ?, 1)
               on conflict (bucket) do update set
                 hits = case when window_start = excluded.window_start then hits + 1 else 1 end,
                 window_start = excluded.window_start""",
            [bucket, window],
        )
        # Old windows of other buckets are kept small: forget those that ended a day ago.
        cutoff = (moment - timedelta(days=1)).isoformat(timespec="seconds")
        db.execute("delete from rate_limits where window_start < ?", [cutoff])
        return db.execute("select hits from rate_limits where bucket = ?", [bucket]).fetchone()[0]
