"""The checklist file format: parse YAML or JSON, validate it whole, normalise it.

Every problem is reported at once with its path (sections[1].items[3].bands) and, for YAML, its
line. Structure and types are checked by marshmallow (checklists/schemas.py); the rules between
fields (unique ids, bands, options, show_if ...) are checked here.
"""

import json
from dataclasses import dataclass

import yaml
from marshmallow import ValidationError

from checklists.model import SCORED_TYPES, UNSCORED_TYPES
from checklists.schemas import check_structure
from errors import flatten_messages

MAX_BYTES = 1_000_000
MAX_DEPTH = 16
MAX_NODES = 100_000
YAML_MEDIA_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")
_PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")}
_BODY = "_body"


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line else ""
        return f"{where}{self.path}: {self.message}"


class ChecklistError(Exception):
    """A checklist file that cannot be accepted, with every problem found."""

    def __init__(self, problems: list[Problem], source: str = ""):
        self.problems = problems
        self.source = source
        count = len(problems)
        super().__init__(
            f"{source + ': ' if source else ''}{count} problem{'s' * (count != 1)} in the checklist"
        )

    def fields(self) -> dict[str, list[str]]:
        """Messages by path, with the line where there is one: the API's "fields"."""
        out: dict[str, list[str]] = {}
        for p in self.problems:
            out.setdefault(p.path, []).append(f"{p.message} (line {p.line})" if p.line else p.message)
        return out


# Parsing


def _yaml_guard(text: str) -> None:
    """Refuse what safe_load would accept but we must not: aliases (billion laughs), deep nesting,
    huge documents and explicit tags (!!python/object and friends)."""
    depth = nodes = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            raise ChecklistError([Problem(_BODY, "YAML anchors and aliases (*name) are not allowed.", line)])
        tag = getattr(event, "tag", None)
        implicit = getattr(event, "implicit", True)
        if (
            tag
            and not (implicit is True or (isinstance(implicit, tuple) and implicit[0]))
            and tag not in _PLAIN_TAGS
        ):
            raise ChecklistError([Problem(_BODY, f"The YAML tag {tag} is not allowed.", line)])
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise ChecklistError([Problem(_BODY, f"Nested deeper than {MAX_DEPTH} levels.", line)])
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1
        nodes += 1
        if nodes > MAX_NODES:
            raise ChecklistError(
                [Problem(_BODY, f"More than {MAX_NODES} YAML nodes; split the checklist.", line)]
            )


def _walk_lines(node, path: str, lines: dict[str, int], problems: list[Problem]) -> None:
    """Record the line of every path, and refuse duplicate keys (YAML would keep the last silently)."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key_node, value_node in node.value:
            key = key_node.value
            child = f"{path}.{key}" if path else str(key)
            if key in seen:
                problems.append(
                    Problem(child, f"The key {key!r} appears twice.", key_node.start_mark.line + 1)
                )
            seen.add(key)
            lines[child] = key_node.start_mark.line + 1
            _walk_lines(value_node, child, lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, value_node in enumerate(node.value):
            _walk_lines(value_node, f"{path}[{index}]", lines, problems)


def _parse_yaml(text: str) -> tuple[object, dict[str, int]]:
    try:
        _yaml_guard(text)
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        if "\t" in message or "'\\t'" in message:
            message += " (YAML does not allow tabs for indentation; use spaces)"
        raise ChecklistError(
            [Problem(_BODY, f"YAML syntax error: {message}.", mark.line + 1 if mark else None)]
        ) from None
    except yaml.YAMLError as exc:
        raise ChecklistError([Problem(_BODY, f"Not valid YAML: {exc}.")]) from None
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    if node is not None:
        _walk_lines(node, "", lines, problems)
    if problems:
        raise ChecklistError(problems)
    return data, lines


def _depth(data) -> int:
    """Nesting depth, counted without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _parse_json(text: str) -> object:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ChecklistError([Problem(_BODY, f"JSON syntax error: {exc.msg}.", exc.lineno)]) from None
    except RecursionError:
        raise ChecklistError([Problem(_BODY, f"Nested deeper than {MAX_DEPTH} levels.")]) from None
    except ValueError as exc:  # an integer longer than Python converts
        raise ChecklistError([Problem(_BODY, f"A number is too long: {exc}")]) from None
    if _depth(data) > MAX_DEPTH:
        raise ChecklistError([Problem(_BODY, f"Nested deeper than {MAX_DEPTH} levels.")])
    return data


def parse(raw: bytes | str, fmt: str) -> tuple[object, dict[str, int]]:
    """Parse a file's text as "yaml" or "json": (data, line of each path)."""
    if len(raw) > MAX_BYTES:
        raise ChecklistError([Problem(_BODY, f"The file is larger than {MAX_BYTES // 1000} kB.")])
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ChecklistError(
                [Problem(_BODY, f"The file is not UTF-8 text (byte {exc.start}).")]
            ) from None
    data, lines = (_parse_json(raw), {}) if fmt == "json" else _parse_yaml(raw)
    try:
        json.dumps(data, ensure_ascii=False, default=str).encode()
    except UnicodeEncodeError:  # "\ud800" escapes decode to lone surrogates, which are not text
        raise ChecklistError(
            [Problem(_BODY, "The file holds a lone surrogate where text belongs.")]
        ) from None
    return data, lines


def format_for(filename: str = "", media_type: str = "") -> str | None:
    """'yaml' or 'json' from a file name or a media type; None when neither says."""
    if media_type == "application/json" or filename.endswith(".json"):
        return "json"
    if media_type in YAML_MEDIA_TYPES or filename.endswith((".yaml", ".yml")):
        return "yaml"
    return None


# Rules between fields

_ONLY_FOR = {"bands": "number", "unit": "number", "options": "choice", "min": "scale", "max": "scale"}


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _best_is_one(entries, what: str, path: str) -> list[tuple[str, str]]:
    scores = [e["score"] for e in entries if isinstance(e, dict) and _is_number(e.get("score"))]
    if scores and max(scores) != 1:
        return [
            (
                path,
                f"The best {what} must score exactly 1 so that a perfect answer is reachable "
                f"(best: {max(scores)}).",
            )
        ]
    return []


def _band_problems(bands: list, path: str) -> list[tuple[str, str]]:
    problems = []
    last = len(bands) - 1
    previous = None
    for index, band in enumerate(bands):
        if not isinstance(band, dict):
            continue
        limit = band.get("max")
        if limit is None and index < last:
            problems.append(
                (
                    f"{path}[{index}]",
                    "Only the last band may leave out max: the bands after a catch-all are never used.",
                )
            )
        if _is_number(limit):
            if previous is not None and limit <= previous:
                problems.append(
                    (
                        f"{path}[{index}].max",
                        f"Must be greater than the previous band's max ({previous}), "
                        "or this band is never used.",
                    )
                )
            previous = limit
    if isinstance(bands[last], dict) and bands[last].get("max") is not None:
        problems.append(
            (path, "The last band must leave out max (a catch-all band) so that every value fits.")
        )
    return problems + _best_is_one(bands, "band", path)


def _option_problems(options: list, path: str) -> list[tuple[str, str]]:
    problems, labels = [], set()
    for index, option in enumerate(options):
        label = option.get("label") if isinstance(option, dict) else None
        if isinstance(label, str):
            if label in labels:
                problems.append((f"{path}[{index}].label", f"The option {label!r} appears twice."))
            labels.add(label)
    return problems + _best_is_one(options, "option", path)


def _show_if_problems(
    rule: dict, path: str, item_id, earlier: dict[str, dict], all_ids: set
) -> list[tuple[str, str]]:
    target_id = rule.get("item")
    if not isinstance(target_id, str):
        return []
    if target_id == item_id:
        return [(f"{path}.item", "An item cannot depend on itself.")]
    if target_id not in earlier:
        where = "a later item" if target_id in all_ids else "an unknown item"
        return [
            (
                f"{path}.item",
                f"Names {where} ({target_id!r}); show_if may only name an item that comes earlier.",
            )
        ]
    target = earlier[target_id]
    values = rule.get("in") if isinstance(rule.get("in"), list) else []
    if target.get("type") == "yes_no":
        allowed = ["yes", "no"]
    elif target.get("type") == "choice" and isinstance(target.get("options"), list):
        allowed = [o.get("label") for o in target["options"] if isinstance(o, dict)]
    else:
        return []
    return [
        (
            f"{path}.in[{index}]",
            f"{value!r} is not an answer of {target_id!r} (answers: {', '.join(map(str, allowed))}).",
        )
        for index, value in enumerate(values)
        if value not in allowed
    ]


def _item_problems(item: dict, path: str, earlier: dict[str, dict], all_ids: set) -> list[tuple[str, str]]:
    kind = item.get("type")
    if kind not in SCORED_TYPES + UNSCORED_TYPES:
        return []
    problems = [
        (f"{path}.{key}", f"'{key}' is only for {owner} items, not {kind} items.")
        for key, owner in _ONLY_FOR.items()
        if key in item and kind != owner
    ]
    if kind == "number":
        bands = item.get("bands")
        if bands is None:
            problems.append(
                (
                    f"{path}.bands",
                    "A number item needs bands, ending with a catch-all band (one without max).",
                )
            )
        elif isinstance(bands, list) and bands:
            problems += _band_problems(bands, f"{path}.bands")
    if kind == "choice":
        options = item.get("options")
        if options is None:
            problems.append((f"{path}.options", "A choice item needs options, one of them scoring 1."))
        elif isinstance(options, list) and options:
            problems += _option_problems(options, f"{path}.options")
    if kind == "scale":
        low, high = item.get("min", 1), item.get("max", 5)
        if _is_number(low) and _is_number(high) and low >= high:
            problems.append((f"{path}.max", f"A scale needs min < max (here min {low}, max {high})."))
    require = item.get("require") if isinstance(item.get("require"), dict) else {}
    if kind in UNSCORED_TYPES:
        if item.get("critical") is True:
            problems.append(
                (f"{path}.critical", f"Only scored items ({', '.join(SCORED_TYPES)}) can be critical.")
            )
        for key in ("comment_on_fail", "photo_on_fail"):
            if require.get(key) is True:
                problems.append(
                    (
                        f"{path}.require.{key}",
                        f"A {kind} item cannot fail; use require.answer to make it mandatory.",
                    )
                )
    elif require.get("answer") is True:
        problems.append(
            (
                f"{path}.require.answer",
                "Scored items must always be answered; 'answer' is for text and photo items.",
            )
        )
    if isinstance(item.get("show_if"), dict):
        problems += _show_if_problems(item["show_if"], f"{path}.show_if", item.get("id"), earlier, all_ids)
    return problems


def _cross_field_problems(doc: dict) -> list[tuple[str, str]]:
    sections = doc.get("sections")
    if not isinstance(sections, list):
        return []
    section_list = [(i, s) for i, s in enumerate(sections) if isinstance(s, dict)]
    all_items = [
        (f"sections[{si}].items[{ii}]", item)
        for si, section in section_list
        if isinstance(section.get("items"), list)
        for ii, item in enumerate(section["items"])
        if isinstance(item, dict)
    ]
    all_ids = {item.get("id") for _path, item in all_items if isinstance(item.get("id"), str)}
    problems = []
    section_ids: dict[str, str] = {}
    for index, section in section_list:
        section_id = section.get("id")
        if isinstance(section_id, str):
            if section_id in section_ids:
                problems.append(
                    (
                        f"sections[{index}].id",
                        f"The section id {section_id!r} is already used by {section_ids[section_id]}.",
                    )
                )
            section_ids.setdefault(section_id, f"sections[{index}]")
    earlier: dict[str, dict] = {}
    first_path: dict[str, str] = {}
    for path, item in all_items:
        problems += _item_problems(item, path, earlier, all_ids)
        item_id = item.get("id")
        if isinstance(item_id, str):
            if item_id in first_path:
                problems.append(
                    (
                        f"{path}.id",
                        f"The item id {item_id!r} is already used by {first_path[item_id]}; "
                        "item ids are unique in the whole checklist.",
                    )
                )
            else:
                first_path[item_id] = path
                earlier[item_id] = item
    return problems


# Validation and normal form

_DEFAULTS = {
    "checklist": {"description": "", "pass_mark": 0, "critical_cap": 0, "channel": "visit"},
    "section": {"description": "", "weight": 1},
    "item": {"standard": "", "guidance": "", "weight": 1, "critical": False, "allow_na": False, "unit": ""},
}


def _without_defaults(data: dict, level: str) -> dict:
    return {k: v for k, v in data.items() if _DEFAULTS[level].get(k, object()) != v}


def normalise(doc: dict) -> dict:
    """The canonical form of a valid checklist: defaults left out, a scale's min and max filled in,
    the read-only version dropped. Two files with the same content have the same normal form."""
    sections = []
    for section in doc["sections"]:
        items = []
        for item in section["items"]:
            item = _without_defaults(item, "item")
            if item["type"] == "scale":
                item = {**item, "min": item.get("min", 1), "max": item.get("max", 5)}
            require = {k: True for k, v in item.get("require", {}).items() if v}
            item.pop("require", None)
            if require:
                item["require"] = require
            items.append(item)
        sections.append({**_without_defaults(section, "section"), "items": items})
    top = {k: v for k, v in _without_defaults(doc, "checklist").items() if k != "version"}
    return {**top, "sections": sections}


def validate(data, lines: dict[str, int] | None = None) -> dict:
    """The normal form of a checklist document, or ChecklistError with every problem and its line."""
    lines = lines or {}
    found: dict[str, list[str]] = {}
    try:
        loaded = check_structure(data)
    except ValidationError as exc:
        loaded = None
        for path, messages in flatten_messages(exc.messages).items():
            found.setdefault(path, []).extend(messages)
    if isinstance(data, dict):
        for path, message in _cross_field_problems(data):
            found.setdefault(path, []).append(message)
    if found:
        problems = [
            Problem(path, message, _line_of(path, lines))
            for path, messages in found.items()
            for message in messages
        ]
        problems.sort(key=lambda p: (p.line or 0, p.path))
        raise ChecklistError(problems)
    return normalise(loaded)


def _line_of(path: str, lines: dict[str, int]) -> int | None:
    """The line of a path, or of its nearest ancestor present in the file."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return lines.get("")


def load(raw: bytes | str, fmt: str) -> dict:
    """Parse and validate a checklist file: its normal form, or ChecklistError."""
    data, lines = parse(raw, fmt)
    return validate(data, lines)


def canonical_json(doc: dict) -> str:
    """The byte-stable JSON of a normal form, for comparing versions."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def to_yaml(doc: dict) -> str:
    """A checklist as readable YAML, in the order of the file format."""
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
