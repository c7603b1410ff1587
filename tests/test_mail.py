"""Mail through a real SMTP server on the loopback: delivery, both bodies, links, retry, never twice."""

import time
from datetime import UTC, datetime, timedelta

import mail
from tests.conftest import body, deliver


def queue(app, db, key="k1", to="ana@example.com"):
    with app.app_context():
        return mail.queue_mail(
            db, key, to, "Visit assigned", "Hello Ana,\n\nA visit <b>awaits</b>.", "/audits/x"
        )


def test_a_queued_mail_is_delivered_with_text_and_html_bodies_linking_to_its_page(app, db, smtp):
    assert queue(app, db)
    assert deliver(app, db) == 1
    [message] = smtp.to("ana@example.com")
    assert message["Subject"] == "Visit assigned"
    assert message["From"] == "visitscore@localhost"
    assert "A visit <b>awaits</b>." in body(message)
    assert "https://vs.example.com/audits/x" in body(message)
    html = body(message, "html")
    assert "A visit &lt;b&gt;awaits&lt;/b&gt;." in html
    assert 'href="https://vs.example.com/audits/x"' in html
    assert db.execute("select sent_at is not null, attempts from mail_queue").fetchone() == (1, 0)


def test_the_same_event_is_queued_and_sent_once(app, db, smtp):
    assert queue(app, db)
    assert not queue(app, db)
    assert deliver(app, db) == 1
    assert deliver(app, db) == 0
    assert len(smtp.messages) == 1


def test_mail_waits_while_the_server_is_down_and_goes_out_when_it_is_back(app, db, smtp):
    smtp.stop()
    queue(app, db, "k1")
    queue(app, db, "k2", "bob@example.com")
    start = datetime.now(UTC)
    with app.app_context():
        assert mail.send_due(db, app.config, now=start) == 0
        row = db.execute("select attempts, next_attempt_at, last_error, sent_at from mail_queue").fetchone()
        assert row[0] == 1 and row[2] and row[3] is None
        assert row[1] == (start + mail.retry_delay(1)).isoformat(timespec="seconds")  # backs off
        assert mail.send_due(db, app.config, now=start + timedelta(seconds=1)) == 0  # not due yet: not tried
        assert db.execute("select max(attempts) from mail_queue").fetchone()[0] == 1
        smtp.start()
        later = start + mail.retry_delay(1) + timedelta(seconds=1)
        assert mail.send_due(db, app.config, now=later) == 2
        assert mail.send_due(db, app.config, now=later + timedelta(hours=2)) == 0
    assert sorted(m["To"] for m in smtp.messages) == ["ana@example.com", "bob@example.com"]


def wait_for(condition) -> bool:
    """Poll for what a background thread does; a bound on waiting, not a timing assertion."""
    for _ in range(300):
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_the_apps_sender_retries_through_a_server_restart(app, db, smtp, client):
    app.config.update(MAIL_SENDER=True, MAIL_INTERVAL=0.2)
    smtp.stop()
    queue(app, db)
    client.get("/login")  # the first request starts the sender
    sender = app.extensions["mail_sender"]
    try:
        assert wait_for(lambda: db.execute("select attempts from mail_queue").fetchone()[0] >= 1)
        assert smtp.messages == []
        smtp.start()
        assert wait_for(lambda: smtp.messages)
        assert wait_for(lambda: db.execute("select sent_at from mail_queue").fetchone()[0])
    finally:
        sender.stop()
    assert len(smtp.messages) == 1


def test_the_retry_pause_grows_and_is_capped():
    assert [mail.retry_delay(n).total_seconds() for n in (1, 2, 3, 8, 9, 30)] == [2, 4, 8, 256, 300, 300]


def test_a_mail_claimed_by_another_sender_is_not_sent_again(app, db, smtp):
    queue(app, db)
    until = (datetime.now(UTC) + timedelta(minutes=1)).isoformat(timespec="seconds")
    db.execute("update mail_queue set claimed_until = ?", [until])
    assert deliver(app, db) == 0
    assert smtp.messages == []


def test_without_a_mail_server_mail_stays_queued(app, db):
    queue(app, db)
    assert deliver(app, db) == 0
    assert db.execute("select attempts, sent_at from mail_queue").fetchone() == (0, None)


def test_no_sender_runs_without_a_mail_server(app, db, client):
    app.config.update(MAIL_SENDER=True)
    client.get("/login")
    assert app.extensions["mail_sender"]._thread is None
