"""The pure arithmetic of reports.store: means of stored percents, pass rates and ranks."""

from fractions import Fraction

import pytest

from checklists.scoring import display_percent
from reports.store import BranchResult, mean, mean_of_floats, ranks


@pytest.mark.parametrize(
    ("total", "count", "exact", "shown"),
    [
        (175.0, 2, Fraction(175, 2), 87.5),  # (100 + 75) / 2
        (0.0, 1, Fraction(0), 0.0),
        (100.0, 1, Fraction(100), 100.0),
        (166.5, 2, Fraction(333, 4), 83.3),  # 83.25 is exact in binary: no correction needed
        # 83.35 has no exact float: 166.7 / 2 lands a hair below it, put back on the boundary
        (166.7, 2, Fraction(1667, 20), 83.4),
        (100 + 66.7, 2, Fraction(1667, 20), 83.4),
        (83.35 * 3, 3, Fraction(1667, 20), 83.4),  # 250.04999999999998 / 3
        (0.1 + 0.2, 2, Fraction(3, 20), 0.2),  # 0.30000000000000004 / 2 is 0.15
    ],
)
def test_a_mean_on_a_rounding_boundary_is_put_back_on_it(total, count, exact, shown):
    assert mean_of_floats(total, count) == exact
    assert display_percent(mean_of_floats(total, count)) == shown


def test_without_the_correction_the_float_would_round_down():
    assert display_percent(Fraction(166.7 / 2)) == 83.3  # what mean_of_floats exists to prevent


@pytest.mark.parametrize(
    ("total", "count", "shown"),
    [
        (100.0, 3, 33.3),  # 33.33…: far from a boundary, the float's own value
        (200.0, 3, 66.7),
        (212.5, 3, 70.8),  # (12.5 + 100 + 100) / 3
        (166.6998, 2, 83.3),  # 83.3499, 1e-4 below the boundary: a real value, not a float error
    ],
)
def test_a_mean_away_from_a_boundary_is_the_float_itself(total, count, shown):
    assert mean_of_floats(total, count) == Fraction(total / count)
    assert display_percent(mean_of_floats(total, count)) == shown


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], None),
        ([Fraction(100)], Fraction(100)),
        ([Fraction(100), Fraction(75)], Fraction(175, 2)),
        ([Fraction(175, 2), Fraction(50), Fraction(0)], Fraction(275, 6)),  # 45.8: the october mean
        ([Fraction(100, 3), Fraction(200, 3)], Fraction(50)),  # exact: no 49.99…
    ],
)
def test_mean_is_exact(values, expected):
    assert mean(values) == expected


@pytest.mark.parametrize(
    ("result", "pass_rate"),
    [
        (BranchResult(1), None),
        (BranchResult(1, audits=2, scored=0), None),  # only all-N/A audits: nothing to pass
        (BranchResult(1, audits=3, scored=3, passed=2), Fraction(200, 3)),
        (BranchResult(1, audits=4, scored=2, passed=2), Fraction(100)),  # all-N/A audits left out
    ],
)
def test_pass_rate_is_over_the_scored_audits(result, pass_rate):
    assert result.pass_rate == pass_rate


def rows(*percents):
    return [{"branch_id": n, "result": BranchResult(n, percent=p)} for n, p in enumerate(percents, 1)]


@pytest.mark.parametrize(
    ("percents", "expected"),
    [
        ((), {}),
        ((90,), {1: 1}),
        ((90, 80, 70), {1: 1, 2: 2, 3: 3}),
        ((90, 80, 80, 70), {1: 1, 2: 2, 3: 2, 4: 4}),  # competition ranking: 1, 2, 2, 4
        ((80, 80, 80), {1: 1, 2: 1, 3: 1}),
        ((90, None, 70), {1: 1, 3: 2}),  # no score, no rank, and no gap for it
        ((None, None), {}),
        # One exact mean from two float sums that differ in the last bit (0.6000000000000001 and 0.6)
        ((mean_of_floats(0.1 + 0.2 + 0.3, 3), mean_of_floats(0.3 + 0.2 + 0.1, 3)), {1: 1, 2: 1}),
    ],
)
def test_ranks(percents, expected):
    assert ranks(rows(*(None if p is None else Fraction(p) for p in percents))) == expected
