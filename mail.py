"""Mail: a queue in the database and a sender thread inside the app.

Any package queues a mail with queue_mail(); every mail links to the page it is about. Nothing is
sent inside a request. The sender (started by the app on its first request once a mail server is
configured, so a CLI command never sends) takes due mails from the queue,
hands them to the SMTP server with the standard library and marks them sent. When the server is
unreachable the mail stays queued and is retried with a growing pause: nothing is lost. A mail is
queued once per event (its dedupe key) and claimed by one sender at a time, so it is sent once even
with several worker processes.
"""

import hashlib
import html
import logging
import smtplib
import threading
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate

from flask import Flask, current_app, has_app_context, has_request_context, request
from sqlite_utils import Database

import db as database

log = logging.getLogger(__name__)

# How long a sender may hold a mail before another one may try it (a crashed sender's claim expires).
CLAIM_SECONDS = 120
# Pauses between attempts: 2, 4, 8, ... seconds, at most 5 minutes: a server back after an outage gets
# the waiting mail within about the outage's length again, and a long outage costs a try every 5 minutes.
FIRST_RETRY_SECONDS = 2
MAX_RETRY_SECONDS = 300
# How often the sender runs the app's periodic jobs (the reminders of action items).
JOBS_SECONDS = 300


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def absolute_link(link: str, config) -> str:
    """A link of a mail made absolute with BASE_URL (the address people open Visitscore at)."""
    if not link.startswith("/"):
        return link
    return (config.get("BASE_URL") or "http://localhost:5000").rstrip("/") + link


def html_body(text: str, link: str) -> str:
    """The HTML version of a plain-text mail: its paragraphs and a button to the page it is about."""
    paragraphs = "".join(
        f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n") if p.strip()
    )
    href = html.escape(link, quote=True)
    return (
        '<!doctype html><html lang="en"><body style="font-family: system-ui, sans-serif; line-height: 1.5">'
        f'{paragraphs}<p><a href="{href}" style="display: inline-block; padding: .6em 1em; '
        'background: #0b5d54; color: #fff; text-decoration: none; border-radius: 4px">'
        "Open in Visitscore</a></p>"
        f'<p style="color: #666; font-size: .9em">Or copy this address: {href}</p></body></html>'
    )


def queue_mail(db: Database, key: str, recipient: str, subject: str, text: str, link: str) -> bool:
    """Queue a mail about the page at link (a path of the app); a key queued before is not queued
    again. True if queued."""
    if has_request_context() and link.startswith("/") and not current_app.config.get("BASE_URL"):
        link = request.host_url.rstrip("/") + link
    stamp = _stamp(datetime.now(UTC))
    cursor = db.execute(
        """insert into mail_queue (dedupe_key, recipient, subject, text_body, link, created_at,
                                   attempts, next_attempt_at)
           values (?, ?, ?, ?, ?, ?, 0, ?) on conflict (dedupe_key) do nothing""",
        [key, recipient, subject, text.rstrip(), link, stamp, stamp],
    )
    if cursor.rowcount:
        sender = current_app.extensions.get("mail_sender") if has_app_context() else None
        if sender is not None:
            sender.wake()
    return bool(cursor.rowcount)


def _message(row: dict, config) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM") or "visitscore@localhost"
    message["To"] = row["recipient"]
    message["Subject"] = row["subject"]
    message["Date"] = formatdate(localtime=False)
    # The same id on a resend, so that a receiving server may drop a duplicate.
    digest = hashlib.sha256(row["dedupe_key"].encode()).hexdigest()[:24]
    message["Message-ID"] = f"<{row['mail_id']}.{digest}@visitscore>"
    link = absolute_link(row["link"], config)
    message.set_content(f"{row['text_body']}\n\nOpen it in Visitscore: {link}\n")
    message.add_alternative(html_body(row["text_body"], link), subtype="html")
    return message


def _connect(config) -> smtplib.SMTP:
    server = smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), timeout=20)
    if config.get("MAIL_USERNAME"):
        server.starttls()
        server.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return server


def retry_delay(attempts: int) -> timedelta:
    """The pause before the next attempt after `attempts` failed ones."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS))


def _claim(db: Database, moment: datetime) -> list[dict]:
    """Take the mails that are due, so that no other sender sends them at the same time."""
    stamp = _stamp(moment)
    rows = list(
        db.query(
            """select * from mail_queue where sent_at is null and next_attempt_at <= ?
                 and (claimed_until is null or claimed_until < ?) order by mail_id limit 100""",
            [stamp, stamp],
        )
    )
    until = _stamp(moment + timedelta(seconds=CLAIM_SECONDS))
    claimed = []
    for row in rows:
        cursor = db.execute(
            """update mail_queue set claimed_until = ? where mail_id = ? and sent_at is null
                 and (claimed_until is null or claimed_until < ?)""",
            [until, row["mail_id"], stamp],
        )
        if cursor.rowcount:
            claimed.append(row)
    return claimed


def _failed(db: Database, rows: list[dict], moment: datetime, error: Exception) -> None:
    for row in rows:
        attempts = row["attempts"] + 1
        db.execute(
            """update mail_queue set attempts = ?, next_attempt_at = ?, claimed_until = null, last_error = ?
                where mail_id = ?""",
            [
                attempts,
                _stamp(moment + retry_delay(attempts)),
                f"{type(error).__name__}: {error}"[:500],
                row["mail_id"],
            ],
        )


def send_due(db: Database, config, now: datetime | None = None) -> int:
    """Send every queued mail that is due; return how many the SMTP server took."""
    if not config.get("MAIL_SERVER"):
        return 0
    moment = now or datetime.now(UTC)
    rows = _claim(db, moment)
    if not rows:
        return 0
    sent = 0
    try:
        server = _connect(config)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("Mail server %s unreachable: %s; %d mail(s) wait", config["MAIL_SERVER"], exc, len(rows))
        _failed(db, rows, moment, exc)
        return 0
    try:
        for index, row in enumerate(rows):
            try:
                server.send_message(_message(row, config))
            except smtplib.SMTPRecipientsRefused as exc:
                _failed(db, [row], moment, exc)
                continue
            except (OSError, smtplib.SMTPException) as exc:
                _failed(db, rows[index:], moment, exc)
                break
            db.execute(
                """update mail_queue set sent_at = ?, claimed_until = null, last_error = null
                    where mail_id = ?""",
                [_stamp(datetime.now(UTC)), row["mail_id"]],
            )
            sent += 1
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return sent


class Sender:
    """The background thread that sends queued mail and runs the app's periodic mail jobs."""

    def __init__(self, app: Flask, jobs=()):
        self.app = app
        self.jobs = list(jobs)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._next_jobs = 0.0

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="visitscore-mail", daemon=True)
                self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def run_once(self) -> int:
        """Run the periodic jobs (at most every JOBS_SECONDS) and send what is due, once."""
        with self.app.app_context():
            db = database.connect(self.app.config["DATABASE"])
            try:
                if time.monotonic() >= self._next_jobs:
                    self._next_jobs = time.monotonic() + JOBS_SECONDS
                    for job in self.jobs:
                        job(db)
                return send_due(db, self.app.config)
            finally:
                db.conn.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.run_once()
            except Exception:  # the thread must outlive any one bad round
                log.exception("Mail sender round failed")
            self._wake.wait(float(self.app.config.get("MAIL_INTERVAL") or 5))


def init_app(app: Flask, jobs=()) -> Sender:
    """Attach the sender; it starts with the first request once MAIL_SERVER is set, unless
    MAIL_SENDER is false."""
    sender = Sender(app, jobs)
    app.extensions["mail_sender"] = sender

    def start_sender():
        if app.config.get("MAIL_SENDER", True) and app.config.get("MAIL_SERVER"):
            sender.start()

    app.before_request(start_sender)
    return sender
