"""flask-wtf forms: assigning visits, starting an unscheduled visit."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from org.forms import MultiCheckboxField


class AssignmentForm(FlaskForm):
    branch_id = SelectField("Branch", coerce=int, validators=[DataRequired()])
    checklist_id = SelectField("Checklist", validators=[DataRequired()])
    auditor_id = SelectField("Auditor", coerce=int, validators=[DataRequired()])
    due_from = DateField("Not before", validators=[Optional()])
    due_by = DateField("Due by", validators=[DataRequired()])
    notes = TextAreaField("Scenario notes for the auditor", validators=[Optional(), Length(max=2000)])


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
    who = StringField("Who", validators=[DataRequired(), Length(max=200)])
    due = DateField("By when", validators=[DataRequired()])
