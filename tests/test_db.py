import os
import re
import sqlite3

import pytest

from db import connect, durable_transaction, get_db, migrate, migrations, transaction


def test_migrates_an_empty_database(tmp_path):
    db = connect(str(tmp_path / "empty.db"))
    applied = migrate(db)
    assert applied == [m.name for m in migrations._migrations]
    assert {"regions", "branches", "employees", "users", "api_tokens"} <= set(db.table_names())
    assert migrate(db) == []


def test_migrates_from_the_previous_migration(tmp_path):
    names = [m.name for m in migrations._migrations]
    db = connect(str(tmp_path / "old.db"))
    if len(names) > 1:
        migrations.apply(db, stop_before=names[-1])
        assert migrate(db) == [names[-1]]
    else:
        assert migrate(db) == names
    assert [m.name for m in migrations.applied(db)] == names


def test_connection_pragmas(tmp_path):
    db = connect(str(tmp_path / "p.db"))
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert db.execute("pragma foreign_keys").fetchone()[0] == 1
    assert db.execute("pragma busy_timeout").fetchone()[0] == 5000
    assert db.execute("pragma synchronous").fetchone()[0] == 2  # FULL


def test_app_start_migrates(app, db):
    assert "branches" in db.table_names()


def test_backup_copies_a_consistent_database(app, runner, db, tmp_path):
    from org import store

    store.create_branch(db, "B1", "Backup branch", "North")
    target = tmp_path / "backup.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(target)
    assert copy.execute("select name from branches").fetchall() == [("Backup branch",)]
    assert copy.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_every_migration_function_is_registered_in_order():
    """A migration defined without its decorator would silently never run."""
    import db as db_module

    defined = sorted(name for name in vars(db_module) if re.fullmatch(r"m\d{3}_\w+", name))
    assert [m.name for m in migrations._migrations] == defined


def test_a_server_thread_keeps_one_connection_and_no_transaction_between_requests(app):
    with app.test_request_context():
        kept = get_db()
        kept.execute("BEGIN IMMEDIATE")
        kept.execute("insert into regions (name) values ('Half done')")  # the request fails here
    with app.test_request_context():
        assert get_db() is kept
        assert not kept.conn.in_transaction
        assert kept.execute("select count(*) from regions where name = 'Half done'").fetchone()[0] == 0


def test_a_forked_child_and_a_cli_command_open_their_own_connection(app, monkeypatch):
    with app.test_request_context():
        kept = get_db()
    with app.app_context():
        command_db = get_db()
        assert command_db is not kept
    with pytest.raises(sqlite3.ProgrammingError):
        command_db.execute("select 1")  # closed with the command's app context
    parent = os.getpid()
    monkeypatch.setattr(os, "getpid", lambda: parent + 1)
    with app.test_request_context():
        assert get_db() is not kept


def test_a_durable_transaction_syncs_the_log_after_commit_and_stays_full(tmp_path, monkeypatch):
    db = connect(str(tmp_path / "d.db"))
    migrate(db)
    wal = os.stat(tmp_path / "d.db-wal").st_ino
    synced = []
    real_fdatasync = os.fdatasync

    def fdatasync(fd):
        synced.append((os.fstat(fd).st_ino, db.conn.in_transaction))
        real_fdatasync(fd)

    monkeypatch.setattr(os, "fdatasync", fdatasync)
    with durable_transaction(db):
        db.execute("insert into regions (name) values ('North')")
    assert synced == [(wal, False)]  # the log, once the commit released the write lock
    assert db.execute("pragma synchronous").fetchone()[0] == 2
    with pytest.raises(RuntimeError), durable_transaction(db):
        db.execute("insert into regions (name) values ('South')")
        raise RuntimeError
    assert db.execute("pragma synchronous").fetchone()[0] == 2
    assert [r["name"] for r in db.query("select name from regions")] == ["North"]
    with transaction(db), durable_transaction(db):  # nested: part of the outer one, synced by its COMMIT
        db.execute("insert into regions (name) values ('East')")
    assert len(synced) == 1
    db.execute("pragma synchronous = NORMAL")  # a deployment that chose NORMAL gets no extra sync
    with durable_transaction(db):
        db.execute("insert into regions (name) values ('West')")
    assert len(synced) == 1
