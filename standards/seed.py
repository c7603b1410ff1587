"""Demo data: the library catalogue of standards, two quizzes, and results for the demo staff."""

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml
from sqlite_utils import Database

from db import transaction
from org import store as org_store
from standards import catalogue, quizzes, store
from standards.schemas import QuizInSchema

LIBRARY = Path(__file__).parent / "library"


def seed_standards(db: Database, months: int = 4, today: date | None = None) -> dict[str, int]:
    """Import the demo catalogue and quizzes; add quiz results for the staff of informed branches
    over the last `months` months. Safe to run again."""
    entries = catalogue.load((LIBRARY / "standards.yaml").read_bytes(), "yaml")
    imported = store.import_standards(db, entries)
    demo_quizzes = QuizInSchema(many=True).load(yaml.safe_load((LIBRARY / "quizzes.yaml").read_text()))
    for quiz in demo_quizzes:
        if store.find_quiz(db, quiz["id"]) is None:
            store.save_quiz(db, quiz, create=True)
    if db["quiz_results"].count:
        return {"standards": len(imported), "results": 0}
    rng = random.Random(1015)
    today = today or datetime.now(UTC).date()
    added = 0
    with transaction(db):
        for branch in org_store.list_branches(db):
            if not branch["staff_informed"]:
                continue
            for employee in org_store.list_employees(db, branch["branch_id"], active_only=True):
                ability = 0.55 + 0.4 * rng.random()
                for month_back in range(months, 0, -1):
                    first = (today.replace(day=1) - timedelta(days=28 * month_back)).replace(day=1)
                    for demo in demo_quizzes:
                        quiz = store.get_quiz(db, demo["id"])
                        chosen = {
                            q["id"]: q["correct"]
                            if rng.random() < ability
                            else (q["correct"] + 1) % len(q["options"])
                            for q in quiz["questions"]
                        }
                        taken = datetime(
                            first.year, first.month, rng.randint(2, 26), rng.randint(9, 17), tzinfo=UTC
                        )
                        store.store_result(
                            db,
                            quiz,
                            employee["employee_id"],
                            quizzes.grade(quiz, chosen),
                            chosen,
                            taken.isoformat(timespec="seconds"),
                        )
                        added += 1
    return {"standards": len(imported), "results": added}
