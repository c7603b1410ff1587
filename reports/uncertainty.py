"""How sure a score is: 90% intervals, signals against a mean, and how many audits a target needs.

Pure arithmetic, no Flask and no database. The method (README, "How sure is a score?"):

- The *company spread* is how far apart two audits of the same branch in the same month typically
  are, pooled over every branch of the company in the twelve months up to the end of the period
  (the pooled within-group standard deviation). If no branch had two scored audits in one month it is
  the spread of all the audit percents; with fewer than two audits in the whole company it is the
  spread of a score that could be anything from 0 to 100 (100 / sqrt(12), about 28.9 points). It is
  never taken below FLOOR_SD, so identical audits never prove a certainty.
- A branch's own spread is shrunk toward the company spread, which counts as PRIOR_WEIGHT audits'
  worth of evidence (fewer when the company spread rests on fewer): with one audit the interval is
  the company spread alone; with many it is mostly the branch's own.
- The interval is a Student t interval around the branch's exact mean: mean ± t × spread / sqrt(n),
  with PRIOR_WEIGHT + n - 1 degrees of freedom, clamped to 0..100.

This is the standard conjugate (normal, scaled inverse chi-square) model with the company spread as
the prior for the branch's spread and no prior pull on the branch's mean, so a branch's interval is
always centred on its own score.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, lru_cache

from checklists.scoring import display_percent

CONFIDENCE = 0.90
PRIOR_WEIGHT = 4  # the company spread counts as this many audits of the branch's own
FLOOR_SD = 5.0  # points: no spread is ever assumed smaller than this
UNKNOWN_SD = 100 / math.sqrt(12)  # a score equally likely anywhere in 0..100
MIN_OBSERVATIONS = 3  # below this, employee sections are not ranked at all


@dataclass(frozen=True)
class Sample:
    """What a group of audit percents says about spread: count, sum and sum of squares."""

    n: int = 0
    total: float = 0.0
    squares: float = 0.0

    def __add__(self, other: "Sample") -> "Sample":
        return Sample(self.n + other.n, self.total + other.total, self.squares + other.squares)

    @classmethod
    def of(cls, values: Iterable[float]) -> "Sample":
        values = [float(v) for v in values]
        return cls(len(values), sum(values), sum(v * v for v in values))

    @property
    def deviations(self) -> float:
        """The sum of squared deviations from the group's own mean (never negative)."""
        return max(0.0, self.squares - self.total * self.total / self.n) if self.n else 0.0


@dataclass(frozen=True)
class Prior:
    """The company spread (standard deviation, points) and how many audits' worth it counts for."""

    sd: float
    weight: int


@dataclass(frozen=True)
class Spread:
    """The company's audit percents: their spread within groups (a branch in a month), pooled as
    degrees of freedom and squared deviations from each group's mean, and all of them together."""

    within_df: int = 0
    within: float = 0.0
    everything: Sample = Sample()

    def __add__(self, other: "Spread") -> "Spread":
        return Spread(
            self.within_df + other.within_df, self.within + other.within, self.everything + other.everything
        )

    @classmethod
    def of_groups(cls, groups: Iterable[Sample]) -> "Spread":
        groups = [g for g in groups if g.n]
        return cls(sum(g.n - 1 for g in groups), sum(g.deviations for g in groups), sum(groups, Sample()))


def company_prior(spread: Spread) -> Prior:
    """The company spread: pooled within groups, else of all audits, else of a score that could be
    anything; never below FLOOR_SD."""
    if spread.within_df:
        sd = math.sqrt(spread.within / spread.within_df)
        return Prior(max(FLOOR_SD, sd), min(PRIOR_WEIGHT, spread.within_df))
    everything = spread.everything
    if everything.n >= 2:
        sd = math.sqrt(everything.deviations / (everything.n - 1))
        return Prior(max(FLOOR_SD, sd), min(PRIOR_WEIGHT, everything.n - 1))
    return Prior(UNKNOWN_SD, 1)


@dataclass(frozen=True)
class Estimate:
    """A score with its standard error and degrees of freedom; low and high bound its interval."""

    mean: Fraction
    se: float
    df: int
    confidence: float = CONFIDENCE

    # Worked out once per estimate: a dashboard asks each of a thousand branches several times.
    @cached_property
    def half_width(self) -> float:
        return t_quantile((1 + self.confidence) / 2, self.df) * self.se

    @cached_property
    def low(self) -> Fraction:
        return max(Fraction(0), self.mean - Fraction(self.half_width))

    @cached_property
    def high(self) -> Fraction:
        return min(Fraction(100), self.mean + Fraction(self.half_width))

    @cached_property
    def shown(self) -> tuple[float, float]:
        """Low and high for display: one decimal, half up."""
        return display_percent(self.low), display_percent(self.high)


def estimate(mean: Fraction | None, sample: Sample, prior: Prior) -> Estimate | None:
    """The interval of a mean of sample.n audit percents (None without a mean)."""
    if mean is None or not sample.n:
        return None
    df = prior.weight + sample.n - 1
    variance = (prior.weight * prior.sd**2 + sample.deviations) / df
    return Estimate(Fraction(mean), math.sqrt(variance / sample.n), df)


def mean_of(estimates: list[Estimate]) -> Estimate | None:
    """The interval of the plain mean of several independent scores (a region of branches).

    The standard errors add in quadrature; the degrees of freedom are Welch-Satterthwaite's,
    rounded down (never more confident than that)."""
    if not estimates:
        return None
    k = len(estimates)
    variances = [e.se**2 for e in estimates]
    total = sum(variances)
    mean = sum((e.mean for e in estimates), Fraction(0)) / k
    if total == 0:
        return Estimate(mean, 0.0, min(e.df for e in estimates))
    df = total**2 / sum(v * v / e.df for v, e in zip(variances, estimates, strict=True))
    return Estimate(mean, math.sqrt(total) / k, max(1, math.floor(df + 1e-9)))


def difference(later: Estimate, earlier: Estimate) -> Estimate:
    """The interval of later - earlier (a change between two periods). Unclamped."""
    variance = later.se**2 + earlier.se**2
    if variance == 0:
        df = min(later.df, earlier.df)
    else:
        df = max(1, math.floor(variance**2 / (later.se**4 / later.df + earlier.se**4 / earlier.df) + 1e-9))
    return Estimate(later.mean - earlier.mean, math.sqrt(variance), df)


def is_change(later: Estimate | None, earlier: Estimate | None) -> bool:
    """True only when the 90% interval of the difference leaves out zero."""
    if later is None or earlier is None:
        return False
    change = difference(later, earlier)
    return abs(change.mean) > change.half_width


def signal(interval: Estimate | None, reference: Fraction | None) -> str | None:
    """ "above" or "below" when the interval lies wholly on that side of the reference, else "level"."""
    if interval is None or reference is None:
        return None
    if interval.low > reference:
        return "above"
    if interval.high < reference:
        return "below"
    return "level"


def audits_needed(
    prior: Prior | float, difference: float = 5.0, confidence: float = CONFIDENCE, limit: int = 1000
) -> int:
    """How many audits a branch needs in a period so that its interval is at most ±difference points.

    Then a branch whose score lies that far from the mean shows as above or below. Assumes the
    branch's audits spread like the company's (prior: a Prior or a standard deviation in points).
    Returns limit when even that many are not enough."""
    prior = prior if isinstance(prior, Prior) else Prior(max(FLOOR_SD, float(prior)), PRIOR_WEIGHT)
    for n in range(1, limit + 1):
        if t_quantile((1 + confidence) / 2, prior.weight + n - 1) * prior.sd / math.sqrt(n) <= difference:
            return n
    return limit


def _t_cdf(t: float, df: int) -> float:
    """Student's t distribution function for whole degrees of freedom (Abramowitz & Stegun 26.7.3-4)."""
    theta = math.atan(t / math.sqrt(df))
    c2, s = math.cos(theta) ** 2, math.sin(theta)
    if df % 2:
        term, series = math.cos(theta), 0.0
        if df > 1:
            series = term
            for k in range(3, df - 1, 2):
                term *= c2 * (k - 1) / k
                series += term
        a = 2 / math.pi * (theta + s * series)
    else:
        term, series = 1.0, 1.0
        for k in range(2, df - 1, 2):
            term *= c2 * (k - 1) / k
            series += term
        a = s * series
    return (1 + a) / 2


@lru_cache(maxsize=4096)
def t_quantile(p: float, df: int) -> float:
    """The p quantile (p > 0.5) of Student's t with df whole degrees of freedom, by bisection."""
    if df > 2000:  # the normal distribution is within 1e-3 of it
        from statistics import NormalDist

        return NormalDist().inv_cdf(p)
    low, high = 0.0, 1.0
    while _t_cdf(high, df) < p:
        low, high = high, high * 2
    for _ in range(80):
        middle = (low + high) / 2
        low, high = (middle, high) if _t_cdf(middle, df) < p else (low, middle)
    return (low + high) / 2


def section_claims(
    observations: dict[tuple, list[tuple[Fraction, Fraction]]], references: dict[tuple, Fraction]
) -> dict[str, list[dict]]:
    """Which of an employee's sections may be called strongest or to work on.

    observations maps a section to its (earned, possible) in each audit; references maps it to the
    mark it is judged against (the checklist's pass mark, or the employee's own score without one).
    A section is ranked only with MIN_OBSERVATIONS audits; it is "strongest" only when its pooled
    percent (earned / possible over all its audits) and its whole 90% interval are at or above the
    reference, "to work on" only when its interval lies wholly below it, otherwise "unclear". The
    spread of a section's audits is shrunk toward the spread of all the employee's sections."""
    percents = {
        key: [100 * earned / possible for earned, possible in pairs if possible]
        for key, pairs in observations.items()
    }
    prior = company_prior(Spread.of_groups(Sample.of(values) for values in percents.values()))
    out: dict[str, list[dict]] = {"strongest": [], "to_work_on": [], "unclear": [], "too_few": []}
    for key, pairs in observations.items():
        possible = sum((p for _e, p in pairs), Fraction(0))
        n = len(percents[key])
        if not n:
            continue
        entry = {"key": key, "observations": n, "percent": 100 * sum(e for e, _p in pairs) / possible}
        if n < MIN_OBSERVATIONS:
            out["too_few"].append(entry)
            continue
        interval = estimate(entry["percent"], Sample.of(percents[key]), prior)
        entry |= {"low": interval.low, "high": interval.high, "reference": references[key]}
        if entry["percent"] >= references[key] and interval.low >= references[key]:
            out["strongest"].append(entry)
        elif interval.high < references[key]:
            out["to_work_on"].append(entry)
        else:
            out["unclear"].append(entry)
    out["strongest"].sort(key=lambda e: (-e["percent"], -e["observations"]))
    out["to_work_on"].sort(key=lambda e: (e["percent"], -e["observations"]))
    out["unclear"].sort(key=lambda e: -e["percent"])
    out["too_few"].sort(key=lambda e: -e["observations"])
    return out
