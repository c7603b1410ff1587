"""Reporting periods: a month (2026-10), a quarter (2026-Q4) or a year (2026)."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q(\d)$")
_YEAR = re.compile(r"^(\d{4})$")
MONTH_NAMES = "January February March April May June July August September October November December".split()


FIRST_YEAR = 2000  # no audit data is older; earlier periods are typing errors or cache-filling probes


class PeriodError(ValueError):
    """A period that is not YYYY-MM, YYYY-Qn or YYYY."""


class ImplausiblePeriod(PeriodError):
    """A well-formed period outside the data's plausible range (answered with 422)."""


@dataclass(frozen=True)
class Period:
    kind: str  # month, quarter, year
    year: int
    number: int  # the month or quarter; 0 for a year

    @property
    def months(self) -> list[str]:
        """The YYYY-MM months the period covers."""
        if self.kind == "month":
            firsts = [self.number]
        elif self.kind == "quarter":
            firsts = [3 * (self.number - 1) + m for m in (1, 2, 3)]
        else:
            firsts = list(range(1, 13))
        return [f"{self.year}-{m:02d}" for m in firsts]

    @property
    def key(self) -> str:
        return {
            "month": f"{self.year}-{self.number:02d}",
            "quarter": f"{self.year}-Q{self.number}",
            "year": f"{self.year}",
        }[self.kind]

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{MONTH_NAMES[self.number - 1]} {self.year}"
        if self.kind == "quarter":
            return f"Q{self.number} {self.year}"
        return str(self.year)

    @property
    def short_label(self) -> str:
        if self.kind == "month":
            return f"{MONTH_NAMES[self.number - 1][:3]} {str(self.year)[2:]}"
        return self.label

    def previous(self, steps: int = 1) -> "Period":
        if self.kind == "year":
            return Period("year", self.year - steps, 0)
        size = 12 if self.kind == "month" else 4
        index = self.year * size + (self.number - 1) - steps
        return Period(self.kind, index // size, index % size + 1)

    def last(self, count: int) -> list["Period"]:
        """This period and the count - 1 before it, oldest first."""
        return [self.previous(n) for n in range(count - 1, -1, -1)]


def parse_period(text: str, today: date | None = None) -> Period:
    """A Period from its text; PeriodError says what is expected. A period before FIRST_YEAR or
    starting more than a year after today is ImplausiblePeriod: every one would be cached."""
    period = _parse(text)
    today = today or datetime.now(UTC).date()
    first_month = int(period.months[0][5:])
    if period.year < FIRST_YEAR or (period.year, first_month) > (today.year + 1, today.month):
        raise ImplausiblePeriod(
            f"{period.key} is outside the range of data: "
            f"from {FIRST_YEAR} to a year from now ({today.year + 1}-{today.month:02d})."
        )
    return period


def _parse(text: str) -> Period:
    text = (text or "").strip()
    if match := _MONTH.match(text):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            return Period("month", year, month)
    elif match := _QUARTER.match(text):
        year, quarter = int(match[1]), int(match[2])
        if 1 <= quarter <= 4:
            return Period("quarter", year, quarter)
    elif match := _YEAR.match(text):
        return Period("year", int(match[1]), 0)
    raise PeriodError(f"{text!r} is not a period: use YYYY-MM (2026-10), YYYY-Qn (2026-Q4) or YYYY (2026).")


def picker(months: list[str], current: Period) -> list[tuple[str, list[Period]]]:
    """The periods to offer for the given YYYY-MM months (and the current one), newest first,
    grouped as months, quarters and years."""
    periods = {parse_period(m) for m in months} | {current}
    for month in [p for p in periods if p.kind == "month"]:
        periods.add(Period("quarter", month.year, (month.number - 1) // 3 + 1))
        periods.add(Period("year", month.year, 0))
    groups = []
    for kind, title in (("month", "Months"), ("quarter", "Quarters"), ("year", "Years")):
        chosen = [p for p in periods if p.kind == kind]
        groups.append((title, sorted(chosen, key=lambda p: (p.year, p.number), reverse=True)))
    return groups
