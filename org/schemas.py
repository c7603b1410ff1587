"""Marshmallow schemas of the organisation API."""

from marshmallow import Schema, fields, validate

from org.roles import ROLES

SLUG_CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", error="Use letters, digits, '-', '_' or '.'.")


NOT_BLANK = validate.Regexp(r"\S", error="Must not be blank.")


def _text(max_length: int, pattern: validate.Regexp = NOT_BLANK, **kwargs) -> fields.String:
    return fields.String(validate=[validate.Length(min=1, max=max_length), pattern], **kwargs)


class CreatedSchema(Schema):
    id = fields.Integer(required=True)


class BranchInSchema(Schema):
    code = _text(32, SLUG_CODE, required=True, metadata={"description": "Unique branch code"})
    name = _text(200, required=True)
    region = _text(100, required=True, metadata={"description": "Region name; created if new"})
    address = fields.String(load_default="", validate=validate.Length(max=500))
    active = fields.Boolean(load_default=True)
    staff_informed = fields.Boolean(
        load_default=False,
        metadata={"description": "Staff know they may be scored by name; else no employee is linked"},
    )
    protect_lone_staff = fields.Boolean(
        load_default=False,
        metadata={"description": "Leave visits with only one employee on duty out of employee comparisons"},
    )


class BranchSchema(Schema):
    id = fields.Integer(attribute="branch_id")
    code = fields.String()
    name = fields.String()
    region = fields.String()
    region_id = fields.Integer()
    address = fields.String()
    active = fields.Boolean()
    staff_informed = fields.Boolean()
    protect_lone_staff = fields.Boolean()
    employees = fields.Integer(metadata={"description": "Active employees"})


class BranchListSchema(Schema):
    branches = fields.List(fields.Nested(BranchSchema))


class EmployeeInSchema(Schema):
    name = _text(200, required=True)


class EmployeeSchema(Schema):
    id = fields.Integer(attribute="employee_id")
    branch_id = fields.Integer()
    name = fields.String()
    active = fields.Boolean()


class EmployeeListSchema(Schema):
    employees = fields.List(fields.Nested(EmployeeSchema))


class UserSchema(Schema):
    id = fields.Integer(attribute="user_id")
    email = fields.String()
    name = fields.String()
    role = fields.String(validate=validate.OneOf(ROLES))
    branch_ids = fields.List(fields.Integer())


class ApiIndexSchema(Schema):
    name = fields.String()
    openapi = fields.String()
    user = fields.Nested(UserSchema, allow_none=True)


class UserInSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.String(load_default="", validate=validate.Length(max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    branches = fields.List(
        fields.Raw(),
        load_default=list,
        metadata={"description": "A manager's branches, by id or code"},
    )


class UserListSchema(Schema):
    users = fields.List(fields.Nested(UserSchema))


class ImportChangeSchema(Schema):
    line = fields.Integer()
    action = fields.String(metadata={"description": "create, update or unchanged"})
    key = fields.String(metadata={"description": "Branch code, branch code / employee name, or email"})
    changes = fields.Dict(metadata={"description": "New values, or [before, after] for an update"})


class ImportResultSchema(Schema):
    kind = fields.String()
    dry_run = fields.Boolean()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    changes = fields.List(fields.Nested(ImportChangeSchema))
