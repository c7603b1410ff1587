"""The visit form as plain HTML fields, and back: how a form post becomes an audit document.

Field names: a.<item> is the answer (the value "na" of a radio group means N/A), na.<item> is the
N/A box of a number item, c.<item> the comment, emp.<section> the employee, empdesc.<section> the
description of one not in the list. Times are datetime-local fields read in the phone's offset.
"""

from datetime import datetime, timedelta, timezone

from checklists.model import Checklist

NA = "na"


def local_input(timestamp: str | None) -> str:
    """An ISO time as the value of a datetime-local field (its own wall-clock time); text that is
    no time comes back as it is, to be shown with its error."""
    try:
        return datetime.fromisoformat(timestamp).strftime("%Y-%m-%dT%H:%M") if timestamp else ""
    except ValueError:
        return timestamp


def offset_of(timestamp: str, default: int = 0) -> int:
    """The UTC offset in minutes of an ISO time; default for text that is no aware time."""
    try:
        offset = datetime.fromisoformat(timestamp).utcoffset()
    except (TypeError, ValueError):
        return default
    return default if offset is None else int(offset.total_seconds() // 60)


def with_offset(local: str, offset_minutes: int) -> str:
    """A datetime-local value plus the phone's UTC offset, as an aware ISO time."""
    moment = datetime.fromisoformat(local).replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    return moment.isoformat(timespec="seconds")


def _number(text: str):
    text = text.strip().replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return text  # left for validation to name
    return int(value) if value.is_integer() else value


def document_from_form(
    checklist: Checklist, form, base: dict, offset_minutes: int, new_photos: dict[str, list[str]]
) -> dict:
    """The audit document a form post describes, on top of the stored one (base)."""
    answers = {}
    for _section, item in checklist.items():
        previous = base.get("answers", {}).get(item.id, {})
        answer = {}
        raw = form.get(f"a.{item.id}", "")
        if raw == NA or form.get(f"na.{item.id}"):
            answer["na"] = True
        elif item.type == "photo":
            photos = list(previous.get("value") or []) + new_photos.get(f"a.{item.id}", [])
            if photos:
                answer["value"] = photos
        elif raw.strip():
            answer["value"] = (
                _number(raw)
                if item.type in ("scale", "number")
                else raw.strip()
                if item.type != "text"
                else raw
            )
        comment = form.get(f"c.{item.id}", "").strip()
        if comment:
            answer["comment"] = comment
        evidence = list(previous.get("photos") or []) + new_photos.get(f"p.{item.id}", [])
        if evidence:
            answer["photos"] = evidence
        if answer:
            answers[item.id] = answer
    employees, descriptions = {}, {}
    for section in checklist.sections:
        if section.about != "employee":
            continue
        chosen = form.get(f"emp.{section.id}", "")
        if chosen.isdecimal():
            employees[section.id] = int(chosen)
        described = form.get(f"empdesc.{section.id}", "").strip()
        if described:
            descriptions[section.id] = described
    on_duty = form.get("staff_on_duty", "").strip()
    document = {
        **base,
        **({"staff_on_duty": int(on_duty) if on_duty.isdecimal() else on_duty} if on_duty else {}),
        "answers": answers,
        "employees": employees,
        "employee_descriptions": descriptions,
        "revision": int(base.get("revision", 0)) + 1,
    }
    if form.get("visited_at"):
        try:
            document["visited_at"] = with_offset(form["visited_at"], offset_minutes)
        except ValueError:
            document["visited_at"] = form["visited_at"]  # left for validation to name
    return document


def item_hints(checklist: Checklist) -> dict[str, dict]:
    """What the page needs to react to an answer before the server scores it: which answers fail
    (to ask for a comment or photo at once), when the item is shown and what submitting needs."""
    hints = {}
    for _section, item in checklist.items():
        hint: dict = {"type": item.type}
        if item.type == "yes_no":
            hint["fail"] = ["no"]
        elif item.type == "scale":
            hint["fail"] = [float(item.min)]
        elif item.type == "choice":
            hint["fail"] = [o.label for o in item.options if o.score == 0]
        elif item.type == "number":
            hint["bands"] = [[None if b.max is None else float(b.max), float(b.score)] for b in item.bands]
        if item.show_if:
            hint["show_if"] = {"item": item.show_if.item, "in": list(item.show_if.values)}
        hint["comment_on_fail"] = item.comment_on_fail
        hint["photo_on_fail"] = item.photo_on_fail
        # What submitting needs, so the phone names what is missing with the server's rules offline.
        hint["scored"] = item.scored
        hint["allow_na"] = item.allow_na
        hint["answer_required"] = item.answer_required
        hints[item.id] = hint
    return hints


def answer_from_field(item_type: str, raw: str) -> dict:
    """One answer typed by a reviewer ("na" for N/A): numbers for scales and number items."""
    raw = raw.strip()
    if raw == NA:
        return {"na": True}
    if item_type in ("scale", "number"):
        return {"value": _number(raw)}
    return {"value": raw}
