"""flask-wtf forms: assigning visits, starting an unscheduled visit."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


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
