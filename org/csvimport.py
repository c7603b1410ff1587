"""Reading the CSV files a customer already has (the network's branch list, HR's staff list, the
user list) into checked rows. Pure: no Flask, no database; every problem names its line and column.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from org.roles import MANAGER, ROLES

BRANCHES, EMPLOYEES, USERS = "branches", "employees", "users"
KINDS = (BRANCHES, EMPLOYEES, USERS)

# Required and optional columns of each kind of file.
COLUMNS = {
    BRANCHES: (("code", "name", "region"), ("address", "active", "staff_informed", "protect_lone_staff")),
    EMPLOYEES: (("branch_code", "name"), ("active",)),
    USERS: (("email", "role"), ("name", "branches")),
}
MAX_ROWS = 100_000

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TRUE, _FALSE = {"1", "yes", "y", "true", "x"}, {"0", "no", "n", "false", ""}
_LIMITS = {"code": 32, "name": 200, "region": 100, "address": 500, "email": 254, "branch_code": 32}


class ImportProblems(Exception):
    """The file cannot be imported; problems maps "line N.column" (or "file", "header") to messages."""

    def __init__(self, problems: dict[str, list[str]]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class Row:
    line: int
    values: dict = field(default_factory=dict)


def detect_kind(header: list[str]) -> str | None:
    """The kind of file a header row belongs to, or None."""
    names = {h.strip().lower() for h in header}
    for kind in (USERS, EMPLOYEES, BRANCHES):
        if set(COLUMNS[kind][0]) <= names:
            return kind
    return None


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportProblems(
            {"file": [f"Line {line} is not UTF-8 text; save the file as CSV UTF-8 and try again."]}
        ) from None


def _flag(value: str) -> bool | None:
    value = value.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def _check_value(column: str, value: str) -> tuple[object, str | None]:
    """The cleaned value of one cell and the problem with it, if any."""
    if column in ("active", "staff_informed", "protect_lone_staff"):
        flag = _flag(value)
        return flag, None if flag is not None else f"{value!r} is not yes or no."
    value = value.strip()
    if column in _LIMITS and len(value) > _LIMITS[column]:
        return value, f"Longer than {_LIMITS[column]} characters."
    if column in ("code", "branch_code") and not _CODE.match(value):
        return value, "Use letters, digits, '-', '_' or '.'." if value else "Required."
    if column == "email":
        value = value.lower()
        return value, None if _EMAIL.match(value) else f"{value!r} is not an email address."
    if column == "role":
        return value, None if value in ROLES else f"{value!r} is not a role; use one of {', '.join(ROLES)}."
    if column == "branches":
        return [code for code in re.split(r"[;,|\s]+", value) if code], None
    if column in ("name", "region") and not value:
        return value, "Required."
    return value, None


def parse(kind: str, data: bytes) -> list[Row]:
    """Checked rows of a CSV file of the given kind; ImportProblems naming every bad line and column."""
    if not data.strip():
        raise ImportProblems({"file": ["The file is empty."]})
    reader = csv.reader(io.StringIO(_text(data), newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise ImportProblems({"header": [f"Not a CSV header: {exc}."]}) from None
    required, optional = COLUMNS[kind]
    problems: dict[str, list[str]] = {}
    missing = [c for c in required if c not in header]
    unknown = [h for h in header if h not in required + optional]
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if missing:
        problems.setdefault("header", []).append(f"Missing column(s): {', '.join(missing)}.")
    if unknown:
        problems.setdefault("header", []).append(
            f"Unknown column(s): {', '.join(unknown)}; a {kind} file has {', '.join(required + optional)}."
        )
    if duplicated:
        problems.setdefault("header", []).append(f"Repeated column(s): {', '.join(duplicated)}.")
    if problems:
        raise ImportProblems(problems)
    rows: list[Row] = []
    seen: dict[tuple, int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportProblems({"file": [f"More than {MAX_ROWS} rows; split the file."]})
            if len(cells) != len(header):
                problems[f"line {line}"] = [f"{len(cells)} cells where the header has {len(header)}."]
                continue
            row = Row(line)
            for column, cell in zip(header, cells, strict=True):
                value, problem = _check_value(column, cell)
                row.values[column] = value
                if problem:
                    problems.setdefault(f"line {line}.{column}", []).append(problem)
            if kind == USERS:
                has_branches = bool(row.values.get("branches"))
                if row.values["role"] == MANAGER and not has_branches:
                    problems.setdefault(f"line {line}.branches", []).append("A manager needs a branch.")
                if row.values["role"] in ROLES and row.values["role"] != MANAGER and has_branches:
                    problems.setdefault(f"line {line}.branches", []).append("Only managers have branches.")
            key = _key(kind, row.values)
            if key in seen:
                column = COLUMNS[kind][0][0] if kind != EMPLOYEES else "name"
                problems.setdefault(f"line {line}.{column}", []).append(f"Repeats line {seen[key]}.")
            seen.setdefault(key, line)
            rows.append(row)
    except csv.Error as exc:
        problems[f"line {reader.line_num}"] = [f"Not valid CSV: {exc}."]
    if problems:
        raise ImportProblems(problems)
    if not rows:
        raise ImportProblems({"file": ["The file has a header but no rows."]})
    return rows


def _key(kind: str, values: dict) -> tuple:
    if kind == BRANCHES:
        return (values.get("code"),)
    if kind == EMPLOYEES:
        return (values.get("branch_code"), values.get("name"))
    return (values.get("email"),)
