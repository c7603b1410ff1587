from datetime import UTC, datetime

from audits.cli import months_before
from tests.conftest import publish


def test_months_before():
    assert months_before(datetime(2026, 3, 15, 10, tzinfo=UTC), 24).isoformat() == "2024-03-01T00:00:00+00:00"
    assert months_before(datetime(2026, 1, 5, tzinfo=UTC), 1).isoformat()[:10] == "2025-12-01"


def test_purge_removes_old_employee_links_and_keeps_scores(runner, db, company):
    old = publish(db, company, "N1", "2020-05-03T10:00:00+01:00", "yes", "no", "yes", "ann")
    recent = datetime.now(UTC).replace(microsecond=0).isoformat()
    new = publish(db, company, "N1", recent, "yes", "no", "yes", "bob")
    before = db["audits"].get(old)["percent"]
    result = runner.invoke(args=["purge-employee-data", "--months", "24"])
    assert result.exit_code == 0 and "removed from 1 audit(s)" in result.output
    assert db.execute(
        "select employee_id from audit_sections where audit_id = ? and section_id = 'greet'", [old]
    ).fetchone() == (None,)
    assert '"employees":{}' in db["audits"].get(old)["document"]
    assert db["audits"].get(old)["percent"] == before
    assert db.execute(
        "select employee_id from audit_sections where audit_id = ? and section_id = 'greet'", [new]
    ).fetchone() == (company["bob"],)
    assert db.execute(
        "select action from audit_trail where audit_id = ? order by entry_id desc", [old]
    ).fetchone() == ("employee_links_removed",)
    assert runner.invoke(args=["purge-employee-data"]).output.startswith(
        "Employee links removed from 0 audit(s)"
    )
