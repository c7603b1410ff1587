import io
import math
import re
import struct
import wave

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from audits import recordings, review
from audits import store as audits_store
from tests.audits.conftest import design_document

AUDIT = "6f1e2d3c-4b5a-4697-8877-665544332211"
REC = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
REC2 = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e"


def wav_bytes(seconds: float = 0.2, rate: int = 8000) -> bytes:
    """A short sine tone as WAV, made with the standard library."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(
            b"".join(
                struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate)))
                for n in range(int(seconds * rate))
            )
        )
    return out.getvalue()


@pytest.mark.parametrize(
    "data, expected",
    [
        (wav_bytes(), "audio/wav"),
        (b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 300, "audio/mpeg"),
        (b"OggS" + b"\x00" * 300, "audio/ogg"),
        (b"\x00\x00\x00\x20ftypM4A " + b"\x00" * 300, "audio/mp4"),
    ],
)
def test_the_type_comes_from_the_content(data, expected):
    assert recordings.process(data).content_type == expected


@pytest.mark.parametrize(
    "data",
    [b"just text, claiming to be audio", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, b"%PDF-1.7\n" + b"x" * 100],
)
def test_anything_else_is_415(data):
    with pytest.raises(recordings.RecordingError) as caught:
        recordings.process(data)
    assert caught.value.status == 415


# Through the API: upload, idempotency, sniffing, limits, scope


@pytest.fixture
def auditor(client, actions, visit_setup):
    headers = actions.token("auditor")
    response = client.put(
        f"/api/v1/audits/{AUDIT}",
        json=design_document(visit_setup["branch_id"], visit_setup["ana"]),
        headers=headers,
    )
    assert response.status_code == 201
    return headers


def put(client, headers, data, recording_id=REC, content_type="audio/wav", audit_id=AUDIT):
    return client.put(
        f"/api/v1/audits/{audit_id}/recordings/{recording_id}",
        data=data,
        headers={**headers, "Content-Type": content_type},
    )


def test_upload_is_idempotent_and_typed_by_content(client, auditor, db):
    data = wav_bytes()
    first = put(client, auditor, data, content_type="application/octet-stream")
    assert first.status_code == 201
    assert first.json["content_type"] == "audio/wav"
    assert first.json["bytes"] == len(data)
    again = put(client, auditor, data)
    assert again.status_code == 200
    assert again.json == first.json
    assert db["recordings"].count == 1
    assert db["recordings"].get(REC)["audio"] == data


def test_multipart_upload(client, auditor, db):
    response = client.put(
        f"/api/v1/audits/{AUDIT}/recordings/{REC}",
        data={"recording": (io.BytesIO(wav_bytes()), "call.wav")},
        headers=auditor,
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    assert db["recordings"].get(REC)["content_type"] == "audio/wav"


def test_a_text_file_sent_as_audio_is_415(client, auditor, db):
    response = put(client, auditor, b"not audio at all, whatever the header says", content_type="audio/mpeg")
    assert response.status_code == 415
    assert "recording" in response.json["fields"]
    assert db["recordings"].count == 0


def test_above_25_mb_is_413_and_up_to_it_is_accepted(client, auditor, db):
    # Larger than the app's 16 MB body limit for other uploads, still within 25 MB: accepted.
    header = wav_bytes(0.01)
    big = header + b"\x00" * (20 * 1024 * 1024)
    assert put(client, auditor, big).status_code == 201
    too_big = header + b"\x00" * (25 * 1024 * 1024)
    response = put(client, auditor, too_big, recording_id=REC2)
    assert response.status_code == 413
    assert db["recordings"].count == 1


def test_one_uuid_belongs_to_one_audit(client, auditor, actions, visit_setup, db):
    assert put(client, auditor, wav_bytes()).status_code == 201
    other = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
    client.put(
        f"/api/v1/audits/{other}",
        json=design_document(visit_setup["branch_id"], visit_setup["ana"]),
        headers=auditor,
    )
    assert put(client, auditor, wav_bytes(), audit_id=other).status_code == 409


def test_bad_uuid_and_someone_elses_audit(client, auditor, actions):
    assert put(client, auditor, wav_bytes(), recording_id="not-a-uuid").status_code == 404  # no such route
    stranger = actions.token("auditor", "other@example.com")
    assert put(client, stranger, wav_bytes()).status_code == 404
    assert put(client, actions.token("manager"), wav_bytes()).status_code == 403


def publish(db, actions):
    reviewer = actions.user("reviewer")
    auditor = actions.user("auditor")
    audits_store.submit_audit(db, AUDIT, auditor)
    review.approve(db, AUDIT, reviewer)


@pytest.mark.parametrize("informed", [True, False])
def test_managers_hear_recordings_only_where_staff_are_informed(
    client, auditor, actions, db, visit_setup, informed
):
    assert put(client, auditor, wav_bytes()).status_code == 201
    publish(db, actions)
    db["branches"].update(visit_setup["branch_id"], {"staff_informed": int(informed)})
    url = f"/audits/{AUDIT}/recordings/{REC}"
    actions.login_as("manager", branches=[visit_setup["branch_id"]])
    page = client.get(f"/audits/{AUDIT}").get_data(as_text=True)
    if informed:
        assert client.get(url).status_code == 200
        assert f'<audio controls preload="metadata" src="{url}"' in page
    else:
        assert client.get(url).status_code == 404
        assert "<audio" not in page and "head office only" in page


def test_the_reviewer_plays_it_on_the_review_page_with_byte_ranges(client, auditor, actions, db):
    data = wav_bytes()
    assert put(client, auditor, data).status_code == 201
    audits_store.submit_audit(db, AUDIT, actions.user("auditor"))
    actions.login_as("reviewer")
    page = client.get(f"/audits/{AUDIT}").get_data(as_text=True)
    assert "Approve and publish" in page and "<audio controls" in page
    whole = client.get(f"/audits/{AUDIT}/recordings/{REC}")
    assert whole.status_code == 200 and whole.mimetype == "audio/wav" and whole.data == data
    part = client.get(f"/audits/{AUDIT}/recordings/{REC}", headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.data == data[:100]


def test_no_new_recording_once_submitted(client, auditor, actions, db):
    audits_store.submit_audit(db, AUDIT, actions.user("auditor"))
    assert put(client, auditor, wav_bytes()).status_code == 409


def test_purge_deletes_old_recordings_and_keeps_the_score(client, auditor, runner, db):
    assert put(client, auditor, wav_bytes()).status_code == 201
    percent = db["audits"].get(AUDIT)["percent"]
    result = runner.invoke(args=["purge-employee-data", "--months", "120"])
    assert "0 call recording(s)" in result.output and db["recordings"].count == 1
    db["audits"].update(AUDIT, {"visited_utc": "2016-01-05T12:00:00+00:00"})
    result = runner.invoke(args=["purge-employee-data", "--months", "120"])
    assert result.exit_code == 0, result.output
    assert "1 call recording(s)" in result.output
    assert db["recordings"].count == 0
    assert db["audits"].get(AUDIT)["percent"] == percent
    actions_logged = [
        r["action"] for r in db.query("select action from audit_trail where audit_id = ?", [AUDIT])
    ]
    assert "recordings_removed" in actions_logged


def test_the_visit_page_of_a_phone_review_takes_a_recording(client, actions, db, visit_setup):
    from checklists.cli import LIBRARY, checklist_files, import_files

    import_files(db, checklist_files(LIBRARY))
    actions.login_as("auditor")
    audit_id = "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"
    form = f"/audits/{audit_id}/form?branch={visit_setup['branch_id']}&checklist=telephone-call"
    page = client.get(form).get_data(as_text=True)
    assert "Add a recording" in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    # More than the app's 16 MB limit for other bodies, within the 25 MB of a recording.
    big = wav_bytes(0.01) + b"\x00" * (17 * 1024 * 1024)
    action = re.search(r'action="(/audits/[^"]+/recordings[^"]*)"', page).group(1).replace("&amp;", "&")
    # Encoded here: the test client would spool a body this large to a temporary file it never closes.
    upload = FileStorage(io.BytesIO(big), "call.wav", "recording")
    boundary, body = encode_multipart({"csrf_token": token, "recording": upload})
    response = client.post(action, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 302
    assert db["recordings"].count_where("audit_id = ?", [audit_id]) == 1
    page = client.get(f"/audits/{audit_id}/form").get_data(as_text=True)
    assert "<audio controls" in page
    refused = client.post(
        f"/audits/{audit_id}/recordings",
        data={"csrf_token": token, "recording": (io.BytesIO(b"hello"), "call.mp3")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "not a recording Visitscore accepts" in refused.get_data(as_text=True)
    assert db["recordings"].count_where("audit_id = ?", [audit_id]) == 1


def test_the_library_telephone_checklist_is_a_phone_review():
    from checklists import spec
    from checklists.cli import LIBRARY
    from checklists.model import checklist_from_dict

    text = (LIBRARY / "telephone-call.yaml").read_text()
    assert checklist_from_dict(spec.load(text, "yaml")).channel == "phone"
