"""flask-wtf forms of the standards pages, and reading the quiz editor's posted fields."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from standards.quizzes import OPTION_SLOTS


class StandardForm(FlaskForm):
    code = StringField(
        "Code",
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", message="Use letters, digits, '-', '_' or '.'."),
        ],
        description="What checklist items name in their standard: field, e.g. GRE-1.",
    )
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    category = StringField("Category", validators=[DataRequired(), Length(max=100)])
    text = TextAreaField(
        "Text", validators=[DataRequired(), Length(max=5000)], description="The standard as staff read it."
    )
    effective_date = DateField(
        "Effective from", validators=[Optional()], description="Leave empty for today."
    )


class InviteForm(FlaskForm):
    employee_id = SelectField("Employee", coerce=int, validators=[DataRequired()])


def quiz_from_form(form) -> dict:
    """The quiz document the editor posted. Blank options are dropped and the index of the correct
    one follows; a blank correct option leaves correct at -1, which validation refuses."""
    questions = []
    for index in range(int(form.get("questions", 0) or 0)):
        prefix = f"q{index}-"
        if form.get(prefix + "remove"):
            continue
        options, correct = [], -1
        chosen = form.get(prefix + "correct", "")
        for slot in range(OPTION_SLOTS):
            text = form.get(f"{prefix}option{slot}", "").strip()
            if text:
                if chosen == str(slot):
                    correct = len(options)
                options.append(text)
        questions.append(
            {
                "id": form.get(prefix + "id", "").strip(),
                "text": form.get(prefix + "text", "").strip(),
                "standard": form.get(prefix + "standard", "").strip(),
                "options": options,
                "correct": correct,
            }
        )
    pass_mark = form.get("pass_mark", "").strip()
    try:
        pass_mark_value: float | str = float(pass_mark)
    except ValueError:
        pass_mark_value = pass_mark
    return {
        "id": form.get("quiz_id", "").strip(),
        "title": form.get("title", "").strip(),
        "pass_mark": pass_mark_value,
        "questions": questions,
    }


def blank_question() -> dict:
    return {"id": "", "text": "", "standard": "", "options": [], "correct": 0}


def editor_rows(quiz: dict) -> list[dict]:
    """The quiz's questions with their options padded to the editor's slots."""
    rows = []
    for question in quiz["questions"]:
        options = list(question["options"])[:OPTION_SLOTS]
        rows.append({**question, "options": options + [""] * (OPTION_SLOTS - len(options))})
    return rows
