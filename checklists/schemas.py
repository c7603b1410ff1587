"""Marshmallow schemas: the structure of a checklist file, and the checklist API's bodies."""

import math

from marshmallow import Schema, ValidationError, fields, post_load, validate

from checklists.model import CHANNELS, ITEM_TYPES

SLUG = validate.Regexp(r"^[A-Za-z0-9_-]+$", error="Use only letters, digits, '-' and '_'.")
POSITIVE = validate.Range(min=0, min_inclusive=False, error="Must be a positive number.")
SHARE = validate.Range(min=0, max=1, error="Must lie in 0..1.")
PERCENT = validate.Range(min=0, max=100, error="Must lie in 0..100.")


class Number(fields.Field):
    """A number as written in the file: int or float, never a string, a boolean, NaN or infinity."""

    default_error_messages = {"invalid": "Not a valid number."}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise self.make_error("invalid")
        return int(value) if isinstance(value, float) and value.is_integer() else value


def _slug(**kwargs) -> fields.String:
    return fields.String(validate=[validate.Length(min=1, max=64), SLUG], **kwargs)


def _text(max_length: int, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(max=max_length), **kwargs)


class RequireSchema(Schema):
    comment_on_fail = fields.Boolean(metadata={"description": "A failed answer needs a comment"})
    photo_on_fail = fields.Boolean(metadata={"description": "A failed answer needs a photo"})
    answer = fields.Boolean(metadata={"description": "A text or photo item must be filled in"})


class BandSchema(Schema):
    max = Number(metadata={"description": "Upper bound (inclusive); leave out for the catch-all band"})
    score = Number(required=True, validate=SHARE)


class OptionSchema(Schema):
    label = fields.String(required=True, validate=validate.Length(min=1, max=200))
    score = Number(required=True, validate=SHARE)


class ShowIfSchema(Schema):
    item = _slug(required=True)
    in_ = fields.List(fields.Raw(), required=True, data_key="in", validate=validate.Length(min=1))

    @post_load
    def file_keys(self, data, **kwargs):
        return {"item": data["item"], "in": data["in_"]}


class ItemSchema(Schema):
    id = _slug(required=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=500))
    type = fields.String(required=True, validate=validate.OneOf(ITEM_TYPES))
    standard = _text(500, metadata={"description": "The service standard this item checks"})
    guidance = _text(2000, metadata={"description": "How the auditor judges it objectively"})
    weight = Number(validate=POSITIVE)
    critical = fields.Boolean()
    allow_na = fields.Boolean()
    require = fields.Nested(RequireSchema)
    unit = _text(40)
    min = Number()
    max = Number()
    bands = fields.List(fields.Nested(BandSchema), validate=validate.Length(min=1, max=50))
    options = fields.List(fields.Nested(OptionSchema), validate=validate.Length(min=1, max=50))
    show_if = fields.Nested(ShowIfSchema)


class SectionSchema(Schema):
    id = _slug(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = _text(2000)
    weight = Number(validate=POSITIVE)
    about = fields.String(validate=validate.OneOf(["employee"]))
    items = fields.List(
        fields.Nested(ItemSchema),
        required=True,
        validate=[
            validate.Length(min=1, error="A section needs at least one item."),
            validate.Length(max=500, error="At most {max} items in a section."),
        ],
    )


class ChecklistSchema(Schema):
    id = _slug(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = _text(2000)
    version = fields.Integer(
        strict=True, metadata={"description": "Read only: the server numbers versions; ignored on import"}
    )
    pass_mark = Number(validate=PERCENT)
    critical_cap = Number(validate=PERCENT)
    channel = fields.String(
        validate=validate.OneOf(CHANNELS),
        metadata={"description": "visit (default): made at the branch; phone: a review of recorded calls"},
    )
    sections = fields.List(
        fields.Nested(SectionSchema),
        required=True,
        validate=[
            validate.Length(min=1, error="A checklist needs at least one section."),
            validate.Length(max=100, error="At most {max} sections."),
        ],
    )


class ChecklistSavedSchema(Schema):
    id = fields.String(required=True)
    version = fields.Integer(required=True)
    created = fields.Boolean(metadata={"description": "False when the content equals the newest version"})


class ChecklistSummarySchema(Schema):
    id = fields.String(attribute="checklist_id")
    title = fields.String()
    version = fields.Integer(attribute="latest_version")
    updated_at = fields.String()


class ChecklistListSchema(Schema):
    checklists = fields.List(fields.Nested(ChecklistSummarySchema))


class ValidationReportSchema(Schema):
    valid = fields.Boolean(required=True)
    errors = fields.List(fields.Dict(), metadata={"description": "Each {path, message, line}"})


def check_structure(data) -> dict:
    """Load with ChecklistSchema: the validated document, or ValidationError with nested messages."""
    if not isinstance(data, dict):
        raise ValidationError({"_schema": ["A checklist is a mapping with id, title and sections."]})
    return ChecklistSchema().load(data)
