"""The "audits" blueprint of HTML pages, and what its views share; its routes are in
programme_views, visit_views and review_views (audits/views.py puts them together)."""

from flask import Blueprint, flash

from errors import AppError

bp = Blueprint("audits", __name__)


def flash_outcome(action, success: str) -> bool:
    """Run an action and flash what came of it: its refusal, or the success message. A 404 stays an
    error page. True if it succeeded."""
    try:
        action()
    except AppError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return False
    flash(success)
    return True
