"""Planning visits: periods of a schedule, the shopper rotation and a balanced choice of auditors.

Pure functions, no Flask, no database. The rotation is what mystery-shopping programmes enforce so
that staff never recognise a shopper: nobody visits the same branch again within `rotation_days`
when another auditor is free. Within that rule the load is spread evenly: auditors are matched to
branches as a bipartite b-matching with augmenting paths, so a greedy choice early on never leaves
a later branch without an eligible auditor that a different arrangement would have had.
"""

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

MONTH, QUARTER = "month", "quarter"
EVERY = (MONTH, QUARTER)

_PERIOD = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])))?$")


class PeriodError(ValueError):
    """A period that is not YYYY-MM, YYYY-Qn or YYYY."""


@dataclass(frozen=True)
class Period:
    key: str
    start: date
    end: date


def _month(year: int, month: int) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(f"{year}-{month:02d}", date(year, month, 1), date(year, month, last))


def _quarter(year: int, quarter: int) -> Period:
    first = 3 * quarter - 2
    return Period(
        f"{year}-Q{quarter}",
        date(year, first, 1),
        date(year, first + 2, calendar.monthrange(year, first + 2)[1]),
    )


def schedule_periods(every: str, period: str) -> list[Period]:
    """The periods of a schedule repeating `every` month or quarter that fall in `period`.

    A quarterly schedule planned for a month plans the quarter that month starts, so running the
    planner every month plans each quarter once, in its first month.
    """
    match = _PERIOD.match(period or "")
    if not match:
        raise PeriodError(f"{period!r} is not a period; use YYYY-MM, YYYY-Qn or YYYY.")
    year = int(match.group(1))
    months = (
        [int(match.group(2))]
        if match.group(2)
        else list(range(3 * int(match.group(3)) - 2, 3 * int(match.group(3)) + 1))
        if match.group(3)
        else list(range(1, 13))
    )
    if every == MONTH:
        return [_month(year, m) for m in months]
    return [_quarter(year, (m + 2) // 3) for m in months if m % 3 == 1]


def breaks_rotation(visits: Iterable[date], day: date, rotation_days: int) -> bool:
    """Whether a visit on `day` falls within `rotation_days` of any of the given visits."""
    return any(abs((day - other).days) < rotation_days for other in visits)


def plan(
    demand: dict[int, int],
    auditors: list[int],
    history: dict[tuple[int, int], list[date]],
    day: date,
    rotation_days: int,
    load: dict[int, int] | None = None,
    taken: dict[int, set[int]] | None = None,
) -> dict[int, list[int]]:
    """Choose auditors for branches: {branch: [auditor, ...]} with demand[branch] auditors each.

    history maps (auditor, branch) to the days of their visits; load is each auditor's number of
    visits already planned in the period; taken the auditors already planned at a branch in the
    period (they are not chosen for it again). An auditor is eligible for a branch when no visit of
    theirs there lies within rotation_days of `day`. Loads end as even as the rotation allows; a
    branch for which no eligible auditor is left gets the least loaded auditor who visited it
    longest ago (the rotation is kept only when another auditor is free).
    """
    load = {a: (load or {}).get(a, 0) for a in auditors}
    taken = {b: set((taken or {}).get(b, ())) for b in demand}
    if not auditors:
        return {b: [] for b in demand}
    total = sum(load.values()) + sum(demand.values())
    target = -(-total // len(auditors))  # ceiling: nobody gets more than an even share, if possible

    def last_visit(a: int, b: int) -> date:
        days = history.get((a, b))
        return max(days) if days else date.min

    eligible = {
        b: [
            a
            for a in auditors
            if a not in taken[b] and not breaks_rotation(history.get((a, b), ()), day, rotation_days)
        ]
        for b in demand
    }
    chosen: dict[int, list[int]] = {b: [] for b in demand}
    of_auditor: dict[int, list[int]] = {a: [] for a in auditors}
    count = dict(load)

    def assign(b: int, a: int) -> None:
        chosen[b].append(a)
        of_auditor[a].append(b)
        count[a] += 1

    def unassign(b: int, a: int) -> None:
        chosen[b].remove(a)
        of_auditor[a].remove(b)
        count[a] -= 1

    def augment(b: int, cap: int, seen: set[int], path: set[int]) -> bool:
        """Give branch b one more eligible auditor, moving others along a path if need be."""
        path = path | {b}
        options = sorted(
            (a for a in eligible[b] if a not in chosen[b] and a not in seen),
            key=lambda a: (count[a], last_visit(a, b), a),
        )
        for a in options:
            if count[a] < cap:
                seen.add(a)
                assign(b, a)
                return True
        for a in options:
            if a in seen:
                continue
            seen.add(a)
            for other in list(of_auditor[a]):
                if other in path or a not in eligible[other]:
                    continue
                if augment(other, cap, seen, path):
                    unassign(other, a)
                    assign(b, a)
                    return True
        return False

    # Most constrained branches first: fewest eligible auditors.
    order = sorted(demand, key=lambda b: (len(eligible[b]), b))
    for cap in (target, total):
        for b in order:
            while len(chosen[b]) < demand[b] and augment(b, cap, set(), set()):
                pass
    for b in order:
        while len(chosen[b]) < demand[b]:
            # Nobody free keeps the rotation: the least loaded who visited longest ago.
            pool = [a for a in auditors if a not in taken[b] and a not in chosen[b]] or auditors
            a = min(pool, key=lambda a: (count[a], last_visit(a, b), a))
            assign(b, a)
    return chosen
