"""Bulk import of branches, employees and users from CSV: dry run, all or nothing, every bad line and
column named, and importing the same file again changes nothing."""

import io
import re

import pytest

from org import store
from tests.conftest import csrf_token

BRANCHES = b"code,name,region,address,staff_informed\nN1,Northgate,North,1 High St,yes\nN2,Newtown,North,,no\nS1,Southend,South,,\n"
EMPLOYEES = b"branch_code,name\nN1,Ann Lee\nN1,Bob Ray\nN2,Cy Dee\n"
USERS = b"email,name,role,branches\nmia@example.com,Mia,manager,N1;N2\nsam@example.com,Sam,auditor,\n"


def post(client, headers, kind, data, dry_run=False):
    url = f"/api/v1/import/{kind}" + ("?dry_run=1" if dry_run else "")
    return client.post(url, data=data, headers=headers | {"Content-Type": "text/csv"})


def test_a_dry_run_shows_the_changes_and_stores_nothing(client, actions, db):
    headers = actions.token("admin")
    response = post(client, headers, "branches", BRANCHES, dry_run=True)
    assert response.status_code == 200
    result = response.get_json()
    assert (result["created"], result["updated"], result["unchanged"], result["dry_run"]) == (3, 0, 0, True)
    assert result["changes"][0] == {
        "line": 2,
        "action": "create",
        "key": "N1",
        "changes": {"name": "Northgate", "region": "North", "address": "1 High St", "staff_informed": True},
    }
    assert db["branches"].count == 0


def test_import_then_reimport_changes_nothing_then_a_changed_line_updates(client, actions, db):
    headers = actions.token("admin")
    assert post(client, headers, "branches", BRANCHES).get_json()["created"] == 3
    assert post(client, headers, "employees", EMPLOYEES).get_json()["created"] == 3
    assert post(client, headers, "users", USERS).get_json()["created"] == 2
    before = {t: list(db[t].rows) for t in ("branches", "regions", "employees", "manager_branches")}
    users_before = db.execute("select user_id, email, name, role, password_hash from users").fetchall()
    for kind, data in (("branches", BRANCHES), ("employees", EMPLOYEES), ("users", USERS)):
        again = post(client, headers, kind, data).get_json()
        assert (again["created"], again["updated"]) == (0, 0), kind
    assert {t: list(db[t].rows) for t in before} == before
    assert (
        db.execute("select user_id, email, name, role, password_hash from users").fetchall() == users_before
    )
    assert db["mail_queue"].count == 2  # one invitation each, not again
    branch = store.get_branch(db, store.branch_id_by_code(db, "N1"))
    assert (branch["region"], branch["staff_informed"], branch["employees"]) == ("North", True, 2)
    changed = BRANCHES.replace(b"N2,Newtown,North", b"N2,Newtown Centre,South")
    result = post(client, headers, "branches", changed).get_json()
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 1, 2)
    assert result["changes"][1]["changes"] == {
        "name": ["Newtown", "Newtown Centre"],
        "region": ["North", "South"],
    }
    mia = store.user_by_email(db, "mia@example.com")
    assert (mia["role"], len(mia["branch_ids"])) == ("manager", 2)


def test_every_bad_line_and_column_is_named_and_nothing_is_stored(client, actions, db):
    headers = actions.token("admin")
    bad = b"code,name,region,staff_informed\nN1,Northgate,North,yes\nbad code,X,North,no\nN3,,North,maybe\nN1,Again,North,no\n"
    response = post(client, headers, "branches", bad)
    assert response.status_code == 422
    body = response.get_json()
    assert body["fields"] == {
        "line 3.code": ["Use letters, digits, '-', '_' or '.'."],
        "line 4.name": ["Required."],
        "line 4.staff_informed": ["'maybe' is not yes or no."],
        "line 5.code": ["Repeats line 2."],
    }
    assert "3 line(s) have problems; nothing was imported." == body["error"]
    assert db["branches"].count == 0


def test_references_to_unknown_branches_are_named(client, actions, db):
    headers = actions.token("admin")
    post(client, headers, "branches", BRANCHES)
    response = post(client, headers, "employees", b"branch_code,name\nN1,Ann\nX9,Zed\n")
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"line 3.branch_code": ["No branch has the code 'X9'."]}
    users = b"email,role,branches\nnot-an-email,auditor,\nmo@example.com,manager,\nlu@example.com,manager,N1 X9\nbo@example.com,boss,\n"
    fields = post(client, headers, "users", users).get_json()["fields"]
    assert set(fields) == {"line 2.email", "line 3.branches", "line 5.role"}
    fields = post(
        client, headers, "users", b"email,role,branches\nlu@example.com,manager,N1 X9\n"
    ).get_json()["fields"]
    assert fields == {"line 2.branches": ["No branch has the code 'X9'."]}
    assert db["employees"].count == 0 and db["users"].count == 1


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        (b"code,name\nN1,North\n", "header", "Missing column(s): region."),
        (b"code,name,region,colour\nN1,North,N,red\n", "header", "Unknown column(s): colour"),
        (b"", "file", "The file is empty."),
        (b"code,name,region\n", "file", "The file has a header but no rows."),
        (b"code,name,region\nN1,Z\xfcrich,North\n", "file", "Line 2 is not UTF-8 text"),
        (b"code,name,region\nN1,North\n", "line 2", "2 cells where the header has 3."),
    ],
)
def test_malformed_files_are_422_naming_where(client, actions, db, data, where, message):
    response = post(client, actions.token("admin"), "branches", data)
    assert response.status_code == 422
    assert message in " ".join(response.get_json()["fields"][where])
    assert db["branches"].count == 0


def test_a_huge_file_is_413(client, actions, db):
    data = b"code,name,region\n" + b"N1,North,North\n" * (17 * 1024 * 1024 // 15)
    assert post(client, actions.token("admin"), "branches", data).status_code == 413
    assert db["branches"].count == 0


def test_import_org_from_the_command_line_reads_the_kind_from_the_header(runner, db, tmp_path):
    path = tmp_path / "branches.csv"
    path.write_bytes(BRANCHES)
    dry = runner.invoke(args=["import-org", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "branches: 3 would be created" in dry.output
    assert db["branches"].count == 0
    assert "branches: 3 were created" in runner.invoke(args=["import-org", str(path)]).output
    again = runner.invoke(args=["import-org", str(path)])
    assert "0 were created, 0 were updated, 3 unchanged" in again.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"code,name,region\nN9,,North\n")
    result = runner.invoke(args=["import-org", str(bad)])
    assert result.exit_code != 0 and "line 2.name: Required." in result.output
    odd = tmp_path / "odd.csv"
    odd.write_bytes(b"colour\nred\n")
    assert "Cannot tell from the header" in runner.invoke(args=["import-org", str(odd)]).output


def test_import_upload_preview_confirm(client, db, actions):
    actions.login_as("admin")
    store.create_branch(db, "N1", "Northgate", "North")
    data = b"code,name,region\nN1,Northgate,North\nS1,Southend,South\n"
    response = client.post(
        "/import",
        data={
            "kind": "branches",
            "file": (io.BytesIO(data), "branches.csv"),
            "csrf_token": csrf_token(client, "/import"),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "1 to create, 0 to update, 1 unchanged" in page
    assert db["branches"].count == 1
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    confirm = client.post(
        "/import/confirm", data={"kind": "branches", "csv_text": data.decode(), "csrf_token": token}
    )
    assert confirm.status_code == 302
    assert store.branch_id_by_code(db, "S1") is not None
    bad = client.post(
        "/import",
        data={
            "kind": "branches",
            "file": (io.BytesIO(b"code,name,region\nS9,,South\n"), "b.csv"),
            "csrf_token": csrf_token(client, "/import"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "line 2.name" in bad.get_data(as_text=True)
