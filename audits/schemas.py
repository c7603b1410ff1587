"""Marshmallow schemas of the audit document (what the phone keeps and sends) and the audit API."""

from datetime import UTC, datetime

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from audits import planner
from audits.ids import UUID_RE


def aware_timestamp(value: str) -> None:
    """An ISO 8601 time with its UTC offset, as the phone records it."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError("Not an ISO 8601 time such as 2026-10-05T14:30:00+02:00.") from None
    if moment.utcoffset() is None:
        raise ValidationError("Include the UTC offset, e.g. 2026-10-05T14:30:00+02:00.")


def photo_id(value: str) -> None:
    if not UUID_RE.match(value):
        raise ValidationError("Not a photo UUID.")


def not_past(value) -> None:
    """A due date from today on (UTC): a visit cannot be due in the past."""
    if value < datetime.now(UTC).date():
        raise ValidationError("The due date is in the past; choose today or a later day.")


class AnswerSchema(Schema):
    value = fields.Raw(
        allow_none=True, metadata={"description": "yes/no, a number, an option label, text or photo ids"}
    )
    na = fields.Boolean(metadata={"description": "Not applicable (only where the item allows it)"})
    comment = fields.String(validate=validate.Length(max=2000))
    photos = fields.List(fields.String(validate=photo_id), validate=validate.Length(max=20))


_ANSWER_KEYS = frozenset(("value", "na", "comment", "photos"))


def _plain_answer(value) -> bool:
    """An answer that AnswerSchema would load unchanged: the usual yes, number or option label,
    perhaps with a comment, an N/A mark or photo ids."""
    if type(value) is not dict or not value.keys() <= _ANSWER_KEYS:
        return False
    comment, photos = value.get("comment", ""), value.get("photos", ())
    return (
        type(value.get("na", False)) is bool
        and type(comment) is str
        and len(comment) <= 2000
        and type(photos) in (list, tuple)
        and len(photos) <= 20
        and all(type(p) is str and UUID_RE.match(p) for p in photos)
    )


class AnswerField(fields.Nested):
    """An answer, loaded by AnswerSchema. The plain answers a phone sends on every save skip
    marshmallow's nested load (most of the time of loading a document), with the same result;
    anything else takes the schema's own path, so every error reads the same."""

    def __init__(self, **kwargs):
        super().__init__(AnswerSchema, **kwargs)

    def _deserialize(self, value, attr, data, partial=None, **kwargs):
        if _plain_answer(value):
            return {**value, "photos": list(value["photos"])} if "photos" in value else dict(value)
        return super()._deserialize(value, attr, data, partial=partial, **kwargs)


class LocationSchema(Schema):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    accuracy = fields.Float(validate=validate.Range(min=0))


# SQLite integers are 64-bit: a larger id or revision names nothing and cannot be stored (422, not 500).
ID_RANGE = validate.Range(min=1, max=2**63 - 1)


class AuditDocumentSchema(Schema):
    checklist_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    checklist_version = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    branch_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    visited_at = fields.String(required=True, validate=aware_timestamp)
    revision = fields.Integer(strict=True, validate=validate.Range(min=0, max=2**63 - 1), load_default=0)
    answers = fields.Dict(keys=fields.String(), values=AnswerField(), load_default=dict)
    employees = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(strict=True, validate=ID_RANGE),
        load_default=dict,
        metadata={"description": "Section id (about: employee) -> employee id"},
    )
    employee_descriptions = fields.Dict(
        keys=fields.String(),
        values=fields.String(validate=validate.Length(max=300)),
        load_default=dict,
        metadata={"description": "Section id -> how the auditor describes an employee not in the list"},
    )
    staff_on_duty = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=0, max=1000),
        metadata={"description": "Employees the auditor saw on duty (1 may identify the employee)"},
    )
    started_at = fields.String(validate=aware_timestamp)
    ended_at = fields.String(validate=aware_timestamp)
    location = fields.Nested(LocationSchema, allow_none=True)


class ScoreSchema(Schema):
    percent = fields.Float(allow_none=True)
    earned = fields.Float()
    possible = fields.Float()
    passed = fields.Boolean(allow_none=True)
    critical_failure = fields.Boolean()


class SectionScoreSchema(Schema):
    percent = fields.Float(allow_none=True)
    earned = fields.Float()
    possible = fields.Float()
    employee_id = fields.Integer(allow_none=True)


class AuditSchema(AuditDocumentSchema):
    id = fields.String()
    status = fields.String(validate=validate.OneOf(["draft", "submitted", "returned", "published"]))
    document = fields.Nested(AuditDocumentSchema)
    score = fields.Nested(ScoreSchema)
    sections = fields.Dict(keys=fields.String(), values=fields.Nested(SectionScoreSchema))
    missing = fields.List(
        fields.String(), metadata={"description": "Items still to answer before submitting"}
    )


class ReasonSchema(Schema):
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=2000), validate.Regexp(r"\S")])


class PhotoSchema(Schema):
    id = fields.String()
    audit_id = fields.String()
    width = fields.Integer()
    height = fields.Integer()
    url = fields.String()
    thumbnail_url = fields.String()


class RecordingSchema(Schema):
    id = fields.String()
    audit_id = fields.String()
    content_type = fields.String(metadata={"description": "The type sniffed from the content"})
    bytes = fields.Integer()
    url = fields.String()


_DICT_FIELDS = ("answers", "employees", "employee_descriptions")
# Built once: making the schema (and a nested schema for each dict value field) costs more than
# loading a document with it. Loading keeps no state on the instance, so threads may share it.
_DOCUMENT_SCHEMA = AuditDocumentSchema()


def load_document(data) -> dict:
    """Load an audit document; error paths name the item (answers.offer.comment), not marshmallow's
    inner "value" level of a dict field."""
    try:
        return _DOCUMENT_SCHEMA.load(data)
    except ValidationError as exc:
        messages = exc.messages
        if isinstance(messages, dict):
            for name in _DICT_FIELDS:
                if isinstance(messages.get(name), dict):
                    messages[name] = {
                        key: inner.get("value", inner.get("key")) if isinstance(inner, dict) else inner
                        for key, inner in messages[name].items()
                    }
        raise ValidationError(messages) from None


def _reason(**kwargs) -> fields.String:
    return fields.String(
        validate=[validate.Length(min=1, max=2000), validate.Regexp(r"\S", error="Give a reason.")], **kwargs
    )


class CorrectionSchema(Schema):
    item = fields.String(required=True)
    answer = fields.Nested(AnswerSchema, required=True)
    reason = _reason(required=True)


class AppealInSchema(Schema):
    items = fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=100))
    text = _reason(required=True, metadata={"description": "Why the branch contests these items"})


class AppealsCreatedSchema(Schema):
    appeals = fields.List(fields.Integer())


class DecisionSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(["upheld", "rejected"]))
    reason = _reason(required=True)
    answer = fields.Nested(
        AnswerSchema, metadata={"description": "The corrected answer (required when upheld)"}
    )


class AppealSchema(Schema):
    id = fields.Integer(attribute="appeal_id")
    audit_id = fields.String()
    item_id = fields.String()
    text = fields.String()
    status = fields.String()
    opened_at = fields.String()
    decided_at = fields.String(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    percent_before = fields.Float(allow_none=True)
    percent_after = fields.Float(allow_none=True)


class ActionInSchema(Schema):
    item = fields.String(required=True)
    what = fields.String(required=True, validate=[validate.Length(min=1, max=1000), validate.Regexp(r"\S")])
    assignee = fields.Email(
        metadata={"description": "Email of a user of the branch who will do it; default: you"}
    )
    due = fields.Date(required=True, validate=not_past)


class ActionDoneSchema(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class ActionSchema(Schema):
    id = fields.Integer(attribute="action_id")
    audit_id = fields.String()
    branch_id = fields.Integer()
    branch = fields.String()
    item_id = fields.String()
    what = fields.String()
    who = fields.String(metadata={"description": "The assignee's name"})
    assignee = fields.String(attribute="assignee_email", allow_none=True)
    due = fields.String()
    state = fields.String(metadata={"description": "open, done or verified"})
    overdue = fields.Boolean()
    done_at = fields.String(allow_none=True)
    done_note = fields.String(allow_none=True)
    proof_photo_id = fields.String(allow_none=True)
    verified_at = fields.String(allow_none=True)


class ActionListSchema(Schema):
    actions = fields.List(fields.Nested(ActionSchema))


class TrailEntrySchema(Schema):
    at = fields.String()
    who = fields.String()
    action = fields.String()
    reason = fields.String(allow_none=True)
    before = fields.String(allow_none=True)
    after = fields.String(allow_none=True)


class TrailSchema(Schema):
    trail = fields.List(fields.Nested(TrailEntrySchema))


class AssignmentInSchema(Schema):
    branch_id = fields.Integer(required=True, strict=True)
    checklist_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    auditor = fields.Email(required=True, metadata={"description": "The auditor's email"})
    due = fields.Date(required=True, validate=not_past)
    due_from = fields.Date(load_default=None, metadata={"description": "Not before this day"})
    notes = fields.String(load_default="", validate=validate.Length(max=2000))
    override = fields.Boolean(
        load_default=False, metadata={"description": "Assign even though it breaks the shopper rotation"}
    )


class AssignmentPatchSchema(Schema):
    auditor = fields.Email(metadata={"description": "The new auditor's email; a saved draft moves along"})
    due = fields.Date(validate=not_past)
    override = fields.Boolean(load_default=False)


class AssignmentSchema(Schema):
    id = fields.Integer(attribute="assignment_id")
    audit_id = fields.String()
    branch_id = fields.Integer()
    branch = fields.String()
    branch_code = fields.String()
    checklist_id = fields.String()
    auditor = fields.String(attribute="auditor_email")
    due_from = fields.String(allow_none=True)
    due = fields.String(attribute="due_by")
    notes = fields.String()
    status = fields.String(metadata={"description": "open, overdue, done or cancelled"})
    audit_status = fields.String(allow_none=True, metadata={"description": "draft, returned, submitted..."})
    schedule_id = fields.Integer(allow_none=True)
    period = fields.String(allow_none=True)


class AssignmentListSchema(Schema):
    assignments = fields.List(fields.Nested(AssignmentSchema))


class ScheduleInSchema(Schema):
    checklist_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    branch_ids = fields.List(fields.Integer(strict=True), validate=validate.Length(min=1, max=10000))
    region = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "Region name"})
    visits = fields.Integer(required=True, strict=True, validate=validate.Range(1, 31))
    every = fields.String(required=True, validate=validate.OneOf(planner.EVERY))
    rotation_days = fields.Integer(strict=True, load_default=90, validate=validate.Range(0, 366))

    @validates_schema
    def _branches_or_region(self, data, **_kwargs):
        if ("branch_ids" in data) == ("region" in data):
            raise ValidationError("Give either branch_ids or region.", "branch_ids")


class ScheduleSchema(Schema):
    id = fields.Integer(attribute="schedule_id")
    checklist_id = fields.String()
    branch_ids = fields.List(fields.Integer(), allow_none=True)
    region = fields.String(allow_none=True)
    visits = fields.Integer()
    every = fields.String()
    rotation_days = fields.Integer()
    active = fields.Boolean()


class ScheduleListSchema(Schema):
    schedules = fields.List(fields.Nested(ScheduleSchema))


class PlannedVisitSchema(Schema):
    id = fields.Integer(metadata={"description": "The assignment created (absent in a dry run)"})
    schedule_id = fields.Integer()
    period = fields.String()
    branch_id = fields.Integer()
    branch = fields.String()
    checklist_id = fields.String()
    auditor = fields.String()
    due_from = fields.String()
    due = fields.String()
    rotation_kept = fields.Boolean()


class PlanSchema(Schema):
    period = fields.String()
    dry_run = fields.Boolean()
    visits = fields.List(fields.Nested(PlannedVisitSchema))
