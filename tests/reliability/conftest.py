import pytest

from checklists import spec
from checklists.store import save_checklist
from org import store

ONE_ITEM = "id: quick\ntitle: Quick\nsections: [{id: s, title: S, items: [{id: a, text: A, type: yes_no}, {id: b, text: B, type: text}]}]"


@pytest.fixture
def quick(db):
    """A branch, a one-question checklist and an auditor's token."""
    save_checklist(db, spec.load(ONE_ITEM, "yaml"))
    branch_id = store.create_branch(db, "R1", "Reliability", "North")
    user_id = store.create_user(db, "robot@example.com", "auditor", "password-1")
    return {"branch_id": branch_id, "token": store.create_token(db, user_id)}


def document(branch_id: int, revision: int, value: str = "yes", note: str = "") -> dict:
    return {
        "checklist_id": "quick",
        "checklist_version": 1,
        "branch_id": branch_id,
        "visited_at": "2026-10-05T14:30:00+02:00",
        "revision": revision,
        "answers": {"a": {"value": value}, **({"b": {"value": note}} if note else {})},
    }
