"""Marshmallow schemas of the survey API."""

from marshmallow import Schema, fields


class SurveyLinkSchema(Schema):
    url = fields.String(required=True, metadata={"description": "The public survey page"})
