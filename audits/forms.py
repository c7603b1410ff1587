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

from checklists.model import Checklist
from checklists.store import list_checklists
from org import store as org_store
from org.forms import MultiCheckboxField
from org.roles import AUDITOR

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


def decision_form(appeal_id: int, **kwargs) -> DecisionForm:
    """The decision form of one appeal. Its element ids name the appeal, so that several open appeals
    on one page keep distinct ids (labels, error links, focus); the posted names stay the same."""
    form = DecisionForm(**kwargs)
    for f in form:
        f.id = f.label.field_id = f"{f.name}-appeal-{appeal_id}"
    return form


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


# Choices read from the database


def branch_choices(db) -> list[SelectChoice]:
    """The active branches as "code · name"."""
    return [
        SelectChoice(b["branch_id"], f"{b['code']} · {b['name']}")
        for b in org_store.list_branches(db)
        if b["active"]
    ]


def checklist_choices(db) -> list[SelectChoice]:
    return [SelectChoice(c["checklist_id"], c["title"]) for c in list_checklists(db)]


def person_choices(users: list[dict]) -> list[SelectChoice]:
    return [SelectChoice(u["user_id"], u["name"] or u["email"]) for u in users]


def auditor_choices(db) -> list[SelectChoice]:
    """The active auditors."""
    return person_choices([u for u in org_store.list_users(db) if u["role"] == AUDITOR and u["active"]])


def visit_choices(form, db) -> None:
    """Fill the branch, checklist and (where the form has one) auditor of a visit form."""
    form.branch_id.choices = branch_choices(db)
    form.checklist_id.choices = checklist_choices(db)
    if hasattr(form, "auditor_id"):
        form.auditor_id.choices = auditor_choices(db)


def item_choices(checklist: Checklist, item_ids: list[str]) -> list[SelectChoice]:
    """Items of the checklist by their text."""
    return [SelectChoice(i, checklist.item(i).text) for i in item_ids]
