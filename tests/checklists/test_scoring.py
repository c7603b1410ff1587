"""The scoring rules of DESIGN.md, one table row each, and their properties under hypothesis."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checklists.model import checklist_from_dict
from checklists.scoring import display_percent, explain, score


def checklist(*sections, pass_mark=0, critical_cap=0, version=1):
    return checklist_from_dict(
        {
            "id": "c",
            "title": "C",
            "pass_mark": pass_mark,
            "critical_cap": critical_cap,
            "sections": list(sections),
        },
        version,
    )


def section(*items, id="s", weight=1, **extra):
    return {"id": id, "title": id.upper(), "weight": weight, "items": list(items), **extra}


def yes_no(id, **extra):
    return {"id": id, "text": id, "type": "yes_no", **extra}


SCALE = {"id": "scale", "text": "scale", "type": "scale", "min": 1, "max": 5}
CHOICE = {
    "id": "choice",
    "text": "choice",
    "type": "choice",
    "options": [
        {"label": "Best", "score": 1},
        {"label": "Half", "score": 0.5},
        {"label": "Worst", "score": 0},
    ],
}
NUMBER = {
    "id": "number",
    "text": "number",
    "type": "number",
    "bands": [{"max": 2, "score": 1}, {"max": 5, "score": 0.5}, {"score": 0}],
}


@pytest.mark.parametrize(
    ("item", "value", "fraction"),
    [
        (yes_no("q"), "yes", 1),
        (yes_no("q"), "no", 0),
        (SCALE, 1, 0),
        (SCALE, 4, Fraction(3, 4)),
        (SCALE, 5, 1),
        (SCALE, 2.5, Fraction(3, 8)),
        (CHOICE, "Best", 1),
        (CHOICE, "Half", Fraction(1, 2)),
        (CHOICE, "Worst", 0),
        (NUMBER, 0, 1),
        (NUMBER, 2, 1),  # max is inclusive
        (NUMBER, 2.01, Fraction(1, 2)),
        (NUMBER, 3.5, Fraction(1, 2)),
        (NUMBER, 5, Fraction(1, 2)),
        (NUMBER, 99, 0),  # the catch-all band
    ],
)
def test_fraction_of_each_type(item, value, fraction):
    result = score(checklist(section(item)), {item["id"]: {"value": value}})
    assert result.items[item["id"]].fraction == fraction
    assert result.percent == 100 * Fraction(fraction)


def test_item_and_section_weights_multiply():
    c = checklist(
        section(yes_no("a", weight=2), yes_no("b", weight=1), id="s1", weight=3),
        section(yes_no("c", weight=1), id="s2", weight=1),
    )
    result = score(c, {"a": {"value": "yes"}, "b": {"value": "no"}, "c": {"value": "no"}})
    assert (result.items["a"].earned, result.items["a"].possible) == (6, 6)
    assert (result.sections["s1"].earned, result.sections["s1"].possible) == (6, 9)
    assert result.sections["s1"].percent == Fraction(200, 3)
    assert (result.earned, result.possible) == (6, 10)
    assert result.percent == 60


def test_na_leaves_the_denominator():
    c = checklist(section(yes_no("a"), yes_no("b", allow_na=True)))
    result = score(c, {"a": {"value": "yes"}, "b": {"na": True}})
    assert (result.earned, result.possible, result.percent) == (1, 1, 100)
    assert result.items["b"].status == "na"


def test_na_where_not_allowed_is_missing_not_scored():
    result = score(checklist(section(yes_no("a"))), {"a": {"na": True}})
    assert result.missing == ("a",)
    assert result.percent is None


def test_hidden_items_are_not_scored():
    c = checklist(section(CHOICE, yes_no("followup", show_if={"item": "choice", "in": ["Worst"]})))
    shown = score(c, {"choice": {"value": "Worst"}, "followup": {"value": "yes"}})
    hidden = score(c, {"choice": {"value": "Best"}, "followup": {"value": "no"}})
    assert shown.possible == 2
    assert hidden.possible == 1 and hidden.percent == 100
    assert hidden.items["followup"].status == "hidden"


def test_hidden_chains_hide_their_dependants():
    c = checklist(
        section(
            yes_no("a"),
            yes_no("b", show_if={"item": "a", "in": ["no"]}),
            yes_no("c", show_if={"item": "b", "in": ["no"]}),
        )
    )
    result = score(c, {"a": {"value": "yes"}, "b": {"value": "no"}, "c": {"value": "no"}})
    assert [result.items[i].status for i in "abc"] == ["scored", "hidden", "hidden"]


def test_show_if_numbers_compare_exactly():
    number = {**NUMBER, "id": "n"}
    c = checklist(section(number, yes_no("why", show_if={"item": "n", "in": [3]})))
    assert score(c, {"n": {"value": 3.0}, "why": {"value": "yes"}}).items["why"].status == "scored"
    assert score(c, {"n": {"value": 3.5}, "why": {"value": "yes"}}).items["why"].status == "hidden"


def test_text_and_photo_items_score_nothing():
    c = checklist(
        section(
            yes_no("a"), {"id": "t", "text": "t", "type": "text"}, {"id": "p", "text": "p", "type": "photo"}
        )
    )
    result = score(c, {"a": {"value": "no"}, "t": {"value": "words"}})
    assert result.possible == 1 and result.percent == 0
    assert result.items["t"].status == result.items["p"].status == "unscored"
    assert result.missing == ()


def test_critical_failure_caps_and_flags():
    c = checklist(
        section(yes_no("a", weight=9), yes_no("crit", critical=True)), pass_mark=50, critical_cap=40
    )
    result = score(c, {"a": {"value": "yes"}, "crit": {"value": "no"}})
    assert result.uncapped_percent == 90
    assert result.percent == 40
    assert result.critical_failure and result.critical_items == ("crit",)
    assert result.passed is False


def test_critical_cap_never_raises_a_lower_score():
    c = checklist(section(yes_no("a", weight=9), yes_no("crit", critical=True)), critical_cap=40)
    result = score(c, {"a": {"value": "no"}, "crit": {"value": "no"}})
    assert result.percent == 0 and not result.capped


def test_critical_choice_failing_only_at_zero():
    c = checklist(section({**CHOICE, "critical": True}))
    assert not score(c, {"choice": {"value": "Half"}}).critical_failure
    assert score(c, {"choice": {"value": "Worst"}}).critical_failure


@pytest.mark.parametrize(("answer", "passed"), [("yes", True), ("no", False)])
def test_pass_mark(answer, passed):
    c = checklist(section(yes_no("a"), yes_no("b")), pass_mark=100)
    assert score(c, {"a": {"value": "yes"}, "b": {"value": answer}}).passed is passed


def test_pass_mark_is_inclusive():
    c = checklist(section(yes_no("a"), yes_no("b")), pass_mark=50)
    assert score(c, {"a": {"value": "yes"}, "b": {"value": "no"}}).passed is True


def test_nothing_possible_is_na_not_zero():
    c = checklist(section(yes_no("a", allow_na=True), id="s1"), section(yes_no("b"), id="s2"))
    result = score(c, {"a": {"na": True}, "b": {"value": "yes"}})
    assert result.sections["s1"].percent is None
    assert result.sections["s2"].percent == 100
    all_na = score(checklist(section(yes_no("a", allow_na=True))), {"a": {"na": True}})
    assert all_na.percent is None and all_na.passed is None


def test_the_maximum_of_a_choice_item_is_its_best_option_not_the_sum():
    result = score(checklist(section(CHOICE)), {"choice": {"value": "Best"}})
    assert result.possible == 1 and result.percent == 100


def test_exact_arithmetic_with_decimal_weights():
    c = checklist(section(yes_no("a", weight=0.1), yes_no("b", weight=0.2)))
    result = score(c, {"a": {"value": "yes"}, "b": {"value": "no"}})
    assert result.percent == Fraction(100, 3)
    assert display_percent(result.percent) == 33.3


@pytest.mark.parametrize(
    ("percent", "shown"),
    [
        (Fraction(0), 0.0),
        (Fraction(100), 100.0),
        (Fraction(1665, 20), 83.3),  # 83.25 rounds half up
        (Fraction(8335, 100), 83.4),  # 83.35
        (Fraction(200, 3), 66.7),
        (Fraction(1, 20), 0.1),  # 0.05
        (Fraction(1, 21), 0.0),
        (None, None),
    ],
)
def test_display_rounds_half_up_to_one_decimal(percent, shown):
    assert display_percent(percent) == shown


def test_unanswered_items_are_listed_as_missing():
    c = checklist(section(yes_no("a"), yes_no("b"), yes_no("c", allow_na=True)))
    assert score(c, {"b": {"value": "yes"}}).missing == ("a", "c")


@pytest.mark.parametrize(
    ("item", "value"), [(yes_no("q"), "maybe"), (SCALE, 6), (SCALE, "4"), (CHOICE, "Other"), (NUMBER, "3")]
)
def test_invalid_answers_raise_instead_of_scoring_wrong(item, value):
    with pytest.raises(ValueError, match=item["id"]):
        score(checklist(section(item)), {item["id"]: {"value": value}})


def test_explanation_names_na_items_and_the_cap():
    c = checklist(
        section(
            yes_no("a", text="Greeted"),
            yes_no("b", allow_na=True, text="Offered card"),
            yes_no("c", critical=True, text="Prices shown"),
        ),
        critical_cap=20,
        version=3,
    )
    result = score(c, {"a": {"value": "yes"}, "b": {"na": True}, "c": {"value": "no"}})
    text = "\n".join(explain(c, result))
    assert "version 3" in text
    assert "100 × 1 ÷ 2 = 50.0%" in text
    assert "Left out as N/A: Offered card." in text
    assert "capped at 20.0% (it was 50.0%)" in text


# Properties


@st.composite
def checklists_and_answers(draw):
    """A random checklist of every scored type and a complete, valid set of answers to it."""
    sections, answers = [], {}
    weights = st.integers(1, 20)
    for s in range(draw(st.integers(1, 4))):
        items = []
        for i in range(draw(st.integers(1, 6))):
            item_id = f"s{s}i{i}"
            kind = draw(st.sampled_from(["yes_no", "scale", "choice", "number"]))
            item = {"id": item_id, "text": item_id, "type": kind, "weight": draw(weights)}
            item["critical"] = draw(st.booleans())
            item["allow_na"] = draw(st.booleans())
            if kind == "yes_no":
                value = draw(st.sampled_from(["yes", "no"]))
            elif kind == "scale":
                item |= {"min": 0, "max": draw(st.integers(1, 10))}
                value = draw(st.integers(0, item["max"]))
            elif kind == "choice":
                item["options"] = [
                    {"label": "best", "score": 1},
                    {"label": "some", "score": 0.25},
                    {"label": "none", "score": 0},
                ]
                value = draw(st.sampled_from(["best", "some", "none"]))
            else:
                item["bands"] = [{"max": 1, "score": 1}, {"max": 4, "score": 0.5}, {"score": 0}]
                value = draw(st.integers(0, 10))
            answers[item_id] = {"na": True} if item["allow_na"] and draw(st.booleans()) else {"value": value}
            items.append(item)
        sections.append(section(*items, id=f"s{s}", weight=draw(weights)))
    doc = {
        "pass_mark": draw(st.integers(0, 100)),
        "critical_cap": draw(st.integers(0, 100)),
        "sections": sections,
    }
    return doc, answers


def build(doc):
    return checklist(*doc["sections"], pass_mark=doc["pass_mark"], critical_cap=doc["critical_cap"])


@settings(max_examples=200, deadline=None)
@given(checklists_and_answers())
def test_percent_always_lies_in_0_to_100(case):
    doc, answers = case
    result = score(build(doc), answers)
    assert result.percent is None or 0 <= result.percent <= 100
    for s in result.sections.values():
        assert s.percent is None or 0 <= s.percent <= 100


@settings(max_examples=100, deadline=None)
@given(checklists_and_answers(), st.integers(2, 1000))
def test_scaling_every_weight_changes_nothing(case, factor):
    doc, answers = case
    scaled = {
        **doc,
        "sections": [
            {
                **s,
                "weight": s["weight"] * factor,
                "items": [{**i, "weight": i["weight"] * factor} for i in s["items"]],
            }
            for s in doc["sections"]
        ],
    }
    assert score(build(scaled), answers).percent == score(build(doc), answers).percent


@settings(max_examples=100, deadline=None)
@given(checklists_and_answers(), st.booleans())
def test_adding_an_na_or_hidden_item_changes_nothing(case, as_na):
    doc, answers = case
    extra = yes_no("extra", weight=7, critical=True, allow_na=True)
    if not as_na:
        extra["show_if"] = {"item": "never", "in": ["yes"]}
    first = doc["sections"][0]
    never = yes_no("never", allow_na=True)
    grown = {**doc, "sections": [{**first, "items": [never, *first["items"], extra]}, *doc["sections"][1:]]}
    grown_answers = {**answers, "never": {"na": True}, "extra": {"na": True} if as_na else {"value": "no"}}
    before, after = score(build(doc), answers), score(build(grown), grown_answers)
    assert (after.percent, after.passed, after.critical_failure) == (
        before.percent,
        before.passed,
        before.critical_failure,
    )


@settings(max_examples=200, deadline=None)
@given(checklists_and_answers())
def test_a_critical_failure_never_passes(case):
    doc, answers = case
    result = score(build(doc), answers)
    if result.critical_failure:
        assert result.passed is False
        assert result.percent <= doc["critical_cap"]


@settings(max_examples=100, deadline=None)
@given(checklists_and_answers())
def test_all_best_answers_give_100(case):
    doc, _answers = case
    best = {
        "yes_no": lambda i: "yes",
        "scale": lambda i: i["max"],
        "choice": lambda i: "best",
        "number": lambda i: 0,
    }
    answers = {i["id"]: {"value": best[i["type"]](i)} for s in doc["sections"] for i in s["items"]}
    result = score(build(doc), answers)
    assert result.percent == 100 and not result.critical_failure
    assert result.passed is True
