"""The one error type of Visitscore, with no Flask: any module may raise it, pure ones too.

web/handlers.py answers it as an HTML page or the JSON error shape.
"""


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
