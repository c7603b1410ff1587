"""The scoring engine: every number in Visitscore comes from score().

Pure and exact: fractions throughout, rounding only in display_percent(). The rules are those of
"Scoring" in DESIGN.md; each ItemScore says why an item did or did not count.
"""

import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from checklists.model import Checklist, Item, Section, exact

SCORED, NA, HIDDEN, UNANSWERED, UNSCORED = "scored", "na", "hidden", "unanswered", "unscored"
HUNDRED = Fraction(100)


@dataclass(frozen=True)
class ItemScore:
    item_id: str
    section_id: str
    status: str
    earned: Fraction = Fraction(0)
    possible: Fraction = Fraction(0)
    fraction: Fraction | None = None
    critical_failure: bool = False


@dataclass(frozen=True)
class SectionScore:
    section_id: str
    earned: Fraction
    possible: Fraction

    @property
    def percent(self) -> Fraction | None:
        return HUNDRED * self.earned / self.possible if self.possible else None


@dataclass(frozen=True)
class Score:
    checklist_id: str
    checklist_version: int | None
    earned: Fraction
    possible: Fraction
    uncapped_percent: Fraction | None
    percent: Fraction | None
    pass_mark: Fraction
    critical_cap: Fraction
    critical_items: tuple[str, ...]
    sections: dict[str, SectionScore]
    items: dict[str, ItemScore]
    missing: tuple[str, ...] = field(default=())

    @property
    def critical_failure(self) -> bool:
        return bool(self.critical_items)

    @property
    def capped(self) -> bool:
        return self.percent != self.uncapped_percent

    @property
    def passed(self) -> bool | None:
        """None when nothing was possible: such an audit has no percent and neither passes nor fails."""
        if self.percent is None:
            return None
        return self.percent >= self.pass_mark and not self.critical_failure

    def items_with(self, status: str) -> list[str]:
        return [item_id for item_id, item in self.items.items() if item.status == status]


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def matches(value, wanted) -> bool:
    """Whether an answer value equals a show_if value (numbers compare exactly, 3 == 3.0)."""
    if is_number(value) and is_number(wanted):
        return exact(value) == exact(wanted)
    return type(value) is type(wanted) and value == wanted


def is_answered(item: Item, answer: dict | None) -> bool:
    """An answer with a value, or N/A where the item allows it."""
    if not answer:
        return False
    if answer.get("na"):
        return item.allow_na
    value = answer.get("value")
    return value is not None and value != "" and value != []


def fraction_of(item: Item, value) -> Fraction:
    """The share of an item's points an answer earns (0..1). Raises ValueError for an invalid answer."""
    if item.type == "yes_no":
        if value not in ("yes", "no"):
            raise ValueError(f"{item.id}: a yes/no answer is 'yes' or 'no', not {value!r}")
        return Fraction(1 if value == "yes" else 0)
    if not is_number(value) and item.type in ("scale", "number"):
        raise ValueError(f"{item.id}: the answer must be a number, not {value!r}")
    if item.type == "scale":
        share = (exact(value) - item.min) / (item.max - item.min)
        if not 0 <= share <= 1:
            raise ValueError(f"{item.id}: {value} is outside {item.min}..{item.max}")
        return share
    if item.type == "choice":
        for option in item.options:
            if option.label == value:
                return option.score
        raise ValueError(f"{item.id}: {value!r} is not one of the options")
    if item.type == "number":
        number = exact(value)
        for band in item.bands:
            if band.max is None or number <= band.max:
                return band.score
        raise ValueError(f"{item.id}: no band fits {value}")
    raise ValueError(f"{item.id}: {item.type} items are not scored")


def visible_items(checklist: Checklist, answers: dict) -> set[str]:
    """Ids of the items shown: an item with show_if is shown when the item it names is shown and
    answered (not N/A) with one of the listed values. show_if only names earlier items."""
    shown: set[str] = set()
    for _section, item in checklist.items():
        rule = item.show_if
        if rule is None:
            shown.add(item.id)
            continue
        answer = answers.get(rule.item) or {}
        if rule.item in shown and not answer.get("na") and "value" in answer:
            if any(matches(answer["value"], wanted) for wanted in rule.values):
                shown.add(item.id)
    return shown


def _score_item(section: Section, item: Item, answer: dict | None, shown: bool) -> ItemScore:
    base = {"item_id": item.id, "section_id": section.id}
    if not shown:
        return ItemScore(**base, status=HIDDEN)
    if not item.scored:
        return ItemScore(**base, status=UNSCORED)
    if not is_answered(item, answer):
        return ItemScore(**base, status=UNANSWERED)
    if answer.get("na"):
        return ItemScore(**base, status=NA)
    possible = item.weight * section.weight
    share = fraction_of(item, answer["value"])
    return ItemScore(
        **base,
        status=SCORED,
        earned=possible * share,
        possible=possible,
        fraction=share,
        critical_failure=item.critical and share == 0,
    )


def score(checklist: Checklist, answers: dict[str, dict]) -> Score:
    """Score answers ({item_id: {"value": ...} or {"na": true}}) against a checklist version."""
    shown = visible_items(checklist, answers)
    items: dict[str, ItemScore] = {}
    sections: dict[str, SectionScore] = {}
    for section in checklist.sections:
        results = [
            _score_item(section, item, answers.get(item.id), item.id in shown) for item in section.items
        ]
        items.update((r.item_id, r) for r in results)
        sections[section.id] = SectionScore(
            section.id,
            sum((r.earned for r in results), Fraction(0)),
            sum((r.possible for r in results), Fraction(0)),
        )
    earned = sum((s.earned for s in sections.values()), Fraction(0))
    possible = sum((s.possible for s in sections.values()), Fraction(0))
    uncapped = HUNDRED * earned / possible if possible else None
    critical = tuple(r.item_id for r in items.values() if r.critical_failure)
    percent = min(uncapped, checklist.critical_cap) if critical and uncapped is not None else uncapped
    return Score(
        checklist_id=checklist.id,
        checklist_version=checklist.version,
        earned=earned,
        possible=possible,
        uncapped_percent=uncapped,
        percent=percent,
        pass_mark=checklist.pass_mark,
        critical_cap=checklist.critical_cap,
        critical_items=critical,
        sections=sections,
        items=items,
        missing=tuple(r.item_id for r in items.values() if r.status == UNANSWERED),
    )


def display_percent(percent: Fraction | None) -> float | None:
    """Round half up to one decimal, for display and JSON only."""
    if percent is None:
        return None
    # floor(p * 10 + 1/2) in integers (p = n / d): reports round thousands of exact means per page.
    n, d = percent.as_integer_ratio()
    return (20 * n + d) // (2 * d) / 10


def display_points(points: Fraction) -> float:
    """Points for display: exact when they fit in three decimals, else rounded half up to three."""
    return float(Decimal(math.floor(points * 1000 + Fraction(1, 2))) / 1000)


# The one word for "no score" (an audit or section with nothing possible), as DESIGN.md says it.
NO_SCORE = "N/A"


def format_percent(percent: Fraction | float | None, unit: bool = True) -> str:
    """A percent for people, with one decimal: "87.5%" ("87.5" without the unit, where a column
    header names it), or NO_SCORE. Fractions are rounded half up here; a float is taken as already
    rounded for display (display_percent). Also the templates' `percent` filter."""
    if percent is None:
        return NO_SCORE
    shown = display_percent(percent) if isinstance(percent, Fraction) else percent
    return f"{shown:.1f}%" if unit else f"{shown:.1f}"


def explain(checklist: Checklist, result: Score) -> list[str]:
    """The lines of "How this score was computed", from the engine's own result."""
    version = f" version {result.checklist_version}" if result.checklist_version is not None else ""
    lines = [f"Checklist {checklist.title} ({checklist.id}){version}."]
    if result.percent is None:
        lines.append("Nothing could be scored (every scored item was N/A, hidden or unanswered): no percent.")
    else:
        lines.append(
            "Score = 100 × points earned ÷ points possible over the answered, visible, scored items "
            f"(item weight × section weight): 100 × {display_points(result.earned):g} ÷ "
            f"{display_points(result.possible):g} = {format_percent(result.uncapped_percent)}."
        )
    left_out = [
        (result.items_with(NA), "Left out as N/A"),
        (result.items_with(HIDDEN), "Not shown (their show_if condition was not met), so not scored"),
        (result.items_with(UNANSWERED), "Not answered, so not scored"),
    ]
    for ids, label in left_out:
        if ids:
            lines.append(f"{label}: {', '.join(checklist.item(i).text for i in ids)}.")
    if result.critical_failure:
        names = ", ".join(checklist.item(i).text for i in result.critical_items)
        lines.append(
            f"Critical failure ({names}): the score is capped at {format_percent(result.critical_cap)}"
            + (f" (it was {format_percent(result.uncapped_percent)})." if result.capped else ".")
            + " A critical failure never passes."
        )
    if result.passed is not None:
        verdict = "passed" if result.passed else "not passed"
        lines.append(f"Pass mark {format_percent(result.pass_mark)}: {verdict}.")
    return lines
