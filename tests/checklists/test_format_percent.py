from fractions import Fraction

import pytest
from flask import render_template_string

from checklists.scoring import NO_SCORE, format_percent


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (None, True, "N/A"),
        (None, False, "N/A"),
        (Fraction(175, 2), True, "87.5%"),
        (Fraction(175, 2), False, "87.5"),
        (Fraction(200, 3), True, "66.7%"),
        (Fraction(1, 4), True, "0.3%"),  # exactly half: up (a float 0.25 would show 0.2)
        (Fraction(100), True, "100.0%"),
        (Fraction(0), True, "0.0%"),
        (58.3, True, "58.3%"),  # a float is already rounded for display
        (90.0, False, "90.0"),
        (80, True, "80.0%"),
    ],
)
def test_format_percent(value, unit, text):
    assert format_percent(value, unit) == text


def test_no_score_is_one_word():
    assert NO_SCORE == "N/A"


def test_templates_format_percents_with_the_percent_filter(app):
    with app.app_context():
        rendered = render_template_string(
            "{{ a | percent }} {{ b | percent }} {{ c | percent(unit=false) }}",
            a=Fraction(1, 3),
            b=None,
            c=12.5,
        )
    assert rendered == "0.3% N/A 12.5"
