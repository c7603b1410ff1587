"""Reporting periods: a month (2026-10), a quarter (2026-Q4), a year (2026) or a range of whole
months (2026-08..2026-10)."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q(\d)$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2})\.\.(\d{4}-\d{2})$")
MAX_RANGE_MONTHS = 120
MONTH_NAMES = "January February March April May June July August September October November December".split()


FIRST_YEAR = 2000  # no audit data is older; earlier periods are typing errors or cache-filling probes


class PeriodError(ValueError):
    """A period that is not YYYY-MM, YYYY-Qn, YYYY or YYYY-MM..YYYY-MM."""


class ImplausiblePeriod(PeriodError):
    """A well-formed period outside the data's plausible range (answered with 422)."""


@dataclass(frozen=True)
class Period:
    kind: str  # month, quarter, year, range
    year: int
    number: int  # the month or quarter (a range: its first month); 0 for a year
    length: int = 0  # a range: how many months it covers

    @property
    def _end(self) -> "Period":
        """A range's last month."""
        index = self.year * 12 + self.number - 1 + self.length - 1
        return Period("month", index // 12, index % 12 + 1)

    @property
    def months(self) -> list[str]:
        """The YYYY-MM months the period covers."""
        if self.kind == "range":
            first = Period("month", self.year, self.number)
            return [first.previous(-step).key for step in range(self.length)]
        if self.kind == "month":
            firsts = [self.number]
        elif self.kind == "quarter":
            firsts = [3 * (self.number - 1) + m for m in (1, 2, 3)]
        else:
            firsts = list(range(1, 13))
        return [f"{self.year}-{m:02d}" for m in firsts]

    @property
    def key(self) -> str:
        if self.kind == "range":
            return f"{self.year}-{self.number:02d}..{self._end.key}"
        return {
            "month": f"{self.year}-{self.number:02d}",
            "quarter": f"{self.year}-Q{self.number}",
            "year": f"{self.year}",
        }[self.kind]

    @property
    def label(self) -> str:
        if self.kind == "range":
            return f"{Period('month', self.year, self.number).label} – {self._end.label}"
        if self.kind == "month":
            return f"{MONTH_NAMES[self.number - 1]} {self.year}"
        if self.kind == "quarter":
            return f"Q{self.number} {self.year}"
        return str(self.year)

    @property
    def short_label(self) -> str:
        if self.kind == "month":
            return f"{MONTH_NAMES[self.number - 1][:3]} {str(self.year)[2:]}"
        if self.kind == "range":
            return f"{Period('month', self.year, self.number).short_label}–{self._end.short_label}"
        return self.label

    def previous(self, steps: int = 1) -> "Period":
        """The period `steps` before this one (after it, for negative steps); a range moves by its
        own length."""
        if self.kind == "year":
            return Period("year", self.year - steps, 0)
        if self.kind == "range":
            start = Period("month", self.year, self.number).previous(steps * self.length)
            return Period("range", start.year, start.number, self.length)
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
    elif match := _RANGE.match(text):
        return month_range(match[1], match[2])
    raise PeriodError(
        f"{text!r} is not a period: use YYYY-MM (2026-10), YYYY-Qn (2026-Q4), YYYY (2026) or a range "
        "of months YYYY-MM..YYYY-MM (2026-08..2026-10)."
    )


def month_range(first: str, last: str) -> Period:
    """The months from `first` to `last` (YYYY-MM, both included); one month is a month period."""
    start, end = parse_period(first), parse_period(last)
    if start.kind != "month" or end.kind != "month":
        raise PeriodError(
            f"A range runs from one month to another, as 2026-08..2026-10; got {first}..{last}."
        )
    length = (end.year * 12 + end.number) - (start.year * 12 + start.number) + 1
    if length < 1:
        raise PeriodError(f"The range {first}..{last} ends before it starts.")
    if length > MAX_RANGE_MONTHS:
        raise PeriodError(f"A range covers at most {MAX_RANGE_MONTHS} months.")
    return start if length == 1 else Period("range", start.year, start.number, length)


def picker(months: list[str], current: Period) -> list[tuple[str, list[Period]]]:
    """The periods to offer for the given YYYY-MM months (and the current one), newest first,
    grouped as months, quarters and years (and the current range, if it is one)."""
    periods = {parse_period(m) for m in months} | ({current} if current.kind != "range" else set())
    for month in [p for p in periods if p.kind == "month"]:
        periods.add(Period("quarter", month.year, (month.number - 1) // 3 + 1))
        periods.add(Period("year", month.year, 0))
    groups = [("Range", [current])] if current.kind == "range" else []
    for kind, title in (("month", "Months"), ("quarter", "Quarters"), ("year", "Years")):
        chosen = [p for p in periods if p.kind == kind]
        groups.append((title, sorted(chosen, key=lambda p: (p.year, p.number), reverse=True)))
    return groups
