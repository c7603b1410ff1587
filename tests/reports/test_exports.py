"""CSV and XLSX cells never run as formulas and never break the file."""

import csv
import io
import zipfile
from xml.dom import minidom

import pytest

from org import store
from reports.exports import safe_cell, table_csv, table_xlsx
from tests.conftest import publish


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\r=1", "'\r=1"),
        ("Covent Garden", "Covent Garden"),
        ("Bell\x07 \x00Street\x1f", "Bell Street"),
        ("\x01=1", "'=1"),
        (-5, -5),
        (72.5, 72.5),
        (None, None),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


ROW = {
    "rank": 1,
    "branch": '=HYPERLINK("http://evil.example","Click")',
    "code": "@X1",
    "region": "North\x0b\x00",
    "percent": 80.0,
    "change": -2.5,
    "audits": 1,
    "pass_rate": 100.0,
    "critical_failures": 0,
}


def test_csv_and_xlsx_writers_neutralise_every_text_cell():
    [row] = list(csv.DictReader(io.StringIO(table_csv([ROW]))))
    assert row["Branch"].startswith("'=") and row["Code"] == "'@X1" and row["Region"] == "North"
    assert row["Change (points)"] == "-2.5"
    sheet = zipfile.ZipFile(io.BytesIO(table_xlsx([ROW], "Comparison"))).read("xl/worksheets/sheet1.xml")
    texts = [t.firstChild.data for t in minidom.parseString(sheet).getElementsByTagName("t")]
    assert '\'=HYPERLINK("http://evil.example","Click")' in texts and "North" in texts
    assert b"<v>-2.5</v>" in sheet


def test_the_comparison_download_of_a_hostile_branch_name(client, actions, db, company):
    store.update_branch(db, company["N1"], name="=cmd|' /C calc'!A0\x1b")
    publish(db, company, "N1", "2026-10-05T10:00:00+00:00", "yes", "yes", "yes")
    headers = actions.token("admin")
    text = client.get("/reports/comparison.csv?period=2026-10", headers=headers).get_data(as_text=True)
    assert "'=cmd|' /C calc'!A0" in text and "\x1b" not in text
    xlsx = client.get("/reports/comparison.xlsx?period=2026-10", headers=headers).data
    minidom.parseString(zipfile.ZipFile(io.BytesIO(xlsx)).read("xl/worksheets/sheet1.xml"))
