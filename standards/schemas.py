"""Marshmallow schemas of standards and quizzes: API bodies and the import file."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from org.schemas import SLUG_CODE

QUIZ_ID = validate.Regexp(r"^[A-Za-z0-9_-]+$", error="Use only letters, digits, '-' and '_'.")


def _text(max_length: int, **kwargs) -> fields.String:
    return fields.String(
        validate=[
            validate.Length(min=1, max=max_length),
            validate.Regexp(r"\S", error="Must not be blank."),
        ],
        **kwargs,
    )


def _code(**kwargs) -> fields.String:
    return fields.String(
        validate=[validate.Length(min=1, max=40), SLUG_CODE],
        metadata={"description": "Unique code: letters, digits, '-', '_' or '.'"},
        **kwargs,
    )


class StandardInSchema(Schema):
    code = _code(required=True)
    title = _text(200, required=True)
    text = _text(5000, required=True, metadata={"description": "The standard as staff read it"})
    category = _text(100, required=True)
    effective_date = fields.Date(
        metadata={"description": "The day this version takes effect (YYYY-MM-DD); default today"}
    )


class StandardChangeSchema(Schema):
    """A change: any of the fields; the code may be repeated but not changed."""

    code = _code()
    title = _text(200)
    text = _text(5000)
    category = _text(100)
    effective_date = fields.Date()

    @validates_schema
    def _something(self, data, **kwargs):
        if not set(data) - {"code"}:
            raise ValidationError("Send at least one of title, text, category, effective_date.")


class StandardSchema(Schema):
    id = fields.Integer(attribute="standard_id")
    code = fields.String()
    title = fields.String()
    text = fields.String()
    category = fields.String()
    version = fields.Integer()
    effective_date = fields.String()
    updated_at = fields.String()


class StandardListSchema(Schema):
    standards = fields.List(fields.Nested(StandardSchema))


class StandardCreatedSchema(Schema):
    id = fields.Integer()
    code = fields.String()


class StandardVersionSchema(Schema):
    version = fields.Integer()
    code = fields.String()
    title = fields.String()
    text = fields.String()
    category = fields.String()
    effective_date = fields.String()
    created_at = fields.String()
    created_by = fields.String(allow_none=True)


class StandardVersionListSchema(Schema):
    code = fields.String()
    versions = fields.List(fields.Nested(StandardVersionSchema))


class QuestionSchema(Schema):
    id = fields.String(required=True, validate=[validate.Length(min=1, max=64), QUIZ_ID])
    text = _text(1000, required=True)
    standard = _code(required=True)
    options = fields.List(
        _text(500),
        required=True,
        validate=validate.Length(min=2, max=8, error="Give 2 to 8 options."),
    )
    correct = fields.Integer(
        required=True, strict=True, metadata={"description": "Index of the correct option, from 0"}
    )


class QuizInSchema(Schema):
    id = fields.String(required=True, validate=[validate.Length(min=1, max=64), QUIZ_ID])
    title = _text(200, required=True)
    pass_mark = fields.Float(
        load_default=80,
        validate=validate.Range(min=0, max=100, error="Must lie in 0..100."),
        metadata={"description": "Percent of correct answers needed to pass; default 80"},
    )
    questions = fields.List(
        fields.Nested(QuestionSchema),
        required=True,
        validate=validate.Length(min=1, max=100, error="Give 1 to 100 questions."),
    )


class QuizSchema(Schema):
    id = fields.String(attribute="quiz_id")
    title = fields.String()
    pass_mark = fields.Float()
    questions = fields.List(fields.Nested(QuestionSchema))


class QuizListSchema(Schema):
    quizzes = fields.List(fields.Nested(QuizSchema))


class QuizCreatedSchema(Schema):
    id = fields.String()


class InvitationInSchema(Schema):
    employee_id = fields.Integer(required=True, strict=True)


class InvitationSchema(Schema):
    url = fields.String()
    expires_at = fields.String()


class QuizResultSchema(Schema):
    quiz_id = fields.String()
    percent = fields.Float(allow_none=True)
    passed = fields.Boolean()
    taken_at = fields.String()
