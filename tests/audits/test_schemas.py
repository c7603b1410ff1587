"""The audit document's schema: its shortcut for plain answers loads and refuses exactly what a
plain nested AnswerSchema does, with the same messages."""

import pytest
from marshmallow import ValidationError, fields

from audits.schemas import AnswerSchema, load_document

PHOTO = "0b7c4c9e-6a7f-4d7e-9a55-3f1f2b8c9d10"
REFERENCE = fields.Dict(keys=fields.String(), values=fields.Nested(AnswerSchema))


def _outcome(load, answer):
    try:
        return "loaded", load(answer)
    except ValidationError as exc:
        return "refused", exc.messages


def _through_document(answer):
    document = {
        "checklist_id": "store-visit",
        "checklist_version": 1,
        "branch_id": 1,
        "visited_at": "2026-10-05T14:30:00+02:00",
        "answers": {"item": answer},
    }
    try:
        return load_document(document)["answers"]["item"]
    except ValidationError as exc:
        raise ValidationError(exc.messages["answers"]["item"]) from None


def _through_reference(answer):
    try:
        return REFERENCE.deserialize({"item": answer})["item"]
    except ValidationError as exc:
        raise ValidationError(exc.messages["item"]["value"]) from None


@pytest.mark.parametrize(
    "answer",
    [
        {"value": "yes"},
        {"value": 3.5, "comment": "waited at the till"},
        {"value": None},
        {"na": True},
        {"value": "Not offered", "na": False, "comment": ""},
        {"value": [PHOTO], "photos": [PHOTO, PHOTO.upper()]},
        {"value": {"nested": [1, 2]}},
        {},
        {"na": "true"},
        {"value": "yes", "photos": (PHOTO,)},
        {"value": "yes", "note": "x"},
        {"na": "perhaps"},
        {"value": "yes", "comment": None},
        {"value": "yes", "comment": 5},
        {"value": "yes", "comment": "x" * 2000},
        {"value": "yes", "comment": "x" * 2001},
        {"photos": ["not-a-uuid"]},
        {"photos": [PHOTO] * 20},
        {"photos": [PHOTO] * 21},
        {"photos": PHOTO},
        "yes",
        None,
        ["yes"],
    ],
)
def test_an_answer_loads_or_fails_as_a_plain_nested_answer_schema(answer):
    assert _outcome(_through_document, answer) == _outcome(_through_reference, answer)
