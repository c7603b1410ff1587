"""The public survey form: the CSRF token and its fields (the score is checked by surveys.nps)."""

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField


class SurveyForm(FlaskForm):
    score = StringField("Score")
    comment = TextAreaField("Anything you would like to tell us? (optional)")
    # The honeypot: hidden from people, filled in by bots that fill in every field.
    website = StringField("Leave this empty")
