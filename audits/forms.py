"""flask-wtf forms: assigning visits, schedules and plans, visits, review and action plans."""

from datetime import UTC, datetime

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from org.forms import MultiCheckboxField

MAX_VISITS = 31  # visits to one branch in one period


def not_in_the_past(_form, field) -> None:
    if field.data and field.data < datetime.now(UTC).date():
        raise ValidationError("This day is in the past; choose today or a later day.")


class AssignmentForm(FlaskForm):
    branch_id = SelectField("Branch", coerce=int, validators=[DataRequired()])
    checklist_id = SelectField("Checklist", validators=[DataRequired()])
    auditor_id = SelectField("Auditor", coerce=int, validators=[DataRequired()])
    due_from = DateField("Not before", validators=[Optional()])
    due_by = DateField("Due by", validators=[DataRequired(), not_in_the_past])
    notes = TextAreaField("Scenario notes for the auditor", validators=[Optional(), Length(max=2000)])
    override = BooleanField(
        "Assign anyway, even though it breaks the shopper rotation",
        description="Staff may recognise a shopper who came back too soon.",
    )


class AssignmentEditForm(FlaskForm):
    auditor_id = SelectField("Auditor", coerce=int, validators=[DataRequired()])
    due_by = DateField("Due by", validators=[DataRequired(), not_in_the_past])
    override = BooleanField(
        "Reassign anyway, even though it breaks the shopper rotation",
        description="Staff may recognise a shopper who came back too soon.",
    )


class ScheduleForm(FlaskForm):
    checklist_id = SelectField("Checklist", validators=[DataRequired()])
    region_id = SelectField("A whole region", coerce=int, validators=[Optional()])
    branch_ids = MultiCheckboxField("Or these branches", coerce=int)
    visits = IntegerField(
        "Visits to each branch", default=1, validators=[DataRequired(), NumberRange(1, MAX_VISITS)]
    )
    every = SelectField(
        "Every", choices=[SelectChoice("month", "Month"), SelectChoice("quarter", "Quarter")], default="month"
    )
    rotation_days = IntegerField(
        "Rotation (days)",
        default=90,
        validators=[InputRequired(), NumberRange(0, 366)],
        description="No shopper visits the same branch again within this many days when another is free.",
    )

    def validate_branch_ids(self, field):
        if bool(self.region_id.data) == bool(field.data):
            raise ValidationError("Choose either a region or some branches.")


class PlanForm(FlaskForm):
    period = StringField(
        "Period",
        validators=[
            DataRequired(),
            Regexp(r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$", message="Use 2026-12, 2026-Q4 or 2026."),
        ],
        description="A month (2026-12), a quarter (2026-Q4) or a year.",
    )


class CancelForm(FlaskForm):
    """A button that changes something: only its CSRF token."""


class StartVisitForm(FlaskForm):
    branch_id = SelectField("Branch", coerce=int, validators=[DataRequired()])
    checklist_id = SelectField("Checklist", validators=[DataRequired()])


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        "Reason", validators=[DataRequired(message="Say why, for the auditor."), Length(max=2000)]
    )


class CorrectionForm(FlaskForm):
    item = StringField("Item", validators=[DataRequired()])
    value = StringField("New answer", validators=[DataRequired(), Length(max=5000)])
    reason = TextAreaField("Reason for the correction", validators=[DataRequired(), Length(max=2000)])


class AppealForm(FlaskForm):
    # Checkboxes, not a multi-select: every item readable, no hidden selection, on a phone too.
    items = MultiCheckboxField(
        "Items you contest", validators=[DataRequired(message="Choose at least one item to contest.")]
    )
    text = TextAreaField("What happened, and your evidence", validators=[DataRequired(), Length(max=2000)])
    photo = FileField("Photo evidence (optional)")


class DecisionForm(FlaskForm):
    outcome = SelectField(
        "Decision",
        # No decision is preselected: head office chooses one on purpose.
        choices=[
            SelectChoice("", "Choose…"),
            SelectChoice("upheld", "Uphold: change the answer"),
            SelectChoice("rejected", "Reject: keep the answer"),
        ],
        validators=[DataRequired(message="Choose to uphold or to reject the appeal.")],
    )
    value = StringField("Corrected answer (when upheld)", validators=[Optional(), Length(max=5000)])
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=2000)])


class ActionForm(FlaskForm):
    item = SelectField("Item", validators=[DataRequired(message="Choose the item this action is for.")])
    what = StringField("What will be done", validators=[DataRequired(), Length(max=1000)])
    assignee = SelectField("Who will do it", coerce=int, validators=[DataRequired()])
    due = DateField("By when", validators=[DataRequired(), not_in_the_past])


class ActionDoneForm(FlaskForm):
    note = TextAreaField("What was done", validators=[DataRequired(), Length(max=2000)])
    photo = FileField("Photo as proof (optional)")


class ActionVerifyForm(FlaskForm):
    note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=2000)])
