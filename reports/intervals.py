"""Intervals from stored scores: the company spread of a period and each branch's 90% interval.

The arithmetic is in reports.uncertainty; this module only feeds it from reports.store.
"""

from dataclasses import dataclass
from fractions import Fraction

from sqlite_utils import Database

from checklists.scoring import display_percent
from checklists.store import load_checklist
from reports import charts, store
from reports.periods import Period, parse_period
from reports.uncertainty import (
    MIN_OBSERVATIONS,
    UNKNOWN_SD,
    Estimate,
    Prior,
    Sample,
    Spread,
    audits_needed,
    company_prior,
    estimate,
    is_change,
    mean_of,
    section_claims,
    signal,
)

PLANNING_DIFFERENCE = 5  # points: the difference head office wants to tell apart, at 90%


@dataclass
class PeriodIntervals:
    prior: Prior
    branches: dict[int, Estimate]


def window(period: Period) -> list[str]:
    """The twelve months up to the end of the period: their audits measure the company spread."""
    year, month = (int(part) for part in period.months[-1].split("-"))
    return [p.key for p in Period("month", year, month).last(12)]


def period_intervals(
    db: Database, results: dict[Period, dict[int, store.BranchResult]], checklist_id: str | None = None
) -> dict[str, PeriodIntervals]:
    """For each period: the company spread and the interval of every branch with a score in the
    period's results (store.branch_results_by_period)."""
    windows = {p.key: window(p) for p in results}
    spreads = store.monthly_spread(db, {m for months in windows.values() for m in months}, checklist_id)
    out = {}
    for p, by_branch in results.items():
        spread = sum(
            (
                Spread(row["within_df"], row["within"], Sample(row["n"], row["total"], row["squares"]))
                for month in windows[p.key]
                if (row := spreads.get(month))
            ),
            Spread(),
        )
        prior = company_prior(spread)
        out[p.key] = PeriodIntervals(
            prior,
            {
                branch_id: estimate(r.percent, Sample(r.scored, r.total, r.squares), prior)
                for branch_id, r in by_branch.items()
                if r.scored
            },
        )
    return out


def prior(db: Database, period: Period, checklist_id: str | None = None) -> Prior:
    """Today's company spread for the period (for planning)."""
    return period_intervals(db, {period: {}}, checklist_id)[period.key].prior


def add_to_rows(
    db: Database,
    period: Period,
    rows: list[dict],
    results: dict[Period, dict[int, store.BranchResult]],
    checklist_id: str | None = None,
) -> None:
    """Give each league-table row its interval (low, high), its signal against the mean of the rows'
    scores, and whether its change from the previous period is more than noise (change_clear);
    results hold the branches' results of the period and the one before."""
    previous = period.previous()
    found = period_intervals(db, results, checklist_id)
    now, before = found[period.key], found[previous.key]
    reference = store.mean([r["score"] for r in rows if r["score"] is not None])
    for row in rows:
        interval = now.branches.get(row["branch_id"]) if row["score"] is not None else None
        row["interval"] = interval
        row["low"], row["high"] = interval.shown if interval else (None, None)
        row["signal"] = signal(interval, reference)
        row["change_clear"] = is_change(interval, before.branches.get(row["branch_id"]))


def group_intervals(rows: list[dict], key: str = "region") -> dict[str, Estimate | None]:
    """The interval of each group's score (the mean of its branches' scores), from the branch rows."""
    grouped: dict[str, list[Estimate]] = {}
    for row in rows:
        members = grouped.setdefault(row[key], [])
        if row.get("interval") is not None:
            members.append(row["interval"])
    return {name: mean_of(estimates) for name, estimates in grouped.items()}


def add_group_signals(groups: list[dict], intervals: dict[str, Estimate | None], key: str = "region") -> None:
    """Give each group row (regions) low, high and a signal against the mean of the groups' scores."""
    scored = [i.mean for i in intervals.values() if i is not None]
    reference = sum(scored, Fraction(0)) / len(scored) if scored else None
    for group in groups:
        interval = intervals.get(group[key])
        group["interval"] = interval
        group["low"], group["high"] = interval.shown if interval else (None, None)
        group["signal"] = signal(interval, reference)


def _counts(rows: list[dict]) -> dict:
    signals = [r["signal"] for r in rows if r["signal"] is not None]
    return {
        "scored": len(signals),
        "above": signals.count("above"),
        "below": signals.count("below"),
        "level": signals.count("level"),
    }


def dashboard_section(
    db: Database, period: Period, table: list[dict], regions: list[dict], checklist_id: str | None = None
) -> dict:
    """What the dashboard says about certainty: an interval bar per branch and region, how many are
    distinguishable from the mean, and how many audits a branch needs for a 5-point target."""
    add_group_signals(regions, group_intervals(table))
    branch_mean = store.mean([r["score"] for r in table if r["score"] is not None])
    scored_regions = [r["interval"].mean for r in regions if r["interval"] is not None]
    region_mean = store.mean(scored_regions)
    for rows, mean in ((table, branch_mean), (regions, region_mean)):
        shown_mean = display_percent(mean)
        for row in rows:
            row["interval_svg"] = charts.interval_bar(
                row["low"], row["high"], row["percent"], shown_mean, row["signal"]
            )
    company = prior(db, period, checklist_id)
    return {
        "mean": display_percent(branch_mean),
        "branches": _counts(table),
        "region_mean": display_percent(region_mean),
        "regions": _counts(regions),
        "spread": round(company.sd, 1),
        "spread_known": company.sd != UNKNOWN_SD,
        "target": PLANNING_DIFFERENCE,
        "needed": audits_needed(company, PLANNING_DIFFERENCE),
    }


def suggested_visits(db: Database) -> int:
    """Audits a branch needs per period to tell apart a PLANNING_DIFFERENCE from the mean at 90%,
    given the company's spread in the newest month with published audits (the schedule's default)."""
    return audits_needed(prior(db, parse_period(store.latest_month(db))), PLANNING_DIFFERENCE)


def trend_band(
    db: Database, branch_id: int, periods: list[Period], checklist_id: str | None = None
) -> list[tuple[float, float] | None]:
    """The branch's 90% interval in each period (None where it has no score), for a trend chart."""
    found = period_intervals(
        db, store.branch_results_by_period(db, periods, {branch_id}, checklist_id), checklist_id
    )
    return [interval.shown if (interval := found[p.key].branches.get(branch_id)) else None for p in periods]


def scorecard_facts(row: dict, table: list[dict], audits: list[dict]) -> dict:
    """What a branch scorecard says about certainty, from its league-table row among all branches
    and the period's audits."""
    mean = store.mean([r["score"] for r in table if r["score"] is not None])
    return {
        "based_on": sum(1 for a in audits if a["percent"] is not None),
        "low": row["low"],
        "high": row["high"],
        "signal": row["signal"],
        "mean": display_percent(mean),
        "change_clear": row["change_clear"],
    }


def employee_sections(db: Database, period: Period, employee_id: int, percent: Fraction | None) -> dict:
    """The employee scorecard's "strongest" and "to work on": sections ranked by pooled
    earned/possible, only with enough observations and only where the interval supports the claim."""
    observations: dict[tuple, list[tuple[Fraction, Fraction]]] = {}
    for row in store.employee_section_results(db, period, employee_id):
        observations.setdefault((row["checklist_id"], row["section_id"]), []).append(
            (row["earned"], row["possible"])
        )
    checklists = {checklist_id: load_checklist(db, checklist_id) for checklist_id, _ in observations}
    references, titles = {}, {}
    for checklist_id, section_id in observations:
        checklist = checklists[checklist_id]
        # Without a pass mark, a section is judged against the employee's own score.
        references[(checklist_id, section_id)] = checklist.pass_mark or percent or Fraction(0)
        title = next((s.title for s in checklist.sections if s.id == section_id), section_id)
        titles[(checklist_id, section_id)] = title if len(checklists) == 1 else f"{title} ({checklist.title})"
    claims = section_claims(observations, references)
    return {
        kind: [
            {
                "title": titles[e["key"]],
                "percent": display_percent(e["percent"]),
                "observations": e["observations"],
                "low": display_percent(e.get("low")),
                "high": display_percent(e.get("high")),
                "reference": display_percent(e.get("reference")),
                "against": "the pass mark" if checklists[e["key"][0]].pass_mark else "their own score",
            }
            for e in entries[: None if kind in ("unclear", "too_few") else 3]
        ]
        for kind, entries in claims.items()
    } | {"minimum": MIN_OBSERVATIONS}


def employee_rows(ranking: list[dict]) -> tuple[list[dict], dict]:
    """The dashboard's employee ranking for display, with an interval and a signal only for
    employees with at least MIN_OBSERVATIONS audits (fewer tell too little to set anyone apart),
    and how many are distinguishable from the mean."""
    samples = {
        row["employee_id"]: Sample(row["scored"], row["total"], row["squares"])
        for row in ranking
        if row["scored"] >= MIN_OBSERVATIONS  # audits with nothing to score do not count
    }
    spread = company_prior(Spread.of_groups(samples.values()))
    reference = store.mean([r["percent"] for r in ranking if r["percent"] is not None])
    shown_mean = display_percent(reference)
    out = []
    for row in ranking:
        sample = samples.get(row["employee_id"])
        interval = estimate(row["percent"], sample, spread) if sample else None
        low, high = interval.shown if interval else (None, None)
        entry = {**row, "percent": display_percent(row["percent"]), "low": low, "high": high}
        entry["signal"] = signal(interval, reference)
        entry["note"] = None if interval else f"fewer than {MIN_OBSERVATIONS} audits: no interval"
        entry["interval_svg"] = charts.interval_bar(low, high, entry["percent"], shown_mean, entry["signal"])
        out.append(entry)
    return out, {"counts": _counts(out), "mean": shown_mean}
