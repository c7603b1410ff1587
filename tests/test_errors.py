"""errors.py: marshmallow's nested messages become one list of messages per field path."""

import pytest

from errors import AppError, flatten_messages


@pytest.mark.parametrize(
    ("messages", "paths"),
    [
        ("Broken.", {"_body": ["Broken."]}),
        (["One.", "Two."], {"_body": ["One.", "Two."]}),
        ({"title": ["Missing data for required field."]}, {"title": ["Missing data for required field."]}),
        ({"_schema": ["Whole body."]}, {"_body": ["Whole body."]}),
        (
            {"sections": {1: {"items": {3: {"bands": ["Too few."]}}}}},
            {"sections[1].items[3].bands": ["Too few."]},
        ),
        ({"sections": {0: {"_schema": ["Ids repeat."]}}}, {"sections[0]": ["Ids repeat."]}),
        ({"a": {"b": ["One."]}, "a.b": ["Two."]}, {"a.b": ["One.", "Two."]}),
        ([{"x": ["One."]}, {"y": ["Two."]}], {"x": ["One."], "y": ["Two."]}),
    ],
)
def test_flatten_messages(messages, paths):
    assert flatten_messages(messages) == paths


def test_app_error_carries_status_and_fields():
    error = AppError("No such branch.", 404)
    assert (str(error), error.status, error.fields) == ("No such branch.", 404, {})
