"""The audit document against its checklist: what each answer may be, and what submitting needs.

Pure functions: problems come back as {path: [message]} in the API's "fields" shape.
"""

from datetime import UTC, datetime, timedelta

from checklists.model import Checklist, Item
from checklists.scoring import Score, is_number

# Phones' clocks drift; a visit stamped a few minutes ahead is not "in the future".
CLOCK_SLACK = timedelta(minutes=10)


def moment(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp)


def period_month(visited_at: str) -> str:
    """The YYYY-MM of a visit, read in the visit's own UTC offset."""
    return moment(visited_at).strftime("%Y-%m")


def utc(timestamp: str) -> str:
    return moment(timestamp).astimezone(UTC).isoformat(timespec="seconds")


def is_answered(answer: dict | None) -> bool:
    """A value or N/A was given (a comment or photos alone are no answer)."""
    return bool(answer) and ("value" in answer or bool(answer.get("na")))


def answer_text(answer: dict | None) -> str:
    """An answer as a person reads it: its value, "N/A", a count of photos or "no answer"."""
    if not is_answered(answer):
        return "no answer"
    if answer.get("na"):
        return "N/A"
    value = answer["value"]
    if isinstance(value, list):
        return f"{len(value)} photo(s)"
    return str(value)


def _value_problem(item: Item, value) -> str | None:
    if item.type == "yes_no" and value not in ("yes", "no"):
        return "Answer 'yes' or 'no'."
    if item.type in ("scale", "number") and not is_number(value):
        return "Answer with a number."
    if item.type == "scale" and not item.min <= value <= item.max:
        return f"Answer with a number from {float(item.min):g} to {float(item.max):g}."
    if item.type == "choice" and value not in [o.label for o in item.options]:
        return f"Choose one of: {', '.join(o.label for o in item.options)}."
    if item.type == "text" and not isinstance(value, str):
        return "Answer with text."
    if item.type == "text" and len(value) > 5000:
        return "At most 5000 characters."
    if item.type == "photo" and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        return "A photo answer is a list of photo ids."
    return None


def answer_problems(checklist: Checklist, answers: dict[str, dict]) -> dict[str, list[str]]:
    """Every answer that does not fit its item: unknown items, wrong types, labels, ranges, N/A."""
    items = {item.id: item for _section, item in checklist.items()}
    problems: dict[str, list[str]] = {}
    for item_id, answer in answers.items():
        item = items.get(item_id)
        if item is None:
            problems[f"answers.{item_id}"] = [
                f"No item {item_id!r} in checklist {checklist.id} version {checklist.version}."
            ]
            continue
        value = answer.get("value")
        if answer.get("na"):
            if not item.allow_na:
                problems[f"answers.{item_id}.na"] = ["N/A is not allowed for this item."]
            elif value is not None:
                problems[f"answers.{item_id}"] = ["Give a value or N/A, not both."]
        elif value is not None:
            message = _value_problem(item, value)
            if message:
                problems[f"answers.{item_id}.value"] = [message]
    return problems


def employee_problems(
    checklist: Checklist, employees: dict[str, int], staff: set[int]
) -> dict[str, list[str]]:
    """Each named employee must be about an employee section and work at the audit's branch."""
    about = {s.id for s in checklist.sections if s.about == "employee"}
    problems = {}
    for section_id, employee_id in employees.items():
        if section_id not in about:
            problems[f"employees.{section_id}"] = [f"Section {section_id!r} does not score an employee."]
        elif employee_id not in staff:
            problems[f"employees.{section_id}"] = [f"Employee {employee_id} does not work at this branch."]
    return problems


def _answered(answer: dict | None) -> bool:
    value = (answer or {}).get("value")
    return value not in (None, "", [])


def submission_problems(
    checklist: Checklist, document: dict, result: Score, now: datetime, photo_ids: set[str]
) -> dict[str, list[str]]:
    """What stands between this audit and submitting: unanswered items, missing comments and photos
    on failed items, photos not uploaded yet, and impossible times."""
    answers = document["answers"]
    problems: dict[str, list[str]] = {}
    for item_id in result.missing:
        item = checklist.item(item_id)
        problems[f"answers.{item_id}"] = ["Answer this item" + (" or mark it N/A." if item.allow_na else ".")]
    for _section, item in checklist.items():
        scored = result.items[item.id]
        answer = answers.get(item.id) or {}
        if scored.status == "hidden":
            continue
        if item.answer_required and not _answered(answer):
            problems[f"answers.{item.id}"] = ["This item must be filled in."]
        failed = scored.fraction == 0
        if failed and item.comment_on_fail and not (answer.get("comment") or "").strip():
            problems[f"answers.{item.id}.comment"] = ["A failed answer needs a comment."]
        if failed and item.photo_on_fail and not answer.get("photos"):
            problems[f"answers.{item.id}.photos"] = ["A failed answer needs a photo."]
        referenced = list(answer.get("photos") or []) + (
            answer.get("value") if item.type == "photo" and _answered(answer) else []
        )
        missing_photos = [p for p in referenced if p not in photo_ids]
        if missing_photos:
            problems[f"answers.{item.id}.photos"] = [f"{len(missing_photos)} photo(s) not uploaded yet."]
    if moment(document["visited_at"]) > now + CLOCK_SLACK:
        problems["visited_at"] = ["The visit time is in the future."]
    started, ended = document.get("started_at"), document.get("ended_at")
    if started and ended and moment(ended) < moment(started):
        problems["ended_at"] = ["The visit ends before it starts."]
    if started and moment(started) > now + CLOCK_SLACK:
        problems["started_at"] = ["The start time is in the future."]
    return problems
