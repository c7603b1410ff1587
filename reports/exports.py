"""Tables as CSV and XLSX (a small Office Open XML workbook, no extra dependency): the league table
and the item-level raw export. Every cell goes through the same writers."""

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
# Columns holding a percent (0..100): shown as 87.5% in XLSX, the number itself unchanged.
PERCENT_KEYS = frozenset({"percent", "low", "high", "pass_rate"})

# The item-level raw export: one row per answered item.
ITEM_COLUMNS = (
    ("audit", "Audit"),
    ("branch", "Branch"),
    ("branch_code", "Branch code"),
    ("region", "Region"),
    ("visited_at", "Visited at"),
    ("checklist", "Checklist"),
    ("checklist_version", "Checklist version"),
    ("section", "Section"),
    ("item", "Item"),
    ("standard", "Standard"),
    ("answer", "Answer"),
    ("earned", "Earned"),
    ("possible", "Possible"),
    ("comment", "Comment"),
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


def table_csv(rows: list[dict], columns=COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title for _key, title in columns])
    for row in rows:
        writer.writerow(["" if row.get(key) is None else safe_cell(row[key]) for key, _title in columns])
    return out.getvalue()


# Cell styles, indexes into styles.xml's cellXfs.
PLAIN, HEADER, PERCENT = 0, 1, 2


def _column_letter(column: int) -> str:
    """A, B, … Z, AA, AB, … for a 0-based column."""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _cell(column: int, row: int, value, style: int = PLAIN) -> str:
    ref = f"{_column_letter(column)}{row}"
    styled = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{ref}"{styled}/>'
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<c r="{ref}"{styled}><v>{value}</v></c>'
    return f'<c r="{ref}"{styled} t="inlineStr"><is><t>{escape(str(safe_cell(value)))}</t></is></c>'


def _width(values: list) -> int:
    """A column width in characters that fits its longest value (within reason)."""
    longest = max((len(str(v)) for v in values if v is not None), default=0)
    return min(max(longest + 2, 8), 60)


STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0&quot;%&quot;"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def table_xlsx(rows: list[dict], sheet_name: str, columns=COLUMNS, percent_keys=PERCENT_KEYS) -> bytes:
    """A one-sheet workbook that Excel, LibreOffice and Numbers open: the header row bold and
    frozen, columns as wide as their values, percents formatted as percents."""
    titles = [title for _key, title in columns]
    body = [[row.get(key) for key, _title in columns] for row in rows]
    styles = [PERCENT if key in percent_keys else PLAIN for key, _title in columns]
    sheet_rows = (
        f'<row r="1">{"".join(_cell(c, 1, v, HEADER) for c, v in enumerate(titles))}</row>'
        + "".join(
            f'<row r="{r}">' + "".join(_cell(c, r, v, styles[c]) for c, v in enumerate(values)) + "</row>"
            for r, values in enumerate(body, 2)
        )
    )
    widths = "".join(
        f'<col min="{c}" max="{c}" width="{_width([title] + [line[c - 1] for line in body])}" customWidth="1"/>'
        for c, title in enumerate(titles, 1)
    )
    frozen = (
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
    )
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
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
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"{frozen}<cols>{widths}</cols><sheetData>{sheet_rows}</sheetData></worksheet>"
        ),
        "xl/styles.xml": STYLES,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()
