"""Marshmallow schemas of the report API."""

from marshmallow import Schema, fields, validate


class ComparisonRowSchema(Schema):
    branch_id = fields.Integer()
    branch = fields.String()
    code = fields.String()
    region = fields.String()
    audits = fields.Integer()
    percent = fields.Float(
        allow_none=True, metadata={"description": "Mean of the audits' percents, one decimal"}
    )
    previous_percent = fields.Float(allow_none=True)
    change = fields.Float(
        allow_none=True, metadata={"description": "Percentage points against the previous period"}
    )
    rank = fields.Integer(allow_none=True)
    pass_rate = fields.Float(allow_none=True)
    critical_failures = fields.Integer()
    low = fields.Float(
        allow_none=True,
        metadata={"description": "Lower bound of the 90% interval of the score; null with no score"},
    )
    high = fields.Float(allow_none=True, metadata={"description": "Upper bound of the 90% interval"})
    signal = fields.String(
        allow_none=True,
        metadata={
            "description": "above or below: the interval lies wholly above or below the mean of the rows' "
            "percents; level: it does not; null with no score"
        },
    )


class ComparisonSchema(Schema):
    period = fields.String()
    previous_period = fields.String()
    rows = fields.List(fields.Nested(ComparisonRowSchema))


class StandardsRowSchema(Schema):
    code = fields.String()
    title = fields.String()
    category = fields.String()
    audits = fields.Integer(metadata={"description": "Published audits whose checklist checks the standard"})
    percent = fields.Float(allow_none=True, metadata={"description": "100 × earned ÷ possible, one decimal"})
    knowledge_percent = fields.Float(
        allow_none=True, metadata={"description": "Share of correct quiz answers on the standard"}
    )
    answers = fields.Integer(metadata={"description": "Quiz answers on the standard"})


class StandardsReportSchema(Schema):
    period = fields.String()
    rows = fields.List(fields.Nested(StandardsRowSchema))


class NpsRowSchema(Schema):
    branch_id = fields.Integer()
    branch = fields.String()
    code = fields.String()
    responses = fields.Integer()
    promoters = fields.Integer(metadata={"description": "Scores 9 and 10"})
    passives = fields.Integer(metadata={"description": "Scores 7 and 8"})
    detractors = fields.Integer(metadata={"description": "Scores 0 to 6"})
    nps = fields.Float(
        allow_none=True,
        metadata={
            "description": "100 * (promoters - detractors) / responses, one decimal; null without responses"
        },
    )


class NpsSchema(Schema):
    period = fields.String()
    rows = fields.List(fields.Nested(NpsRowSchema))


class KpiInSchema(Schema):
    code = fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=64),
            validate.Regexp(r"^[A-Za-z0-9_.-]+$", error="Use only letters, digits, '-', '_' and '.'."),
        ],
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    unit = fields.String(load_default="", validate=validate.Length(max=40))
    better = fields.String(required=True, validate=validate.OneOf(["higher", "lower"]))
    target = fields.Float(required=True, allow_nan=False)


class KpiCreatedSchema(Schema):
    code = fields.String(required=True)


class ImportedSchema(Schema):
    imported = fields.Integer(required=True, metadata={"description": "Values in the file"})
