"""Clients that lose connections and retry with the same UUID never duplicate or lose an audit."""

import json
import random
import threading
import uuid

from werkzeug.serving import make_server

from tests.reliability.conftest import document

AUDITS = 1000


def test_a_thousand_submissions_through_a_flaky_network(client, db, quick):
    rng = random.Random(8)
    headers = {"Authorization": f"Bearer {quick['token']}"}
    expected = {}
    drops = {"before": 0, "after": 0}

    def flaky(send):
        """Send until an answer arrives: the request may be lost on the way, or its answer on the way back."""
        while True:
            fate = rng.random()
            if fate < 0.15:
                drops["before"] += 1
                continue  # the request never reached the server
            response = send()
            if fate < 0.30:
                drops["after"] += 1
                continue  # the server answered, the phone never heard it
            return response

    for n in range(AUDITS):
        audit_id = str(uuid.uuid4())
        value = rng.choice(["yes", "no"])
        body = document(quick["branch_id"], 1, value, note=f"audit {n}")
        saved = flaky(
            lambda audit_id=audit_id, body=body: client.put(
                f"/api/v1/audits/{audit_id}", json=body, headers=headers
            )
        )
        assert saved.status_code in (200, 201)
        submitted = flaky(
            lambda audit_id=audit_id: client.post(f"/api/v1/audits/{audit_id}/submit", headers=headers)
        )
        assert submitted.status_code == 200 and submitted.get_json()["status"] == "submitted"
        expected[audit_id] = body["answers"]
    assert drops["before"] > 100 and drops["after"] > 100
    rows = db.execute("select audit_id, document, status from audits").fetchall()
    assert len(rows) == AUDITS
    assert {r[0]: json.loads(r[1])["answers"] for r in rows} == expected
    assert {r[2] for r in rows} == {"submitted"}
    assert db.execute("select count(*) from audit_trail where action = 'submitted'").fetchone()[0] == AUDITS


def test_two_devices_saving_one_audit_the_higher_revision_always_wins(app, db, quick):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        import http.client

        audit_id = str(uuid.uuid4())
        headers = {"Authorization": f"Bearer {quick['token']}", "Content-Type": "application/json"}
        revisions = list(range(1, 81))
        random.Random(3).shuffle(revisions)
        devices = [revisions[0::2], revisions[1::2]]

        def device(mine):
            conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
            for revision in mine:
                body = json.dumps(document(quick["branch_id"], revision, note=f"revision {revision}"))
                conn.request("PUT", f"/api/v1/audits/{audit_id}", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                assert response.status in (200, 201)
            conn.close()

        threads = [threading.Thread(target=device, args=(mine,)) for mine in devices]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.shutdown()
        thread.join()
    stored = json.loads(db["audits"].get(audit_id)["document"])
    assert stored["revision"] == 80
    assert stored["answers"]["b"] == {"value": "revision 80"}
    assert db["audits"].count == 1
