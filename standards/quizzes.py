"""Quizzes as plain data: the rules between fields, grading, and a draft made from standards' texts."""

import re
from dataclasses import dataclass
from fractions import Fraction

from errors import AppError

OPTION_SLOTS = 4


def check_quiz(quiz: dict, known_codes: set[str]) -> None:
    """Refuse (422, by path) what the schema cannot see: repeated question ids, a correct index
    outside the options, a standard that is not in the catalogue."""
    problems: dict[str, list[str]] = {}
    seen: set[str] = set()
    for index, question in enumerate(quiz["questions"]):
        path = f"questions[{index}]"
        if question["id"] in seen:
            problems[f"{path}.id"] = [f"Another question already has the id {question['id']!r}."]
        seen.add(question["id"])
        if not 0 <= question["correct"] < len(question["options"]):
            problems[f"{path}.correct"] = [
                f"Must be the index of one of the {len(question['options'])} options (0 to "
                f"{len(question['options']) - 1})."
            ]
        if question["standard"] not in known_codes:
            problems[f"{path}.standard"] = [f"No standard has the code {question['standard']!r}."]
    if problems:
        raise AppError("The quiz has invalid fields; nothing was stored.", 422, problems)


@dataclass(frozen=True)
class Grade:
    correct: int
    questions: int
    passed: bool
    marks: dict[str, bool]  # question id -> answered correctly

    @property
    def percent(self) -> Fraction:
        return Fraction(100 * self.correct, self.questions)


def grade(quiz: dict, chosen: dict[str, int]) -> Grade:
    """Mark every question; passed when the share of correct answers reaches the pass mark."""
    marks = {q["id"]: chosen.get(q["id"]) == q["correct"] for q in quiz["questions"]}
    correct = sum(marks.values())
    total = len(marks)
    passed = Fraction(100 * correct, total) >= Fraction(str(quiz["pass_mark"]))
    return Grade(correct, total, passed, marks)


def read_answers(quiz: dict, form: dict[str, str]) -> tuple[dict[str, int], dict[str, list[str]]]:
    """The option index chosen for each question of a posted form, and the problems by question id."""
    chosen, problems = {}, {}
    for question in quiz["questions"]:
        value = (form.get(question["id"]) or "").strip()
        if not value:
            problems[question["id"]] = ["Choose an answer."]
        elif not value.isdecimal() or int(value) >= len(question["options"]):
            problems[question["id"]] = ["Choose one of the answers shown."]
        else:
            chosen[question["id"]] = int(value)
    return chosen, problems


def _slug(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", code).strip("-").lower() or "q"


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", text.strip(), re.S)
    return (match[1] if match else text).strip()


def draft(standards: list[dict]) -> dict:
    """A starting quiz: one question per standard, its text as the correct option, the wrong
    options left blank for the admin to write (they are what makes a question a test)."""
    questions = []
    for index, standard in enumerate(standards):
        correct = index % OPTION_SLOTS
        options = [""] * OPTION_SLOTS
        options[correct] = _first_sentence(standard["text"])
        questions.append(
            {
                "id": _slug(standard["code"]),
                "text": f"{standard['title']}: what does our standard {standard['code']} ask of you?",
                "standard": standard["code"],
                "options": options,
                "correct": correct,
            }
        )
    return {"id": "", "title": "", "pass_mark": 80, "questions": questions}
