"""The one error type of Visitscore and the handlers that answer it as HTML or JSON."""

from flask import Flask, jsonify, make_response, render_template, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException


class AppError(Exception):
    """A user-safe error: a message, an HTTP status and, for bodies, messages per field path."""

    def __init__(self, message: str, status: int = 400, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.fields = fields or {}


def flatten_messages(messages, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested messages into {"a.b[2].c": [...]} paths."""
    if isinstance(messages, list | tuple):
        if all(isinstance(m, str) for m in messages):
            return {prefix or "_body": list(messages)}
        out: dict[str, list[str]] = {}
        for message in messages:
            out.update(flatten_messages(message, prefix))
        return out
    if isinstance(messages, str):
        return {prefix or "_body": [messages]}
    out = {}
    for key, value in messages.items():
        if isinstance(key, int):
            path = f"{prefix}[{key}]"
        elif key == "_schema":
            path = prefix or "_body"
        else:
            path = f"{prefix}.{key}" if prefix else str(key)
        for sub_path, sub_messages in flatten_messages(value, path).items():
            out.setdefault(sub_path, []).extend(sub_messages)
    return out


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
