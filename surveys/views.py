"""The public survey page of a branch: no account, one question, a thank-you."""

from flask import Blueprint, current_app, render_template, request

from db import get_db
from errors import AppError
from org import store as org_store
from surveys import store
from surveys.forms import SurveyForm
from surveys.nps import ResponseError, parse_response

bp = Blueprint("surveys", __name__)


@bp.route("/survey/<token>", methods=["GET", "POST"])
def survey(token):
    db = get_db()
    branch_id = store.branch_id_of_token(db, token)
    if branch_id is None:
        raise AppError("This survey does not exist.", 404)
    branch = org_store.get_branch(db, branch_id)
    form = SurveyForm()
    errors: dict[str, list[str]] = {}
    if form.validate_on_submit():
        if form.website.data:
            # A bot filled in the hidden field: thank it and keep nothing.
            return render_template("surveys/thanks.html", branch=branch)
        try:
            score, comment = parse_response(form.score.data, form.comment.data)
        except ResponseError as exc:
            errors = exc.fields
        else:
            sender = store.address_key(current_app.config["SECRET_KEY"], request.remote_addr or "")
            if not store.add_response(db, branch_id, score, comment, sender):
                return render_template("surveys/thanks.html", branch=branch, limited=True), 429
            return render_template("surveys/thanks.html", branch=branch)
    elif request.method == "POST":
        # Only the CSRF token can fail here: the page was old or not ours.
        errors = {"csrf_token": ["The page expired; please answer again."]}
        return render_template("surveys/survey.html", branch=branch, form=form, errors=errors), 400
    status = 422 if errors else 200
    return render_template("surveys/survey.html", branch=branch, form=form, errors=errors), status
