"""The audit document against its checklist, without the database: periods, answers as read,
what each bad answer is told, and what stands between a draft and submitting."""

from datetime import UTC, datetime

import pytest

from audits.document import (
    answer_problems,
    answer_text,
    employee_problems,
    is_answered,
    period_month,
    submission_problems,
    utc,
)
from checklists import spec
from checklists.model import checklist_from_dict
from checklists.scoring import score
from tests.conftest import VALID

# DESIGN's example: greeted-30s (yes_no, N/A allowed, a comment when failed), wait-minutes (number),
# friendliness (scale 1..5), offer (choice), why-not (text, shown when the card was not offered).
DESIGN = checklist_from_dict(spec.load(VALID, "yaml"), 1)
NOW = datetime(2026, 10, 5, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("visited_at", "month", "in_utc"),
    [
        ("2026-10-05T14:30:00+02:00", "2026-10", "2026-10-05T12:30:00+00:00"),
        ("2026-11-01T00:30:00+01:00", "2026-11", "2026-10-31T23:30:00+00:00"),  # its own offset decides
        ("2026-10-31T23:30:00-05:00", "2026-10", "2026-11-01T04:30:00+00:00"),
        ("2026-12-31T23:59:59+00:00", "2026-12", "2026-12-31T23:59:59+00:00"),
        ("2027-01-01T00:00:00+14:00", "2027-01", "2026-12-31T10:00:00+00:00"),
        ("2026-10-05T14:30:00.250+02:00", "2026-10", "2026-10-05T12:30:00+00:00"),  # to the second
    ],
)
def test_period_month_in_the_visits_own_offset_and_utc(visited_at, month, in_utc):
    assert period_month(visited_at) == month
    assert utc(visited_at) == in_utc


@pytest.mark.parametrize(
    ("answer", "answered", "text"),
    [
        ({"value": "yes"}, True, "yes"),
        ({"value": 3.5}, True, "3.5"),
        ({"value": 0}, True, "0"),  # zero is an answer
        ({"value": ""}, True, ""),
        ({"na": True}, True, "N/A"),
        ({"value": ["p1", "p2"]}, True, "2 photo(s)"),
        ({"value": []}, True, "0 photo(s)"),
        ({"comment": "rude"}, False, "no answer"),  # a comment alone is no answer
        ({"photos": ["p1"]}, False, "no answer"),
        ({"na": False}, False, "no answer"),
        ({}, False, "no answer"),
        (None, False, "no answer"),
    ],
)
def test_what_counts_as_an_answer_and_how_it_reads(answer, answered, text):
    assert is_answered(answer) is answered
    assert answer_text(answer) == text


@pytest.mark.parametrize(
    ("answers", "problems"),
    [
        ({"greeted-30s": {"value": "yes"}, "wait-minutes": {"value": 0}}, {}),
        ({"greeted-30s": {"na": True}}, {}),
        ({"greeted-30s": {"comment": "later"}}, {}),  # not answered yet: not wrong
        ({"greeted-30s": {"value": "Yes"}}, {"answers.greeted-30s.value": ["Answer 'yes' or 'no'."]}),
        ({"greeted-30s": {"value": True}}, {"answers.greeted-30s.value": ["Answer 'yes' or 'no'."]}),
        (
            {"greeted-30s": {"na": True, "value": "yes"}},
            {"answers.greeted-30s": ["Give a value or N/A, not both."]},
        ),
        ({"wait-minutes": {"na": True}}, {"answers.wait-minutes.na": ["N/A is not allowed for this item."]}),
        ({"wait-minutes": {"value": "3"}}, {"answers.wait-minutes.value": ["Answer with a number."]}),
        ({"wait-minutes": {"value": True}}, {"answers.wait-minutes.value": ["Answer with a number."]}),
        ({"friendliness": {"value": 5}}, {}),
        ({"friendliness": {"value": 2.5}}, {}),
        (
            {"friendliness": {"value": 0}},
            {"answers.friendliness.value": ["Answer with a number from 1 to 5."]},
        ),
        (
            {"friendliness": {"value": 5.5}},
            {"answers.friendliness.value": ["Answer with a number from 1 to 5."]},
        ),
        (
            {"offer": {"value": "Maybe"}},
            {"answers.offer.value": ["Choose one of: Offered unprompted, Only when asked, Not offered."]},
        ),
        ({"why-not": {"value": 7}}, {"answers.why-not.value": ["Answer with text."]}),
        ({"why-not": {"value": "x" * 5000}}, {}),
        ({"why-not": {"value": "x" * 5001}}, {"answers.why-not.value": ["At most 5000 characters."]}),
        (
            {"door": {"value": "yes"}},
            {"answers.door": ["No item 'door' in checklist store-visit version 1."]},
        ),
    ],
)
def test_answer_problems_name_the_path_and_say_what_fits(answers, problems):
    assert answer_problems(DESIGN, answers) == problems


def test_every_bad_answer_is_reported_at_once():
    problems = answer_problems(
        DESIGN, {"greeted-30s": {"value": "y"}, "wait-minutes": {"value": "3"}, "door": {"value": 1}}
    )
    assert sorted(problems) == ["answers.door", "answers.greeted-30s.value", "answers.wait-minutes.value"]


PHOTO = checklist_from_dict(
    {
        "id": "p",
        "title": "P",
        "sections": [
            {
                "id": "s",
                "title": "S",
                "items": [
                    {"id": "shelf", "text": "Shelf", "type": "photo"},
                    {"id": "note", "text": "Note", "type": "text", "require": {"answer": True}},
                    {
                        "id": "clean",
                        "text": "Clean",
                        "type": "yes_no",
                        "require": {"comment_on_fail": True, "photo_on_fail": True},
                    },
                ],
            }
        ],
    },
    1,
)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (["a", "b"], None),
        ([], None),
        ("a", "A photo answer is a list of photo ids."),
        ([1], "A photo answer is a list of photo ids."),
    ],
)
def test_a_photo_answer_is_a_list_of_ids(value, problem):
    expected = {"answers.shelf.value": [problem]} if problem else {}
    assert answer_problems(PHOTO, {"shelf": {"value": value}}) == expected


@pytest.mark.parametrize(
    ("employees", "problems"),
    [
        ({}, {}),
        ({"greeting": 7}, {}),
        ({"greeting": 9}, {"employees.greeting": ["Employee 9 does not work at this branch."]}),
        ({"checkout": 7}, {"employees.checkout": ["Section 'checkout' does not score an employee."]}),
    ],
)
def test_employee_problems(employees, problems):
    assert employee_problems(DESIGN, employees, staff={7, 8}) == problems


def design_document(answers: dict, **times) -> dict:
    return {"visited_at": "2026-10-05T14:30:00+02:00", "answers": answers, **times}  # 12:30 UTC


COMPLETE = {
    "greeted-30s": {"value": "yes"},
    "wait-minutes": {"value": 3.5},
    "friendliness": {"value": 4},
    "offer": {"value": "Only when asked"},
}


def submission(checklist, answers: dict, photo_ids=(), now=NOW, **times) -> dict:
    return submission_problems(
        checklist, design_document(answers, **times), score(checklist, answers), now, set(photo_ids)
    )


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        ({}, {}),
        ({"greeted-30s": {"na": True}}, {}),
        ({"greeted-30s": None}, {"answers.greeted-30s": ["Answer this item or mark it N/A."]}),
        ({"wait-minutes": None}, {"answers.wait-minutes": ["Answer this item."]}),
        (
            {"greeted-30s": {"value": "no"}},
            {"answers.greeted-30s.comment": ["A failed answer needs a comment."]},
        ),
        (
            {"greeted-30s": {"value": "no", "comment": "  "}},
            {"answers.greeted-30s.comment": ["A failed answer needs a comment."]},
        ),
        ({"greeted-30s": {"value": "no", "comment": "nobody looked up"}}, {}),
        # why-not is a text item: shown once the card was not offered, and then optional
        ({"offer": {"value": "Not offered"}}, {}),
        (
            {"greeted-30s": {"value": "yes", "photos": ["p9"]}},
            {"answers.greeted-30s.photos": ["1 photo(s) not uploaded yet."]},
        ),
    ],
)
def test_what_stands_between_a_draft_and_submitting(changes, problems):
    answers = {k: v for k, v in {**COMPLETE, **changes}.items() if v is not None}
    assert submission(DESIGN, answers) == problems


def test_a_failed_item_needing_a_comment_and_a_photo_and_a_required_text():
    assert submission(PHOTO, {"clean": {"value": "no"}}) == {
        "answers.note": ["This item must be filled in."],
        "answers.clean.comment": ["A failed answer needs a comment."],
        "answers.clean.photos": ["A failed answer needs a photo."],
    }
    fixed = {"note": {"value": "fine"}, "clean": {"value": "no", "comment": "dusty", "photos": ["p1"]}}
    assert submission(PHOTO, fixed, photo_ids={"p1"}) == {}
    assert submission(PHOTO, fixed) == {"answers.clean.photos": ["1 photo(s) not uploaded yet."]}


def test_photos_of_a_photo_item_must_be_uploaded():
    answers = {"note": {"value": "x"}, "clean": {"value": "yes"}, "shelf": {"value": ["p1", "p2", "p3"]}}
    assert submission(PHOTO, answers, photo_ids={"p2"}) == {
        "answers.shelf.photos": ["2 photo(s) not uploaded yet."]
    }
    assert submission(PHOTO, {**answers, "note": {"value": ""}}, photo_ids={"p1", "p2", "p3"}) == {
        "answers.note": ["This item must be filled in."]  # an empty text is no answer to a required item
    }


@pytest.mark.parametrize(
    ("now", "times", "problems"),
    [
        (NOW, {}, {}),
        (datetime(2026, 10, 5, 12, 20, tzinfo=UTC), {}, {}),  # ten minutes ahead: a phone's clock drift
        (datetime(2026, 10, 5, 12, 19, tzinfo=UTC), {}, {"visited_at": ["The visit time is in the future."]}),
        (NOW, {"started_at": "2026-10-05T14:20:00+02:00", "ended_at": "2026-10-05T14:45:00+02:00"}, {}),
        (
            NOW,
            {"started_at": "2026-10-05T14:45:00+02:00", "ended_at": "2026-10-05T14:20:00+02:00"},
            {"ended_at": ["The visit ends before it starts."]},
        ),
        (
            datetime(2026, 10, 5, 12, 0, tzinfo=UTC),
            {"started_at": "2026-10-05T14:15:00+02:00"},  # 12:15 UTC, fifteen minutes ahead
            {
                "visited_at": ["The visit time is in the future."],
                "started_at": ["The start time is in the future."],
            },
        ),
    ],
)
def test_impossible_times(now, times, problems):
    assert submission(DESIGN, COMPLETE, now=now, **times) == problems
