import pytest

from checklists import spec
from checklists.store import save_checklist
from org import store
from standards import store as standards_store
from tests.conftest import file_audit

# Two sections check S1 and S2; section "back" weighs double; a3 names a standard only as free text.
CHECKLIST = """
id: shop
title: Shop visit
sections:
  - id: front
    title: Front
    about: employee
    items:
      - {id: a1, text: Greeted, type: yes_no, weight: 2, standard: S1, allow_na: true}
      - {id: a2, text: Asked a question, type: yes_no, standard: S2}
      - {id: a3, text: Friendly, type: scale, min: 1, max: 5, standard: Be friendly}
  - id: back
    title: Back
    weight: 2
    items:
      - {id: b1, text: Said goodbye, type: yes_no, standard: S1, allow_na: true}
      - id: b2
        text: Offered more
        type: choice
        standard: S2
        options: [{label: Full, score: 1}, {label: Half, score: 0.5}, {label: None, score: 0}]
"""

STANDARDS = [
    {"code": "S1", "title": "Greet and say goodbye", "text": "Greet every customer.", "category": "Greeting"},
    {"code": "S2", "title": "Ask and offer", "text": "Ask what they need.", "category": "Needs"},
    {"code": "S3", "title": "Dress code", "text": "Wear the badge.", "category": "Appearance"},
]

ANSWER = {"yes": {"value": "yes"}, "no": {"value": "no"}, "na": {"na": True}}


def audit(db, shop, branch_id, visited_at, answers, status="published", employee=None):
    """An audit of the shop checklist; yes/no/na or a scale value or a choice label."""
    document = {
        "checklist_id": "shop",
        "checklist_version": 1,
        "branch_id": branch_id,
        "visited_at": visited_at,
        "revision": 1,
        "answers": {k: ANSWER.get(v, {"value": v}) for k, v in answers.items()},
        "employees": {"front": employee} if employee else {},
    }
    return file_audit(db, shop, document, status)


@pytest.fixture
def shop(db):
    """Branch X (a manager's, informed) and Y (informed), the shop checklist, standards S1..S3."""
    save_checklist(db, spec.load(CHECKLIST, "yaml"))
    for entry in STANDARDS:
        standards_store.create_standard(db, entry)
    ids = {
        "X": store.create_branch(db, "X", "Xenia", "North", staff_informed=True),
        "Y": store.create_branch(db, "Y", "Yarrow", "South", staff_informed=True),
        "Z": store.create_branch(db, "Z", "Zed", "South"),
    }
    ids["xena"] = store.create_employee(db, ids["X"], "Xena Ward")
    ids["yuri"] = store.create_employee(db, ids["Y"], "Yuri Hale")
    ids["zoe"] = store.create_employee(db, ids["Z"], "Zoe Quinn")
    ids["auditor"] = store.get_user(db, store.create_user(db, "shopper@example.com", "auditor", "password-1"))
    ids["reviewer"] = store.get_user(db, store.create_user(db, "qa@example.com", "reviewer", "password-1"))
    return ids


QUIZ = {
    "id": "basics",
    "title": "Basics",
    "pass_mark": 80,
    "questions": [
        {
            "id": "q1",
            "text": "When do you greet?",
            "standard": "S1",
            "options": ["At once", "Later"],
            "correct": 0,
        },
        {
            "id": "q2",
            "text": "What do you ask?",
            "standard": "S2",
            "options": ["Nothing", "Needs", "Age"],
            "correct": 1,
        },
        {
            "id": "q3",
            "text": "What do you wear?",
            "standard": "S3",
            "options": ["Badge", "Hat"],
            "correct": 0,
        },
    ],
}
