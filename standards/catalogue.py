"""The standards import file: a YAML or JSON list of standards, checked whole, every problem by path."""

import json

import yaml
from marshmallow import ValidationError

from errors import flatten_messages
from standards.schemas import StandardInSchema

MAX_BYTES = 2_000_000


class StandardsFileError(Exception):
    """A standards file that cannot be imported, with every problem as {path: [messages]}."""

    def __init__(self, fields: dict[str, list[str]]):
        self.fields = fields
        count = sum(len(m) for m in fields.values())
        super().__init__(f"{count} problem{'s' * (count != 1)} in the standards file")

    def lines(self) -> list[str]:
        return [f"{path}: {message}" for path, messages in self.fields.items() for message in messages]


def parse(raw: bytes, fmt: str) -> object:
    """The file's data; StandardsFileError for bad syntax."""
    if len(raw) > MAX_BYTES:
        raise StandardsFileError({"_body": [f"The file is larger than {MAX_BYTES:,} bytes."]})
    try:
        text = raw.decode("utf-8")
        return json.loads(text) if fmt == "json" else yaml.safe_load(text)
    except UnicodeDecodeError:
        raise StandardsFileError({"_body": ["The file is not UTF-8 text."]}) from None
    except json.JSONDecodeError as exc:
        raise StandardsFileError({"_body": [f"Malformed JSON at line {exc.lineno}: {exc.msg}."]}) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise StandardsFileError(
            {"_body": [f"Not valid YAML{where}: {getattr(exc, 'problem', exc)}."]}
        ) from None


def validate(data: object) -> list[dict]:
    """The standards of an import file, validated whole; StandardsFileError names every problem by path."""
    if not isinstance(data, list) or not data:
        raise StandardsFileError({"_body": ["The file must be a non-empty list of standards."]})
    problems: dict[str, list[str]] = {}
    try:
        loaded = StandardInSchema(many=True).load(data)
    except ValidationError as exc:
        problems.update(flatten_messages(exc.messages))
        loaded = None
    first_seen: dict[str, int] = {}
    for index, entry in enumerate(data):
        code = entry.get("code") if isinstance(entry, dict) else None
        if isinstance(code, str):
            if code in first_seen:
                problems.setdefault(f"[{index}].code", []).append(
                    f"The code {code!r} is already used by [{first_seen[code]}]."
                )
            first_seen.setdefault(code, index)
    if problems:
        raise StandardsFileError(problems)
    return loaded


def load(raw: bytes, fmt: str) -> list[dict]:
    return validate(parse(raw, fmt))
