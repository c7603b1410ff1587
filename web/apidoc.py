"""The JSON API's plumbing: reading bodies through marshmallow, and the OpenAPI document built
from the same schemas and the app's URL map, so nothing is described twice."""

import json
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, g, request
from marshmallow import Schema, fields

from errors import AppError

JSON = "application/json"


class ErrorSchema(Schema):
    error = fields.String(required=True)
    fields = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Messages by field path"},
    )


def documented(
    summary: str,
    body: type[Schema] | None = None,
    response: type[Schema] | None = None,
    status: int = 200,
    body_types: tuple[str, ...] = (JSON,),
    response_type: str = JSON,
    query: dict[str, str] | None = None,
    also: dict[int, str] | None = None,
):
    """Describe an API view for the OpenAPI document; `also` lists other statuses (4xx ones answer
    the error shape)."""

    def decorator(view):
        view.apidoc = {
            "summary": summary,
            "body": body,
            "response": response,
            "status": status,
            "body_types": body_types,
            "response_type": response_type,
            "query": query or {},
            "also": also or {},
        }
        return view

    return decorator


def json_body() -> object:
    """The request body parsed as JSON, or a 400 that says where it is broken."""
    if not g.via_token and request.mimetype != JSON and "X-CSRFToken" not in request.headers:
        # A browser form cannot send application/json cross-site without a preflight.
        raise AppError("Send the body as JSON with Content-Type: application/json.", 400)
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise AppError("The request body is empty; send a JSON object.", 400)
    try:
        body = json.loads(raw)
    except UnicodeDecodeError:
        raise AppError("The request body is not UTF-8 text.", 400) from None
    except json.JSONDecodeError as exc:
        raise AppError(f"Malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}.", 400) from None
    except RecursionError:
        raise AppError("The JSON is nested too deeply.", 400) from None
    except ValueError as exc:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        raise AppError(f"The JSON holds a number that is too long: {exc}", 400) from None
    try:
        # "\ud800" escapes decode to lone surrogates: not text, and no database or file can hold them.
        json.dumps(body, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise AppError("The JSON holds a lone surrogate (\\ud800-\\udfff) where text belongs.", 400) from None
    except RecursionError:
        raise AppError("The JSON is nested too deeply.", 400) from None
    return body


def load_body(schema: Schema) -> dict:
    """Validate the JSON body with a marshmallow schema (ValidationError answers 422)."""
    return schema.load(json_body())


_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _path_and_params(rule: str) -> tuple[str, list[dict]]:
    params = []
    for converter, name in _CONVERTER.findall(rule):
        schema = {"type": "integer"} if converter == "int" else {"type": "string"}
        if converter == "uuid":
            schema["format"] = "uuid"  # made by the phone; anything else matches no route: 404
        params.append({"in": "path", "name": name, "required": True, "schema": schema})
    return _CONVERTER.sub(r"{\2}", rule), params


def _schema_name(schema: Schema | type[Schema]) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__name__.removesuffix("Schema")


def build_openapi(app: Flask, prefix: str = "/api/v1") -> dict:
    """The OpenAPI 3.1 document of every documented route under prefix."""
    spec = APISpec(
        title="Visitscore API",
        version="1",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
        info={"description": "Checklists, audits, scores and reports of Visitscore."},
    )
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme(
        "cookieAuth", {"type": "apiKey", "in": "cookie", "name": app.config["SESSION_COOKIE_NAME"]}
    )
    spec.components.schema("Error", schema=ErrorSchema)
    error_ref = {"$ref": "#/components/schemas/Error"}
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(prefix):
            continue
        view = app.view_functions[rule.endpoint]
        doc = getattr(view, "apidoc", None)
        if doc is None:
            continue
        path, params = _path_and_params(rule.rule)
        params += [
            {"in": "query", "name": name, "schema": {"type": "string"}, "description": text}
            for name, text in doc["query"].items()
        ]
        ok = {"description": doc["summary"]}
        if doc["response"] is not None:
            ok["content"] = {doc["response_type"]: {"schema": doc["response"]}}
        elif doc["response_type"] != JSON:
            ok["content"] = {doc["response_type"]: {"schema": {"type": "string"}}}
        responses = {str(doc["status"]): ok}
        for code, text in doc["also"].items():
            error = {"description": text, "content": {JSON: {"schema": error_ref}}}
            responses[str(code)] = error if code >= 400 else {**ok, "description": text}
        for code, text in (
            (400, "Bad request"),
            (401, "Not logged in"),
            (403, "Role not allowed"),
            (404, "Not found or out of scope"),
            (409, "Conflict"),
            (422, "Invalid fields"),
        ):
            responses[str(code)] = {"description": text, "content": {JSON: {"schema": error_ref}}}
        allowed = getattr(view, "allowed_roles", ())
        operation = {
            "summary": doc["summary"],
            "operationId": rule.endpoint,
            "parameters": params,
            "responses": responses,
            "security": [{"bearerAuth": []}, {"cookieAuth": []}],
            "description": "Roles: " + ", ".join(allowed) if allowed else "Public",
        }
        if not allowed:
            operation["security"] = []
        if doc["body"] is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {t: {"schema": doc["body"]} for t in doc["body_types"]},
            }
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
