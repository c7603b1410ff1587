"""The arithmetic of "how sure is a score", against values worked out by hand (t table values from
any statistics textbook)."""

import math
from fractions import Fraction

import pytest

from checklists.scoring import display_percent
from reports.uncertainty import (
    FLOOR_SD,
    UNKNOWN_SD,
    Estimate,
    Prior,
    Sample,
    Spread,
    audits_needed,
    company_prior,
    difference,
    estimate,
    is_change,
    mean_of,
    section_claims,
    signal,
    t_quantile,
)


@pytest.mark.parametrize(
    "df, expected",
    [(1, 6.313752), (2, 2.919986), (3, 2.353363), (4, 2.131847), (6, 1.943180), (9, 1.833113),
     (10, 1.812461), (30, 1.697261), (100, 1.660234), (5000, 1.644854)],
)  # fmt: skip
def test_t_quantile_matches_the_table(df, expected):
    assert t_quantile(0.95, df) == pytest.approx(expected, abs=1e-6)


def groups(*lists):
    return Spread.of_groups(Sample.of(values) for values in lists)


@pytest.mark.parametrize(
    "spread, sd, weight",
    [
        # A: 70, 90 (deviations 100 + 100, 1 df); B: 50, 60, 70 (100 + 0 + 100, 2 df): 400 / 3
        (groups([70, 90], [50, 60, 70]), math.sqrt(400 / 3), 3),
        # one audit per branch: no within-branch spread, so the spread of all audits: 60, 80 -> 200 / 1
        (groups([60], [80]), math.sqrt(200), 1),
        # the same audit percents in every branch: the floor, never zero
        (groups([90, 90], [90, 90, 90]), FLOOR_SD, 3),
        # many groups: the prior still counts as four audits
        (groups(*[[40, 60]] * 10), math.sqrt(200), 4),
        # one audit in the whole company, or none: a score that could be anything
        (groups([75]), UNKNOWN_SD, 1),
        (Spread(), UNKNOWN_SD, 1),
    ],
)
def test_company_prior(spread, sd, weight):
    prior = company_prior(spread)
    assert (prior.sd, prior.weight) == (pytest.approx(sd), weight)


def test_spreads_add_up_month_by_month():
    assert groups([70, 90]) + groups([50, 60, 70]) == groups([70, 90], [50, 60, 70])


def shown(mean, values, prior):
    result = estimate(Fraction(mean), Sample.of(values), prior)
    return result.shown, result.df


@pytest.mark.parametrize(
    "mean, values, prior, expected",
    [
        # one audit: the company spread alone, t with 4 df: 60 ± 2.131847 × 10 = 60 ± 21.318
        (60, [60], Prior(10, 4), ((38.7, 81.3), 4)),
        # clamped to 0..100: 95 ± 21.318
        (95, [95], Prior(10, 4), ((73.7, 100.0), 4)),
        # three identical audits: (4 × 100 + 0) / 6 = 66.67; se √(66.67 / 3) = 4.714; ± 1.943180 × se = 9.160
        (90, [90, 90, 90], Prior(10, 4), ((80.8, 99.2), 6)),
        # 70 and 90: (4 × 100 + 200) / 5 = 120; se √60 = 7.746; ± 2.015048 × se = 15.608
        (80, [70, 90], Prior(10, 4), ((64.4, 95.6), 5)),
        # a company of identical audits (floor 5, 3 df) and a branch with one: 100 ± 2.353363 × 5 = 11.77
        (100, [100], company_prior(groups([100, 100], [100, 100, 100])), ((88.2, 100.0), 3)),
        # one audit in the whole company: it could be anything
        (100, [100], company_prior(groups([100])), ((0.0, 100.0), 1)),
    ],
)
def test_intervals_worked_by_hand(mean, values, prior, expected):
    assert shown(mean, values, prior) == expected


def test_no_audits_or_only_na_audits_have_no_interval():
    assert estimate(None, Sample(), Prior(10, 4)) is None  # no audits
    # N/A-only audits have no percent: no mean and an empty sample (through the API: test_intervals.py)
    assert estimate(Fraction(50), Sample(), Prior(10, 4)) is None


def test_a_single_audit_is_never_a_certainty_even_when_everything_agrees():
    for prior in (company_prior(groups([80, 80])), company_prior(groups([80] * 50))):
        low, high = estimate(Fraction(80), Sample.of([80]), prior).shown
        assert high - low > 20


def test_more_audits_narrow_the_interval():
    prior = Prior(12, 4)
    widths = [estimate(Fraction(70), Sample.of([70] * n), prior).half_width for n in (1, 2, 4, 8, 16)]
    assert widths == sorted(widths, reverse=True)


@pytest.mark.parametrize(
    "low_high, reference, expected",
    [((60, 70), 50, "above"), ((60, 70), 80, "below"), ((60, 70), 65, "level"), ((60, 70), 60, "level"),
     ((60, 70), None, None)],
)  # fmt: skip
def test_signal_only_when_the_interval_lies_wholly_on_one_side(low_high, reference, expected):
    low, high = low_high
    interval = Estimate(Fraction(low + high, 2), (high - low) / 2 / t_quantile(0.95, 10), 10)
    assert interval.shown == (low, high)
    assert signal(interval, None if reference is None else Fraction(reference)) == expected
    assert signal(None, Fraction(50)) is None


def test_a_region_adds_its_branches_uncertainty():
    # se 3 and 4: √(9 + 16) / 2 = 2.5; Welch-Satterthwaite df 625 / (81/4 + 256/6) = 9.93 -> 9
    region = mean_of([Estimate(Fraction(60), 3.0, 4), Estimate(Fraction(80), 4.0, 6)])
    assert (region.mean, region.se, region.df) == (70, 2.5, 9)
    assert region.shown == (65.4, 74.6)  # 70 ± 1.833113 × 2.5
    assert mean_of([]) is None


def test_a_change_is_a_change_only_when_its_interval_leaves_out_zero():
    before, after = Estimate(Fraction(60), 3.0, 4), Estimate(Fraction(80), 4.0, 6)
    change = difference(after, before)  # 20 ± 1.833113 × 5 = 20 ± 9.17
    assert (change.mean, change.se, change.df) == (20, 5.0, 9)
    assert is_change(after, before)
    assert not is_change(Estimate(Fraction(68), 4.0, 6), before)  # 8 ± 9.17
    assert not is_change(after, None) and not is_change(None, before)


@pytest.mark.parametrize(
    "spread, difference_points, expected",
    [
        # n = 13: 1.745884 × 10 / √13 = 4.84 <= 5; n = 12: 1.753050 × 10 / √12 = 5.06
        (10, 5, 13),
        # the floor: 2 points is taken as 5; n = 4: 1.894579 × 5 / 2 = 4.74; n = 3: 1.943180 × 5 / √3 = 5.61
        (2, 5, 4),
        (5, 5, 4),
        (15, 5, 26),
        (10, 10, 4),  # n = 4: 1.894579 × 10 / 2 = 9.47; n = 3: 11.2
    ],
)
def test_audits_needed_for_a_target(spread, difference_points, expected):
    assert audits_needed(spread, difference_points) == expected
    assert audits_needed(Prior(max(FLOOR_SD, spread), 4), difference_points) == expected


def test_section_claims_worked_by_hand():
    def audits_of(*pairs):
        return [(Fraction(e), Fraction(p)) for e, p in pairs]

    observations = {
        "A": audits_of((2, 2), (2, 2), (2, 2), (2, 2)),  # 100 ×4
        "B": audits_of((0, 2), (1, 2), (0, 2)),  # 0, 50, 0: pooled 16.7
        "C": audits_of((2, 2), (1, 2), (2, 2)),  # 100, 50, 100: pooled 83.3
        "D": audits_of((2, 2), (2, 2)),  # two observations only
        "E": audits_of((0, 2)),  # one 0%: never "strongest"
        "F": audits_of((0, 0), (0, 0), (0, 0)),  # all N/A: nothing to say
    }
    claims = section_claims(observations, dict.fromkeys(observations, Fraction(75)))
    # Spread of the employee's sections: deviations 0 + 1666.67 + 1666.67 + 0 over 3 + 2 + 2 + 1 df:
    # 416.67, counted as 4 audits.
    # A: (4 × 416.67) / 7 = 238.1; se √(238.1 / 4) = 7.715; ± 1.894579 × se = 14.62 -> low 85.4
    # B: (1666.67 + 1666.67) / 6 = 555.6; se √(555.6 / 3) = 13.61; ± 1.943180 × se = 26.45 -> high 43.1
    # C: the same spread: 83.3 ± 26.45 = 56.9 .. 100: it could be either side of 75
    summary = {
        kind: [(e["key"], display_percent(e["percent"]), e["observations"]) for e in entries]
        for kind, entries in claims.items()
    }
    assert summary == {
        "strongest": [("A", 100.0, 4)],
        "to_work_on": [("B", 16.7, 3)],
        "unclear": [("C", 83.3, 3)],
        "too_few": [("D", 100.0, 2), ("E", 0.0, 1)],
    }
    assert display_percent(claims["strongest"][0]["low"]) == 85.4
    assert display_percent(claims["to_work_on"][0]["high"]) == 43.1
    assert [display_percent(claims["unclear"][0][k]) for k in ("low", "high")] == [56.9, 100.0]


def test_a_section_below_the_pass_mark_is_never_strongest():
    observations = {"A": [(Fraction(7), Fraction(10))] * 5, "B": [(Fraction(6), Fraction(10))] * 5}
    claims = section_claims(observations, dict.fromkeys(observations, Fraction(80)))
    assert claims["strongest"] == []  # both are the best this employee has, and both below 80
    assert [e["key"] for e in claims["to_work_on"]] == ["B", "A"]
