"""CSV and XLSX cells never run as formulas and never break the file."""

import csv
import io
import zipfile
from xml.dom import minidom

import openpyxl
import pytest

from org import store
from reports.exports import ITEM_COLUMNS, safe_cell, table_csv, table_xlsx
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


# The writers read back as a spreadsheet program reads them (openpyxl for XLSX).

LEAGUE = [
    {
        "rank": 1,
        "branch": "Northgate",
        "code": "N1",
        "region": "North",
        "percent": 87.5,
        "low": 51.0,
        "high": 100.0,
        "signal": "above",
        "change": 87.5,
        "audits": 2,
        "pass_rate": 100.0,
        "critical_failures": 0,
    },
    {
        "rank": None,
        "branch": "Seaside",
        "code": "S2",
        "region": "South",
        "percent": None,
        "audits": 0,
        "critical_failures": 0,
    },
]
HEADER = [
    "Rank",
    "Branch",
    "Code",
    "Region",
    "Score %",
    "90% interval low",
    "90% interval high",
    "Against the mean",
    "Change (points)",
    "Audits",
    "Passed %",
    "Critical failures",
]


def workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def values(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_league_table_csv_reads_back_cell_by_cell():
    assert list(csv.reader(io.StringIO(table_csv(LEAGUE)))) == [
        HEADER,
        ["1", "Northgate", "N1", "North", "87.5", "51.0", "100.0", "above", "87.5", "2", "100.0", "0"],
        ["", "Seaside", "S2", "South", "", "", "", "", "", "0", "", "0"],  # None and missing: empty
    ]


def test_league_table_xlsx_reads_back_with_numbers_as_numbers():
    sheet = workbook(table_xlsx(LEAGUE, "Comparison 2026-10"))
    assert sheet.title == "Comparison 2026-10"
    assert values(sheet) == [
        HEADER,
        [1, "Northgate", "N1", "North", 87.5, 51.0, 100.0, "above", 87.5, 2, 100.0, 0],
        [None, "Seaside", "S2", "South", None, None, None, None, None, 0, None, 0],
    ]
    assert [sheet.cell(2, c).data_type for c in (1, 2, 5, 9)] == ["n", "s", "n", "n"]


def test_xlsx_percent_columns_show_a_percent_sign_and_keep_the_number():
    sheet = workbook(table_xlsx(LEAGUE, "Comparison"))
    formats = {HEADER[c - 1]: sheet.cell(2, c).number_format for c in range(1, 13)}
    assert formats == {
        title: '0.0"%"'
        if title in ("Score %", "90% interval low", "90% interval high", "Passed %")
        else "General"
        for title in HEADER
    }
    assert sheet["E2"].value == 87.5  # 87.5 shown as 87.5%, not 8750%
    assert sheet["I2"].number_format == "General"  # a change in points is no percent


def test_xlsx_header_is_bold_and_frozen_and_columns_fit():
    sheet = workbook(table_xlsx(LEAGUE, "Comparison"))
    assert all(cell.font.b for cell in sheet[1]) and not sheet["B2"].font.b
    assert sheet.freeze_panes == "A2"
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABFJ"}
    assert widths == {
        "A": 8,  # "Rank": at least 8
        "B": 11,  # "Northgate" + 2
        "F": 18,  # "90% interval low" + 2
        "J": 8,
    }


def test_xlsx_column_widths_stop_at_60():
    sheet = workbook(table_xlsx([{"branch": "x" * 200}], "Comparison"))
    assert sheet.column_dimensions["B"].width == 60


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("Items 2026-10", "Items 2026-10"),
        ("Comparison 2026-08..2026-10 and more", "Comparison 2026-08..2026-10 and"),  # 31 at most
        ("R&D <east>", "R&D <east>"),
    ],
)
def test_xlsx_sheet_name(name, title):
    assert workbook(table_xlsx(LEAGUE, name)).title == title


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://evil.example","Click")', '\'=HYPERLINK("http://evil.example","Click")'),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-1", "'-1"),  # text, even when it looks like a number
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("Bell\x07Street", "BellStreet"),
        ("Line one\nline two", "Line one\nline two"),
        ("<b>Tea & cake</b>", "<b>Tea & cake</b>"),
    ],
)
def test_xlsx_text_cells_are_text_never_formulas(text, cell):
    sheet = workbook(table_xlsx([{"branch": text, "percent": 50.0}], "Comparison"))
    assert (sheet["B2"].value, sheet["B2"].data_type) == (cell, "s")
    assert sheet["E2"].value == 50.0


def test_item_export_columns_and_no_percent_format():
    row = {
        "audit": "0b7f3f5e-8a8f-4a62-9d55-6a3f2b1c9e01",
        "branch": "Northgate",
        "branch_code": "N1",
        "region": "North",
        "visited_at": "2026-10-03T10:00:00+01:00",
        "checklist": "Mini visit",
        "checklist_version": 1,
        "section": "Paying",
        "item": "Receipt offered",
        "standard": "Offer a receipt",
        "answer": "no",
        "earned": 0,
        "possible": 2,
        "comment": "-- no receipt, asked twice",
    }
    sheet = workbook(table_xlsx([row], "Items 2026-10", ITEM_COLUMNS, frozenset()))
    assert [c.value for c in sheet[1]] == [title for _key, title in ITEM_COLUMNS]
    assert [c.value for c in sheet[2]] == [*list(row.values())[:-1], "'-- no receipt, asked twice"]
    assert {c.number_format for c in sheet[2]} == {"General"}
    [header, line] = list(csv.reader(io.StringIO(table_csv([row], ITEM_COLUMNS))))
    assert header[-3:] == ["Earned", "Possible", "Comment"]
    assert line[-3:] == ["0", "2", "'-- no receipt, asked twice"]


def test_more_than_26_columns_go_on_to_aa():
    columns = tuple((f"c{n}", f"Column {n}") for n in range(28))
    sheet = workbook(table_xlsx([{"c0": 1, "c25": 26, "c26": 27, "c27": 28}], "Wide", columns, frozenset()))
    assert (sheet["A2"].value, sheet["Z2"].value, sheet["AA2"].value, sheet["AB2"].value) == (1, 26, 27, 28)
    assert sheet["AB1"].value == "Column 27"
