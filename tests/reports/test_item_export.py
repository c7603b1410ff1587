"""The item-level raw export (CSV and XLSX) and the XLSX formatting of every export."""

import csv
import io
import re
import zipfile

from tests.conftest import publish


def sheet_of(data: bytes) -> dict[str, str]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name).decode() for name in archive.namelist()}


def test_one_csv_row_per_answered_item_with_the_engines_points(client, actions, db, company):
    audit_id = publish(db, company, "N1", "2026-10-03T10:00:00+01:00", "yes", "na", "no", "ann")
    publish(db, company, "S1", "2026-09-03T10:00:00+01:00", "yes", "yes", "yes")  # another period
    headers = actions.token("admin")
    response = client.get("/reports/items.csv?period=2026-10", headers=headers)
    assert response.mimetype == "text/csv"
    assert 'filename="items-2026-10.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [
        (
            r["Audit"],
            r["Branch"],
            r["Region"],
            r["Section"],
            r["Item"],
            r["Standard"],
            r["Answer"],
            r["Earned"],
            r["Possible"],
        )
        for r in rows
    ] == [
        (audit_id, "Northgate", "North", "Greeting", "Said hello", "Greet everyone", "yes", "1.0", "1.0"),
        (audit_id, "Northgate", "North", "Greeting", "Smiled", "Smile", "N/A", "", ""),
        (audit_id, "Northgate", "North", "Paying", "Receipt offered", "Offer a receipt", "no", "0.0", "2.0"),
    ]
    assert {r["Visited at"] for r in rows} == {"2026-10-03T10:00:00+01:00"}
    assert {(r["Checklist"], r["Checklist version"]) for r in rows} == {("mini", "1")}


def test_the_item_export_follows_the_filters_and_the_managers_reach(client, actions, db, company):
    publish(db, company, "N1", "2026-10-03T10:00:00+01:00", "yes", "yes", "yes", "ann")
    publish(db, company, "S1", "2026-10-04T10:00:00+01:00", "yes", "yes", "yes")
    admin = actions.token("admin")
    only_s1 = client.get(f"/reports/items.csv?period=2026-10&branch={company['S1']}", headers=admin)
    assert {r["Branch"] for r in csv.DictReader(io.StringIO(only_s1.get_data(as_text=True)))} == {"Southend"}
    manager = actions.token("manager", branches=[company["N1"]])
    mine = client.get("/reports/items.csv?period=2026-10", headers=manager)
    assert {r["Branch"] for r in csv.DictReader(io.StringIO(mine.get_data(as_text=True)))} == {"Northgate"}
    assert client.get("/reports/items.csv?period=13", headers=admin).status_code == 400


def test_the_item_xlsx_holds_the_same_rows(client, actions, db, company):
    publish(db, company, "N1", "2026-10-03T10:00:00+01:00", "yes", "no", "yes", "ann")
    response = client.get("/reports/items.xlsx?period=2026-10", headers=actions.token("reviewer"))
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = sheet_of(response.data)["xl/worksheets/sheet1.xml"]
    assert len(re.findall(r"<row ", sheet)) == 4  # the header and three items
    assert "<t>Receipt offered</t>" in sheet and "<v>2.0</v>" in sheet


def test_xlsx_exports_freeze_the_header_size_columns_and_format_percents(client, actions, db, company):
    publish(db, company, "N1", "2026-10-03T10:00:00+01:00", "yes", "no", "yes", "ann")
    files = sheet_of(
        client.get("/reports/comparison.xlsx?period=2026-10", headers=actions.token("admin")).data
    )
    sheet = files["xl/worksheets/sheet1.xml"]
    assert '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' in sheet
    widths = re.findall(r'<col min="(\d+)" max="\d+" width="(\d+)" customWidth="1"/>', sheet)
    assert len(widths) == 12 and all(8 <= int(w) <= 60 for _c, w in widths)
    assert '<c r="A1" s="1" t="inlineStr"><is><t>Rank</t>' in sheet  # the bold header style
    assert '<c r="E2" s="2"><v>75.0</v></c>' in sheet  # Score %: the percent style, the number unchanged
    assert 'formatCode="0.0&quot;%&quot;"' in files["xl/styles.xml"]
    assert (
        "styles.xml" in files["xl/_rels/workbook.xml.rels"] and "styles+xml" in files["[Content_Types].xml"]
    )
