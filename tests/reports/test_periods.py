from datetime import date

import pytest

from reports.periods import Period, PeriodError, parse_period


@pytest.mark.parametrize(
    ("text", "months", "label"),
    [
        ("2026-10", ["2026-10"], "October 2026"),
        ("2026-Q4", ["2026-10", "2026-11", "2026-12"], "Q4 2026"),
        ("2026-Q1", ["2026-01", "2026-02", "2026-03"], "Q1 2026"),
        ("2026", [f"2026-{m:02d}" for m in range(1, 13)], "2026"),
    ],
)
def test_periods(text, months, label):
    period = parse_period(text)
    assert period.months == months and period.label == label and period.key == text


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-Q5", "2026-Q0", "garbage", "", "26-10", "2026-1", "2026-10-01"]
)
def test_bad_periods_say_what_is_expected(text):
    with pytest.raises(PeriodError, match="YYYY-MM"):
        parse_period(text)


@pytest.mark.parametrize(
    ("text", "previous"),
    [
        ("2026-01", "2025-12"),
        ("2026-10", "2026-09"),
        ("2026-Q1", "2025-Q4"),
        ("2026-Q3", "2026-Q2"),
        ("2026", "2025"),
    ],
)
def test_previous_period(text, previous):
    assert parse_period(text).previous().key == previous


def test_last_twelve_months_end_with_the_period():
    keys = [p.key for p in parse_period("2026-03").last(12)]
    assert keys[0] == "2025-04" and keys[-1] == "2026-03" and len(keys) == 12
    assert Period("quarter", 2026, 1).last(3)[0].key == "2025-Q3"


@pytest.mark.parametrize(
    ("text", "plausible"),
    [
        ("2000-01", True),
        ("1999-12", False),
        ("1000-01", False),
        ("1999", False),
        ("2027-11", True),
        ("2027-12", False),
        ("2027-Q4", True),
        ("2028-Q1", False),
        ("2027", True),
        ("2028", False),
    ],
)
def test_periods_outside_the_data_are_implausible(text, plausible):

    from reports.periods import ImplausiblePeriod

    if plausible:
        assert parse_period(text, today=date(2026, 11, 30)).key == text
    else:
        with pytest.raises(ImplausiblePeriod, match="outside the range"):
            parse_period(text, today=date(2026, 11, 30))


@pytest.mark.parametrize(
    ("text", "short"),
    [
        ("2026-10", "Oct 26"),
        ("2026-01", "Jan 26"),
        ("2026-Q4", "Q4 2026"),
        ("2026", "2026"),
        ("2026-08..2026-10", "Aug 26–Oct 26"),
        ("2025-11..2026-02", "Nov 25–Feb 26"),
    ],
)
def test_short_labels_for_chart_axes(text, short):
    assert parse_period(text).short_label == short


@pytest.mark.parametrize(
    ("text", "steps", "key"),
    [
        ("2026-12", -1, "2027-01"),  # a negative step goes forward
        ("2026-10", 12, "2025-10"),
        ("2026-Q4", -1, "2027-Q1"),
        ("2026-Q1", 5, "2024-Q4"),
        ("2026", 3, "2023"),
        ("2026-08..2026-10", 1, "2026-05..2026-07"),  # a range moves by its own length
        ("2026-11..2027-01", -1, "2027-02..2027-04"),
    ],
)
def test_previous_by_several_steps(text, steps, key):
    assert parse_period(text, today=date(2027, 1, 1)).previous(steps).key == key
