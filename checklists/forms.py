"""flask-wtf forms of the checklist pages."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import TextAreaField
from wtforms.validators import Length, Optional


class ImportForm(FlaskForm):
    file = FileField(
        "Checklist file",
        validators=[FileAllowed(["yaml", "yml", "json"], "Choose a .yaml, .yml or .json file.")],
        description="YAML or JSON in the Visitscore checklist format.",
    )
    text = TextAreaField(
        "…or paste YAML",
        validators=[Optional(), Length(max=1_000_000)],
        render_kw={"rows": 12, "spellcheck": "false"},
    )
