"""flask-wtf forms of login and head office's organisation pages."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, Regexp, ValidationError

from errors import AppError
from org.roles import MANAGER, ROLE_LABELS


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


class RegionForm(FlaskForm):
    name = StringField("Region name", validators=[DataRequired(), Length(max=100)])


class BranchForm(FlaskForm):
    code = StringField(
        "Code",
        validators=[
            DataRequired(),
            Length(max=32),
            Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", message="Use letters, digits, '-', '_' or '.'."),
        ],
    )
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    region = StringField(
        "Region", validators=[DataRequired(), Length(max=100)], description="A new name creates a region."
    )
    address = TextAreaField("Address", validators=[Optional(), Length(max=500)])
    active = BooleanField("Active", default=True)
    staff_informed = BooleanField(
        "Staff are informed they may be scored by name",
        description="Only then are employees named in audits and scorecards of this branch.",
    )
    protect_lone_staff = BooleanField(
        "Keep visits with only one employee on duty out of employee comparisons",
        description="Such a visit would identify the employee; it still counts in their own scorecard.",
    )


class EmployeeForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    active = BooleanField("Active", default=True)


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


NEW_PASSWORD_HINT = "At least 8 characters."
KEEP_PASSWORD_HINT = "At least 8 characters. Leave empty to keep the current password."


class UserForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[
            DataRequired(),
            Length(max=254),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter an email address like ana@example.com."),
        ],
    )
    name = StringField("Name", validators=[Optional(), Length(max=200)])
    # No role is preselected: giving someone admin rights must be a choice, never a default.
    role = SelectField(
        "Role",
        choices=[SelectChoice("", "Choose a role…")]
        + [SelectChoice(role, label) for role, label in ROLE_LABELS.items()],
        validators=[DataRequired(message="Choose what this person does.")],
    )
    password = PasswordField(
        "Password",
        validators=[Optional(), Length(min=8, max=200, message="Use at least 8 characters.")],
        description=NEW_PASSWORD_HINT,
    )
    active = BooleanField("Active", default=True)
    branches = MultiCheckboxField("Branches (managers only)", coerce=int)

    def validate_branches(self, field) -> None:
        if self.role.data == MANAGER and not field.data:
            raise ValidationError("A branch manager needs at least one branch.")


class SettingsForm(FlaskForm):
    company = StringField("Company name on reports", validators=[DataRequired(), Length(max=120)])
    colour = StringField(
        "Brand colour",
        validators=[DataRequired(), Regexp(r"^#[0-9a-fA-F]{6}$", message="Use a hex code such as #0b5d54.")],
        render_kw={"type": "color"},
    )
    logo = FileField(
        "Logo (PNG or JPEG, shown on every PDF)",
        validators=[FileAllowed(["png", "jpg", "jpeg"], "PNG or JPEG.")],
    )


class TokenForm(FlaskForm):
    days = IntegerField(
        "Expires after (days)",
        validators=[Optional(), NumberRange(min=1, max=3650)],
        description="Leave empty for a token that lives until you revoke it.",
    )


# Where a refusal's field path lands on an HTML form, when the names differ.
_FIELD_ALIASES = {"answer": "value", "answers": "value"}


def attach_errors(form: FlaskForm, exc: AppError, main: str) -> None:
    """Put a refusal's messages next to the fields they concern (else next to the main field), so
    the form comes back with what was typed instead of an error page."""
    if not exc.fields:
        form[main].errors = [*form[main].errors, exc.message]
        return
    for path, messages in exc.fields.items():
        name = path.split("[")[0].split(".")[0]
        name = _FIELD_ALIASES.get(name, name)
        target = form[name] if name in form and name != "csrf_token" else form[main]
        target.errors = [*target.errors, *messages]


class PasswordResetForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=8, max=200)],
        description="At least 8 characters.",
    )
    confirm = PasswordField(
        "The same password again",
        validators=[DataRequired(), EqualTo("password", "The two passwords differ.")],
    )


class ImportForm(FlaskForm):
    kind = SelectField(
        "What the file holds",
        choices=[
            SelectChoice("branches", "Branches: code, name, region (address, active, staff_informed)"),
            SelectChoice("employees", "Employees: branch_code, name (active)"),
            SelectChoice("users", "Users: email, role (name, branches); new users are invited by mail"),
        ],
    )
    file = FileField("CSV file with a header row (UTF-8)", validators=[FileRequired("Choose a CSV file.")])


class ImportConfirmForm(FlaskForm):
    kind = HiddenField(validators=[DataRequired()])
    csv_text = HiddenField(validators=[DataRequired()])
