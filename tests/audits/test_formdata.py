import pytest
from werkzeug.datastructures import MultiDict

from audits.document import period_month
from audits.formdata import document_from_form, item_hints, local_input, with_offset
from checklists import spec
from checklists.model import checklist_from_dict
from tests.conftest import VALID

CHECKLIST = checklist_from_dict(spec.load(VALID, "yaml"), 1)
BASE = {
    "checklist_id": "store-visit",
    "checklist_version": 1,
    "branch_id": 1,
    "visited_at": "2026-10-05T14:30:00+02:00",
    "revision": 4,
    "answers": {},
}


@pytest.mark.parametrize(
    ("visited_at", "period"),
    [
        ("2026-10-05T14:30:00+02:00", "2026-10"),
        ("2026-11-01T00:30:00+01:00", "2026-11"),  # 23:30 UTC on 31 October, but November where it happened
        ("2026-10-31T23:30:00-05:00", "2026-10"),  # already November in UTC
        ("2026-12-31T23:59:59+00:00", "2026-12"),
    ],
)
def test_the_period_is_read_in_the_visits_own_offset(visited_at, period):
    assert period_month(visited_at) == period


def test_times_round_trip_through_datetime_local_fields():
    assert local_input("2026-10-05T14:30:00+02:00") == "2026-10-05T14:30"
    assert with_offset("2026-10-05T14:30", 120) == "2026-10-05T14:30:00+02:00"
    assert with_offset("2026-01-05T09:00", -300) == "2026-01-05T09:00:00-05:00"


def test_a_form_post_becomes_the_document():
    form = MultiDict(
        {
            "a.greeted-30s": "na",
            "a.wait-minutes": " 2,5 ",
            "a.friendliness": "5",
            "c.friendliness": " warm ",
            "a.offer": "Only when asked",
            "a.why-not": "",
            "emp.greeting": "12",
            "empdesc.greeting": "",
            "visited_at": "2026-10-05T15:00",
        }
    )
    document = document_from_form(CHECKLIST, form, BASE, 120, {})
    assert document["answers"] == {
        "greeted-30s": {"na": True},
        "wait-minutes": {"value": 2.5},
        "friendliness": {"value": 5, "comment": "warm"},
        "offer": {"value": "Only when asked"},
    }
    assert document["employees"] == {"greeting": 12}
    assert document["revision"] == 5
    assert document["visited_at"] == "2026-10-05T15:00:00+02:00"


def test_new_photos_are_added_to_the_kept_ones():
    base = {**BASE, "answers": {"greeted-30s": {"value": "no", "photos": ["p1"]}}}
    document = document_from_form(
        CHECKLIST, MultiDict({"a.greeted-30s": "no"}), base, 0, {"p.greeted-30s": ["p2"]}
    )
    assert document["answers"]["greeted-30s"] == {"value": "no", "photos": ["p1", "p2"]}


@pytest.mark.parametrize(
    ("item_id", "expected"),
    [
        (
            "greeted-30s",
            {"scored": True, "allow_na": True, "comment_on_fail": True, "answer_required": False},
        ),
        ("wait-minutes", {"scored": True, "allow_na": False, "comment_on_fail": False}),
        ("why-not", {"scored": False, "allow_na": False, "answer_required": False}),
    ],
)
def test_the_hints_tell_the_phone_what_submitting_needs(item_id, expected):
    hint = item_hints(CHECKLIST)[item_id]
    assert {key: hint[key] for key in expected} == expected
