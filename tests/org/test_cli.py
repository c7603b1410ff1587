import pytest

from app import create_app
from org import store


def test_create_user_with_branches(runner, db, actions):
    actions.branch("LDN-01")
    result = runner.invoke(
        args=[
            "create-user",
            "Boss@Example.com",
            "--role",
            "manager",
            "--password",
            "secret-pass",
            "--branch",
            "LDN-01",
        ]
    )
    assert result.exit_code == 0, result.output
    user = store.user_by_email(db, "boss@example.com")
    assert user["role"] == "manager"
    assert user["branch_ids"] == [store.branch_id_by_code(db, "LDN-01")]
    assert store.authenticate(db, "boss@example.com", "secret-pass") is not None


def test_create_user_without_password_prints_one(runner, db):
    result = runner.invoke(args=["create-user", "a@example.com", "--role", "auditor"])
    assert result.exit_code == 0
    password = result.output.strip().splitlines()[-1].removeprefix("Password: ")
    assert store.authenticate(db, "a@example.com", password) is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x@example.com", "--role", "boss"], "Invalid value for '--role'"),
        (["x@example.com", "--role", "manager", "--branch", "NOPE"], "No branch has the code 'NOPE'"),
        (["x@example.com", "--role", "auditor", "--password", "short"], "at least 8 characters"),
        (["admin@example.com", "--role", "auditor", "--password", "long enough"], "already exists"),
    ],
)
def test_create_user_refuses_bad_input(runner, db, actions, args, message):
    actions.user("admin")
    result = runner.invoke(args=["create-user", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert db["users"].count == 1


def test_create_token_prints_it_alone_on_the_last_line(runner, client, actions):
    actions.user("reviewer")
    result = runner.invoke(args=["create-token", "reviewer@example.com"])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("vs_") and " " not in token
    me = client.get("/api/v1/", headers={"Authorization": f"Bearer {token}"}).get_json()["user"]
    assert me["email"] == "reviewer@example.com"


def test_create_token_for_unknown_user_fails_clearly(runner):
    result = runner.invoke(args=["create-token", "ghost@example.com"])
    assert result.exit_code == 1
    assert "No active user has the email 'ghost@example.com'" in result.output


def test_seed_demo_builds_a_company_and_is_safe_twice(runner, db):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = {t: db[t].count for t in ("regions", "branches", "employees", "users")}
    assert counts["regions"] >= 3 and counts["branches"] >= 12 and counts["employees"] >= 40
    assert {r[0] for r in db.execute("select role from users")} == {"admin", "reviewer", "auditor", "manager"}
    for email in ("admin@demo.visitscore.app", "manager@demo.visitscore.app"):
        assert email in first.output
    assert db["checklists"].count >= 5
    assert db["assignments"].count >= 4
    audits = db["audits"].count
    assert audits >= 100
    statuses = {r[0] for r in db.execute("select distinct status from audits")}
    assert statuses == {"published", "submitted", "returned"}
    # Two years of history, so every trend chart has a line on a fresh install.
    months = [r[0] for r in db.execute("select distinct period_month from audits order by 1")]
    assert len(months) == 24
    assert db.execute(
        "select count(distinct period_month) from audits where status = 'published'"
    ).fetchone() == (24,)
    assert db["appeals"].count >= 1 and db["action_items"].count >= 1
    # Every source of quality has content at once: survey answers, recorded calls, KPI values.
    sources = {t: db[t].count for t in ("survey_responses", "recordings", "kpis", "kpi_values")}
    assert sources["survey_responses"] >= 100 and sources["recordings"] >= 1
    assert sources["kpis"] == 3 and sources["kpi_values"] >= 100
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert {t: db[t].count for t in counts} == counts
    assert {t: db[t].count for t in sources} == sources
    assert db["checklist_versions"].count == db["checklists"].count
    assert db["audits"].count == audits


def test_init_db_creates_the_database(tmp_path, monkeypatch):
    path = tmp_path / "fresh.db"
    app = create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "x"})
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0
    assert str(path) in result.output


def test_every_command_has_help(app, runner):
    for name, command in app.cli.commands.items():
        if name in ("run", "shell", "routes"):
            continue
        assert command.help, name
        assert runner.invoke(args=[name, "--help"]).exit_code == 0
