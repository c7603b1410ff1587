"""50 auditors saving answers at once against a production server (waitress): p50 and p95 against
a bare authenticated endpoint on the same server."""

import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager

from bench.common import Row
from checklists import spec
from checklists.cli import LIBRARY
from checklists.model import checklist_from_dict
from checklists.store import save_checklist
from db import connect, migrate
from org import store

AUDITORS = 50
SAVES = 20
ROUNDS = 4
THINK = 0.5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare(database: str) -> tuple[list[str], int, object]:
    db = connect(database)
    migrate(db)
    branch_id = store.create_branch(db, "B1", "Bench branch", "North")
    document = spec.load((LIBRARY / "store-visit.yaml").read_text(), "yaml")
    save_checklist(db, document)
    tokens = []
    for n in range(AUDITORS):
        user_id = store.create_user(db, f"auditor{n}@bench.test", "auditor", "bench-password")
        tokens.append(store.create_token(db, user_id))
    db.conn.close()
    return tokens, branch_id, checklist_from_dict(document, 1)


def _percentile(samples: list[float], p: float) -> float:
    samples = sorted(samples)
    return samples[min(len(samples) - 1, int(len(samples) * p))]


def _run_clients(port: int, work, think: float = 0.0) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()

    def client(n):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        if think:
            # Auditors are not in step: each starts at a random moment of the first pause, as in a
            # steady stream of independent saves. Started together, the 50 first saves arrived within
            # 0.1 s and queued behind one another: those 5% of the samples were the whole p95.
            time.sleep(think * random.random())
        for method, path, body, headers in work(n):
            start = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            assert response.status < 300, (path, response.status)
            if think:
                time.sleep(think * (0.5 + random.random()))
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(AUDITORS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def _disk_syncs(folder: str, samples: int = 200) -> list[float]:
    """fdatasync of a 4 KB page overwritten in place, beside the database: what the disk alone
    costs a durable save (no SQLite, no server)."""
    path = f"{folder}/sync-probe"
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        os.write(fd, bytes(4096 * 64))
        os.fsync(fd)
        latencies = []
        for n in range(samples):
            os.pwrite(fd, n.to_bytes(4096, "big"), 4096 * (n % 64))
            start = time.perf_counter()
            os.fdatasync(fd)
            latencies.append(time.perf_counter() - start)
        return latencies
    finally:
        os.close(fd)
        os.unlink(path)


@contextmanager
def _server(database: str, synchronous: str = "FULL"):
    """bench.serve (waitress) on a free port until the block ends; yield the port."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "bench.serve", database, str(port), synchronous])
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait()


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as folder:
        database = f"{folder}/bench.db"
        tokens, branch_id, checklist = _prepare(database)
        with _server(database) as port:
            items = [item for _s, item in checklist.items() if item.type == "yes_no"]

            def saves(audit_ids, revisions):
                """Each auditor n saves these revisions of their audit audit_ids[n], one more item
                answered each time."""

                def work(n):
                    headers = {"Authorization": f"Bearer {tokens[n]}", "Content-Type": "application/json"}
                    for revision in revisions:
                        answers = {
                            items[r % len(items)].id: {"value": "yes" if r % 3 else "no", "comment": "ok"}
                            for r in range(1, revision + 1)
                        }
                        document = {
                            "checklist_id": checklist.id,
                            "checklist_version": 1,
                            "branch_id": branch_id,
                            "visited_at": "2026-10-05T14:30:00+02:00",
                            "revision": revision,
                            "answers": answers,
                        }
                        yield "PUT", f"/api/v1/audits/{audit_ids[n]}", json.dumps(document), headers

                return work

            def bare(count):
                def work(n):
                    body = json.dumps({"answers": {f"item-{i}": {"value": "yes"} for i in range(10)}})
                    headers = {"Authorization": f"Bearer {tokens[n]}", "Content-Type": "application/json"}
                    for _ in range(count):
                        yield "PUT", "/__bare", body, headers

                return work

            def new_audits():
                return [str(uuid.uuid4()) for _ in range(AUDITORS)]

            every_save = range(1, SAVES + 1)
            list(_run_clients(port, bare(SAVES)))  # warm-up
            floor = _run_clients(port, bare(SAVES))
            real = _run_clients(port, saves(new_audits(), every_save))
            # An auditor answers an item every few seconds; 0.5 s between saves is already brisk.
            # The floor and the saves take turns, ROUNDS times, so that a change in what the other
            # users of the machine do weighs on both alike.
            paced_floor, paced, audit_ids = [], [], new_audits()
            for first in range(1, SAVES + 1, SAVES // ROUNDS):
                paced_floor += _run_clients(port, bare(SAVES // ROUNDS), THINK)
                paced += _run_clients(port, saves(audit_ids, range(first, first + SAVES // ROUNDS)), THINK)
            disk = _disk_syncs(folder)
        # The same saves without waiting for the disk at each commit: what synchronous=FULL costs.
        with _server(database, "NORMAL") as port:
            unsynced = _run_clients(port, saves(new_audits(), every_save), THINK)
    return [
        Row(
            f"save p50, {AUDITORS} auditors, about {THINK} s between saves",
            statistics.median(paced) * 1000,
            statistics.median(paced_floor) * 1000,
            "ms",
            "≤ 2× a bare authenticated call",
        ),
        Row(
            "save p95, same",
            _percentile(paced, 0.95) * 1000,
            _percentile(paced_floor, 0.95) * 1000,
            "ms",
            "≤ 3× a bare authenticated call",
        ),
        Row(
            "fdatasync of a 4 KB page on this disk, p50",
            statistics.median(disk) * 1000,
            statistics.median(paced_floor) * 1000,
            "ms",
            "what the disk alone adds to a durable save",
        ),
        Row(
            "save p50 with synchronous=NORMAL (not used: shows the fsync)",
            statistics.median(unsynced) * 1000,
            statistics.median(paced_floor) * 1000,
            "ms",
        ),
        Row(
            f"save p95, {AUDITORS} auditors saving back to back",
            _percentile(real, 0.95) * 1000,
            _percentile(floor, 0.95) * 1000,
            "ms",
            "stress: requests queue on 2 cores",
        ),
    ]
