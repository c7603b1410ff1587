"""Visitscore served as in production (waitress), killed with SIGKILL under load five times: every
save acknowledged with 2xx survives, nothing is duplicated, the database stays intact; a backup
taken under the same load holds every audit acknowledged before it started."""

import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from tests.reliability.conftest import document

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 50
SAVES_PER_AUDIT = 8
KILLS = 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(database: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "VISITSCORE_DATABASE": database, "VISITSCORE_SECRET_KEY": "crash-test"}
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the server did not start")


def test_kill_minus_nine_under_load_loses_no_acknowledged_save(app, db, quick, tmp_path):
    database = app.config["DATABASE"]
    port = free_port()
    acked: dict[str, int] = {}
    submitted: set[str] = set()
    attempted: set[str] = set()
    lock = threading.Lock()
    stop = threading.Event()
    headers = {"Authorization": f"Bearer {quick['token']}", "Content-Type": "application/json"}

    def auditor(n: int):
        audit_id, revision = str(uuid.uuid4()), 0
        conn = None
        while not stop.is_set():
            revision += 1
            body = json.dumps(document(quick["branch_id"], revision, note=f"{n}:{revision}"))
            try:
                conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                if revision > SAVES_PER_AUDIT:  # enough answers: submit, then start the next visit
                    conn.request("POST", f"/api/v1/audits/{audit_id}/submit", headers=headers)
                    response = conn.getresponse()
                    response.read()
                    if response.status == 200:
                        with lock:
                            submitted.add(audit_id)
                        audit_id, revision = str(uuid.uuid4()), 0
                    else:
                        revision -= 1
                    continue
                with lock:
                    attempted.add(audit_id)
                conn.request("PUT", f"/api/v1/audits/{audit_id}", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if 200 <= response.status < 300:
                    with lock:
                        acked[audit_id] = max(acked.get(audit_id, 0), revision)
            except (OSError, http.client.HTTPException):
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.05)
        if conn is not None:
            conn.close()

    server = start_server(database, port)
    threads = [threading.Thread(target=auditor, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    rng = random.Random(9)
    backup_checked = False
    try:
        for kill in range(KILLS):
            time.sleep(rng.uniform(0.4, 1.0))
            if kill == 2:
                with lock:
                    before_backup = dict(acked)
                backup = tmp_path / "backup.db"
                env = {**os.environ, "VISITSCORE_DATABASE": database, "VISITSCORE_SECRET_KEY": "crash-test"}
                result = subprocess.run(
                    [sys.executable, "-m", "flask", "--app", "app", "backup", str(backup)],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                )
                assert result.returncode == 0, result.stderr
                copy = sqlite3.connect(backup)
                assert copy.execute("pragma integrity_check").fetchone()[0] == "ok"
                saved = {
                    a: json.loads(d)["revision"]
                    for a, d in copy.execute("select audit_id, document from audits")
                }
                copy.close()
                assert all(saved.get(a, 0) >= r for a, r in before_backup.items())
                backup_checked = True
            server.send_signal(signal.SIGKILL)
            server.wait()
            server = start_server(database, port)
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join()
        server.send_signal(signal.SIGKILL)
        server.wait()
    assert backup_checked
    check = sqlite3.connect(database)
    assert check.execute("pragma integrity_check").fetchone()[0] == "ok"
    stored = {a: json.loads(d)["revision"] for a, d in check.execute("select audit_id, document from audits")}
    statuses = dict(check.execute("select audit_id, status from audits"))
    check.close()
    assert len(acked) >= CLIENTS and sum(acked.values()) > 100 and submitted
    assert all(statuses[a] == "submitted" for a in submitted)
    for audit_id, revision in acked.items():
        assert stored[audit_id] >= revision, f"acknowledged revision {revision} of {audit_id} was lost"
    # Every stored audit is one an auditor saved (a save that landed just before a kill may never
    # have been acknowledged): one row per audit id, nothing duplicated.
    assert set(acked) <= set(stored) <= attempted
    print(
        f"\n{sum(acked.values())} acknowledged saves and {len(submitted)} submissions by {CLIENTS} auditors survived {KILLS} kills"
    )
