"""Reads and writes of survey links and anonymous survey responses."""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from db import in_list, transaction
from surveys.nps import Tally

RATE_LIMIT = 10  # responses an hour from one address for one branch
RATE_WINDOW = timedelta(hours=1)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def address_key(secret: str, address: str) -> str:
    """A keyed hash of the sender's address: enough to count its responses, not to recover it."""
    return hmac.new(secret.encode(), f"survey:{address}".encode(), hashlib.sha256).hexdigest()


def survey_token(db: Database, branch_id: int) -> str:
    """The branch's survey token (128 random bits), made on first use and kept: posters stay valid."""
    with transaction(db):
        rows = list(db.query("select token from survey_links where branch_id = ?", [branch_id]))
        if rows:
            return rows[0]["token"]
        token = secrets.token_urlsafe(16)
        db["survey_links"].insert(
            {"branch_id": branch_id, "token": token, "created_at": _stamp(datetime.now(UTC))}
        )
        return token


def branch_id_of_token(db: Database, token: str) -> int | None:
    rows = list(db.query("select branch_id from survey_links where token = ?", [token]))
    return rows[0]["branch_id"] if rows else None


def add_response(
    db: Database, branch_id: int, score: int, comment: str, sender: str, at: datetime | None = None
) -> bool:
    """Store one response unless this sender already sent RATE_LIMIT to this branch within the hour.

    Returns False (and stores nothing) when the limit is reached. Sender keys older than the window
    are cleared first, so a stored response never stays linked to an address for longer.
    """
    at = at or datetime.now(UTC)
    since = _stamp(at - RATE_WINDOW)
    with transaction(db):
        db.execute(
            "update survey_responses set address_key = null where address_key is not null and created_at < ?",
            [since],
        )
        recent = db.execute(
            """select count(*) from survey_responses
               where address_key = ? and branch_id = ? and created_at >= ?""",
            [sender, branch_id, since],
        ).fetchone()[0]
        if recent >= RATE_LIMIT:
            return False
        db["survey_responses"].insert(
            {
                "branch_id": branch_id,
                "score": score,
                "comment": comment,
                "created_at": _stamp(at),
                "period_month": at.astimezone(UTC).strftime("%Y-%m"),
                "address_key": sender,
            }
        )
    return True


def tallies(db: Database, months: list[str], branch_ids=None) -> dict[int, Tally]:
    """Responses, promoters, passives and detractors per branch over the months (UTC)."""
    where, params = in_list("period_month", months)
    branches, ids = in_list("branch_id", branch_ids)
    rows = db.query(
        f"""select branch_id, count(*) as responses,
                   sum(score >= 9) as promoters, sum(score between 7 and 8) as passives,
                   sum(score <= 6) as detractors
              from survey_responses where {where} and {branches} group by branch_id""",
        params + ids,
    )
    return {
        r["branch_id"]: Tally(r["responses"], r["promoters"], r["passives"], r["detractors"]) for r in rows
    }


def comments(db: Database, branch_id: int, months: list[str], limit: int = 100) -> list[dict]:
    """The period's responses with a comment, newest first."""
    months_clause, params = in_list("period_month", months)
    return list(
        db.query(
            f"""select score, comment, created_at from survey_responses
                where branch_id = ? and comment != '' and {months_clause}
                order by created_at desc, response_id desc limit ?""",
            [branch_id, *params, limit],
        )
    )
