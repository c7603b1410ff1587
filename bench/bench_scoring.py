"""Scoring audits of 60 items, against a floor of simply iterating the same answers."""

import random
import time

from bench.common import Row
from checklists.model import checklist_from_dict
from checklists.scoring import score


def sixty_item_checklist():
    kinds = ["yes_no", "scale", "choice", "number"]
    sections = []
    for s in range(6):
        items = []
        for i in range(10):
            kind = kinds[(s + i) % 4]
            item = {
                "id": f"s{s}i{i}",
                "text": f"Item {s}.{i}",
                "type": kind,
                "weight": 1 + i % 3,
                "allow_na": i % 5 == 0,
            }
            if kind == "scale":
                item |= {"min": 1, "max": 5}
            if kind == "choice":
                item["options"] = [
                    {"label": "A", "score": 1},
                    {"label": "B", "score": 0.5},
                    {"label": "C", "score": 0},
                ]
            if kind == "number":
                item["bands"] = [{"max": 2, "score": 1}, {"max": 5, "score": 0.5}, {"score": 0}]
            if i == 9:
                item["show_if"] = {"item": f"s{s}i0", "in": ["no"]} if kind == "yes_no" else None
                item = {k: v for k, v in item.items() if v is not None}
            items.append(item)
        sections.append({"id": f"s{s}", "title": f"S{s}", "weight": 1 + s % 2, "items": items})
    return checklist_from_dict({"id": "bench", "title": "Bench", "critical_cap": 0, "sections": sections}, 1)


def random_answers(checklist, rng):
    values = {
        "yes_no": lambda: rng.choice(["yes", "no"]),
        "scale": lambda: rng.randint(1, 5),
        "choice": lambda: rng.choice("ABC"),
        "number": lambda: rng.choice([0, 1.5, 3, 7.25]),
    }
    return {
        item.id: {"na": True} if item.allow_na and rng.random() < 0.1 else {"value": values[item.type]()}
        for _s, item in checklist.items()
    }


def run() -> list[Row]:
    checklist = sixty_item_checklist()
    rng = random.Random(7)
    audits = [random_answers(checklist, rng) for _ in range(2000)]

    def floor():
        # The least any scorer must do: visit every item's answer of every audit.
        total = 0
        for answers in audits:
            for _section, item in checklist.items():
                answer = answers.get(item.id)
                total += answer is not None and "value" in answer
        return total

    def engine():
        for answers in audits:
            score(checklist, answers)

    timings = {}
    for name, fn in (("floor", floor), ("engine", engine)):
        fn()
        start = time.perf_counter()
        fn()
        timings[name] = time.perf_counter() - start
    per_second = len(audits) / timings["engine"]
    floor_per_second = len(audits) / timings["floor"]
    return [
        Row(
            "scoring a 60-item audit (µs each) vs iterating its answers",
            1e6 / per_second,
            1e6 / floor_per_second,
            "µs",
        ),
        Row(
            "audits scored per second (floor: iterations per second)",
            per_second,
            floor_per_second,
            "/s",
            "≥ 1,000/s",
        ),
    ]
