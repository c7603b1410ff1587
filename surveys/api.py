"""JSON API of surveys: a branch's public survey link."""

from flask import Blueprint, url_for

from db import get_db
from org.auth import branch_in_scope, require
from org.roles import ADMIN, MANAGER, REVIEWER
from surveys import store
from surveys.schemas import SurveyLinkSchema
from web.apidoc import documented

bp = Blueprint("surveys_api", __name__, url_prefix="/api/v1")


@bp.get("/branches/<int:branch_id>/survey")
@documented("The public survey page of a branch (no login), for its poster", response=SurveyLinkSchema)
@require(ADMIN, REVIEWER, MANAGER, api=True)
def survey_link(branch_id):
    branch_in_scope(branch_id)
    token = store.survey_token(get_db(), branch_id)
    return {"url": url_for("surveys.survey", token=token, _external=True)}
