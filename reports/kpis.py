"""KPI statistics: reading monthly values from CSV (all or nothing, every bad line named) and
holding a value against its target. Pure: no Flask, no database."""

import csv
import io
import math
import re
from dataclasses import dataclass

HEADER = ("branch_code", "kpi_code", "period", "value")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class KpiImportError(ValueError):
    """A CSV that cannot be imported; lines lists every problem as "line N: ..."."""

    def __init__(self, lines: list[str]):
        super().__init__(f"{len(lines)} bad line(s); nothing was imported.")
        self.lines = lines


@dataclass(frozen=True)
class KpiValue:
    branch_code: str
    kpi_code: str
    period: str  # YYYY-MM
    value: float


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_values(text: str, branch_codes: set[str], kpi_codes: set[str]) -> list[KpiValue]:
    """The values of a CSV `branch_code,kpi_code,period,value` (a header row is optional).

    Raises KpiImportError naming each bad line and column; a value given twice for the same branch,
    KPI and month is an error too, so the file means one thing.
    """
    rows: list[KpiValue] = []
    problems: list[str] = []
    first_seen: dict[tuple[str, str, str], int] = {}
    for number, fields in enumerate(csv.reader(io.StringIO(text)), start=1):
        fields = [f.strip() for f in fields]
        if not any(fields):
            continue
        if number == 1 and tuple(f.lower() for f in fields) == HEADER:
            continue
        if len(fields) != len(HEADER):
            problems.append(f"line {number}: expected 4 columns ({','.join(HEADER)}), found {len(fields)}")
            continue
        branch, kpi, period, raw = fields
        line_problems = []
        if branch not in branch_codes:
            line_problems.append(f"unknown branch {branch}" if branch else "branch_code is empty")
        if kpi not in kpi_codes:
            line_problems.append(f"unknown KPI {kpi}" if kpi else "kpi_code is empty")
        if not _MONTH.match(period):
            line_problems.append(f"period {period!r} is not a month (YYYY-MM)")
        value = _number(raw)
        if value is None:
            line_problems.append(f"value {raw!r} is not a number")
        key = (branch, kpi, period)
        if not line_problems and key in first_seen:
            line_problems.append(f"{branch} {kpi} {period} is already given on line {first_seen[key]}")
        if line_problems:
            problems.extend(f"line {number}: {p}" for p in line_problems)
            continue
        first_seen[key] = number
        rows.append(KpiValue(branch, kpi, period, value))
    if problems:
        raise KpiImportError(problems)
    if not rows:
        raise KpiImportError(["line 1: no values: send lines of branch_code,kpi_code,period,value"])
    return rows


def meets_target(value: float | None, target: float, better: str) -> bool | None:
    """Whether a value meets its target (higher or lower is better); None without a value."""
    if value is None:
        return None
    return value >= target if better == "higher" else value <= target
