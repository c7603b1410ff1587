import pytest

from reports.kpis import KpiImportError, meets_target, parse_values

WAIT = {"code": "wait", "name": "Waiting time", "unit": "min", "better": "lower", "target": 5}
FCR = {"code": "fcr", "name": "First-call resolution", "unit": "%", "better": "higher", "target": 80}
CSV = "branch_code,kpi_code,period,value\nN1,wait,2026-10,4.5\nN1,fcr,2026-10,82\nN2,wait,2026-10,6\n"


@pytest.fixture
def admin(client, actions):
    actions.branch("N1", "Northgate", "North")
    actions.branch("N2", "Newtown", "North")
    headers = actions.token("admin")
    for kpi in (WAIT, FCR):
        assert client.post("/api/v1/kpis", json=kpi, headers=headers).status_code == 201
    return headers


def post_csv(client, headers, text):
    return client.post("/api/v1/kpis/values", data=text, headers={**headers, "Content-Type": "text/csv"})


def stored(db):
    return [
        (r["code"], r["kpi_code"], r["period_month"], r["value"])
        for r in db.query(
            """select b.code, v.kpi_code, v.period_month, v.value, v.imported_at
                 from kpi_values v join branches b using (branch_id) order by 1, 2, 3"""
        )
    ]


def test_import_and_reimport_changes_nothing(client, admin, db):
    response = post_csv(client, admin, CSV)
    assert response.status_code == 200
    assert response.json == {"imported": 3}
    before = list(db.query("select * from kpi_values order by 1, 2, 3"))
    assert stored(db) == [
        ("N1", "fcr", "2026-10", 82.0),
        ("N1", "wait", "2026-10", 4.5),
        ("N2", "wait", "2026-10", 6.0),
    ]
    again = post_csv(client, admin, CSV)
    assert again.json == {"imported": 3}
    assert list(db.query("select * from kpi_values order by 1, 2, 3")) == before  # imported_at too


def test_a_new_value_for_the_same_month_replaces_the_old(client, admin, db):
    post_csv(client, admin, CSV)
    assert post_csv(client, admin, "N2,wait,2026-10,5.5\n").json == {"imported": 1}
    assert ("N2", "wait", "2026-10", 5.5) in stored(db)
    assert len(stored(db)) == 3


def test_bad_lines_are_named_and_nothing_is_stored(client, admin, db):
    text = (
        "branch_code,kpi_code,period,value\n"
        "N1,wait,2026-10,4\n"
        "X9,wait,2026-10,3\n"
        "N1,nope,2026-10,3\n"
        "N1,wait,October,3\n"
        "N1,fcr,2026-10,lots\n"
        "N1,wait,2026-10,5\n"
        "N1,wait\n"
    )
    response = post_csv(client, admin, text)
    assert response.status_code == 422
    assert response.json["fields"]["csv"] == [
        "line 3: unknown branch X9",
        "line 4: unknown KPI nope",
        "line 5: period 'October' is not a month (YYYY-MM)",
        "line 6: value 'lots' is not a number",
        "line 7: N1 wait 2026-10 is already given on line 2",
        "line 8: expected 4 columns (branch_code,kpi_code,period,value), found 2",
    ]
    assert stored(db) == []


@pytest.mark.parametrize(
    "text", ["", "branch_code,kpi_code,period,value\n", "N1,wait,2026-10,nan\n", "N1,wait,2026-10,inf\n"]
)
def test_empty_or_non_finite_is_422(client, admin, db, text):
    assert post_csv(client, admin, text).status_code == 422
    assert stored(db) == []


def test_kpi_definitions(client, admin):
    headers = admin
    assert client.post("/api/v1/kpis", json=WAIT, headers=headers).status_code == 409
    bad = client.post("/api/v1/kpis", json={**WAIT, "code": "x y", "better": "more"}, headers=headers)
    assert bad.status_code == 422
    assert set(bad.json["fields"]) == {"code", "better"}
    listed = client.get("/api/v1/kpis", headers=headers).json["kpis"]
    assert [k["code"] for k in listed] == ["fcr", "wait"]


def test_only_admins_import(client, admin, actions):
    assert post_csv(client, actions.token("reviewer"), CSV).status_code == 403
    assert post_csv(client, actions.token("manager"), CSV).status_code == 403


def test_the_cli_imports_all_or_nothing(client, admin, runner, db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("N1,wait,2026-10,4\nX9,wait,2026-10,3\n")
    result = runner.invoke(args=["import-kpis", str(bad)])
    assert result.exit_code == 1
    assert "line 2: unknown branch X9" in result.output
    assert stored(db) == []
    good = tmp_path / "good.csv"
    good.write_text(CSV)
    result = runner.invoke(args=["import-kpis", str(good)])
    assert result.exit_code == 0, result.output
    assert "3 KPI value(s) imported" in result.output
    assert len(stored(db)) == 3


@pytest.mark.parametrize(
    "value, target, better, met",
    [
        (4, 5, "lower", True),
        (5, 5, "lower", True),
        (6, 5, "lower", False),
        (80, 80, "higher", True),
        (79.9, 80, "higher", False),
        (None, 80, "higher", None),
    ],
)
def test_meets_target(value, target, better, met):
    assert meets_target(value, target, better) is met


def test_parse_values_is_pure():
    values = parse_values("N1,wait,2026-10,4\n", {"N1"}, {"wait"})
    assert [(v.branch_code, v.kpi_code, v.period, v.value) for v in values] == [
        ("N1", "wait", "2026-10", 4.0)
    ]
    with pytest.raises(KpiImportError):
        parse_values("N1,wait,2026-13,4\n", {"N1"}, {"wait"})
