"""The handlers that answer errors (AppError, invalid fields, HTTP errors, the unexpected) as an
HTML page or the JSON error shape; create_app registers them."""

from flask import Flask, jsonify, make_response, render_template, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from errors import AppError, flatten_messages


def wants_json() -> bool:
    """Whether this request is answered in JSON: the API, or a client that asks only for JSON."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(message: str, status: int, fields: dict | None = None):
    if wants_json():
        return make_response(jsonify({"error": message, "fields": fields or {}}), status)
    page = render_template("error.html", message=message, status=status, fields=fields or {})
    return make_response(page, status)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(AppError)
    def app_error(exc: AppError):
        return error_response(exc.message, exc.status, exc.fields)

    @app.errorhandler(ValidationError)
    def validation_error(exc: ValidationError):
        return error_response("The request has invalid fields.", 422, flatten_messages(exc.messages))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        response = error_response(exc.description or exc.name, exc.code or 500)
        if exc.code == 405 and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(OverflowError)
    def id_too_large(exc: OverflowError):
        # An id beyond SQLite's 64-bit integers is not a valid id at all (a missing one is 404).
        return error_response("The number is too large to be an id.", 422)

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response("Something went wrong on our side. The error has been logged.", 500)
