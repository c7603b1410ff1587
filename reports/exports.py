"""The league table as CSV and XLSX (a minimal Office Open XML workbook, no extra dependency)."""

import csv
import io
import re
import zipfile
from xml.sax.saxutils import escape

COLUMNS = (
    ("rank", "Rank"),
    ("branch", "Branch"),
    ("code", "Code"),
    ("region", "Region"),
    ("percent", "Score %"),
    ("low", "90% interval low"),
    ("high", "90% interval high"),
    ("signal", "Against the mean"),
    ("change", "Change (points)"),
    ("audits", "Audits"),
    ("pass_rate", "Passed %"),
    ("critical_failures", "Critical failures"),
)


# Characters XML 1.0 forbids (an XLSX with one does not open); tab, LF and CR are allowed.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A cell value that a spreadsheet shows as text and never runs (OWASP CSV injection): text
    starting with = + - @ tab or CR gets a leading apostrophe; control characters are dropped.
    Numbers stay numbers."""
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub("", value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def table_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title for _key, title in COLUMNS])
    for row in rows:
        writer.writerow(["" if row[key] is None else safe_cell(row[key]) for key, _title in COLUMNS])
    return out.getvalue()


def _cell(column: int, row: int, value) -> str:
    ref = f"{chr(ord('A') + column)}{row}"
    if value is None:
        return f'<c r="{ref}"/>'
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(safe_cell(value)))}</t></is></c>'


def table_xlsx(rows: list[dict], sheet_name: str) -> bytes:
    """A one-sheet workbook that Excel, LibreOffice and Numbers open."""
    lines = [[title for _key, title in COLUMNS]] + [[row[key] for key, _title in COLUMNS] for row in rows]
    sheet_rows = "".join(
        f'<row r="{r}">' + "".join(_cell(c, r, v) for c, v in enumerate(values)) + "</row>"
        for r, values in enumerate(lines, 1)
    )
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{escape(sheet_name[:31])}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{sheet_rows}</sheetData></worksheet>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()
