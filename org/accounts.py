"""Accounts by mail: invitations and password resets through single-use links (only a hash is kept)."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from db import transaction
from errors import AppError
from mail import queue_mail
from org import ratelimit, store

INVITATION, RESET = "invitation", "reset"
LIFETIME = {INVITATION: timedelta(hours=72), RESET: timedelta(hours=2)}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def issue_token(db: Database, user_id: int, purpose: str, now: datetime | None = None) -> str:
    """A new single-use link token for the user; earlier unused tokens of that purpose stop working."""
    moment = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    with transaction(db):
        db.execute(
            "update account_tokens set used_at = ? where user_id = ? and purpose = ? and used_at is null",
            [_stamp(moment), user_id, purpose],
        )
        db["account_tokens"].insert(
            {
                "token_hash": _hash(token),
                "user_id": user_id,
                "purpose": purpose,
                "created_at": _stamp(moment),
                "expires_at": _stamp(moment + LIFETIME[purpose]),
            }
        )
    return token


def token_user(db: Database, token: str, now: datetime | None = None) -> tuple[dict, str]:
    """The active user and purpose of a usable token; 410 when used or expired, 404 when unknown."""
    rows = list(db.query("select * from account_tokens where token_hash = ?", [_hash(token)]))
    if not rows:
        raise AppError("This link is not valid. Ask for a new one.", 404)
    row = rows[0]
    if row["used_at"] or row["expires_at"] < _stamp(now or datetime.now(UTC)):
        raise AppError("This link was already used or has expired. Ask for a new one.", 410)
    user = store.get_user(db, row["user_id"])
    if not user["active"]:
        raise AppError("This link is not valid. Ask for a new one.", 404)
    return user, row["purpose"]


def use_token(db: Database, token: str, password: str, now: datetime | None = None) -> dict:
    """Set the password of the token's user and spend the token (once); return the user."""
    moment = now or datetime.now(UTC)
    with transaction(db):
        user, _purpose = token_user(db, token, moment)
        spent = db.execute(
            "update account_tokens set used_at = ? where token_hash = ? and used_at is null",
            [_stamp(moment), _hash(token)],
        )
        if not spent.rowcount:
            raise AppError("This link was already used or has expired. Ask for a new one.", 410)
        store.set_password(db, user["user_id"], password)
    return user


def invite(db: Database, email: str, role: str, name: str = "", branch_ids=()) -> int:
    """Create a user who chooses their own password through a mailed single-use link; their id."""
    with transaction(db):
        # A random password nobody knows until the invitation sets a real one.
        user_id = store.create_user(db, email, role, secrets.token_urlsafe(32), name, list(branch_ids))
        mail_invitation(db, store.get_user(db, user_id), issue_token(db, user_id, INVITATION))
    return user_id


def mail_invitation(db: Database, user: dict, token: str) -> None:
    queue_mail(
        db,
        f"invitation:{_hash(token)}",
        user["email"],
        "You are invited to Visitscore",
        f"Hello {user['name'] or user['email']},\n\n"
        "An account was made for you in Visitscore. Choose your password with the link below; "
        "it works once and for 72 hours.",
        f"/password/{token}",
    )


def mail_reset(db: Database, user: dict, token: str) -> None:
    queue_mail(
        db,
        f"reset:{_hash(token)}",
        user["email"],
        "Reset your Visitscore password",
        "Someone (we hope you) asked to reset your Visitscore password. Choose a new one with the link "
        "below; it works once and for 2 hours. If it was not you, ignore this mail: your password stays.",
        f"/password/{token}",
    )


def request_reset(db: Database, email: str) -> bool:
    """Mail a reset link when an active user has this email (at most 3 an hour); True if mailed.
    The caller answers the same either way."""
    user = store.user_by_email(db, email)
    if user is None or not user["active"]:
        return False
    if ratelimit.over(db, f"reset-mail:{user['user_id']}", 3, 3600):
        return False
    ratelimit.hit(db, f"reset-mail:{user['user_id']}", 3600)
    mail_reset(db, user, issue_token(db, user["user_id"], RESET))
    return True
