import pytest

from checklists import spec
from checklists.store import save_checklist
from org import store as org_store
from tests.conftest import VALID

AUDIT_ID = "0b7f3f5e-8a8f-4a62-9d55-6a3f2b1c9e01"
URL = f"/api/v1/audits/{AUDIT_ID}"


@pytest.fixture
def visit_setup(db):
    """A branch whose staff are informed, two employees, and the DESIGN example checklist."""
    branch_id = org_store.create_branch(db, "LDN-01", "Covent Garden", "London", staff_informed=True)
    ana = org_store.create_employee(db, branch_id, "Ana Pérez")
    ben = org_store.create_employee(db, branch_id, "Ben Okafor")
    save_checklist(db, spec.load(VALID, "yaml"))
    return {"branch_id": branch_id, "ana": ana, "ben": ben}


def design_document(branch_id, ana, revision=7, **changes):
    """The audit document of DESIGN.md."""
    document = {
        "checklist_id": "store-visit",
        "checklist_version": 1,
        "branch_id": branch_id,
        "visited_at": "2026-10-05T14:30:00+02:00",
        "revision": revision,
        "answers": {
            "greeted-30s": {"value": "yes"},
            "wait-minutes": {"value": 3.5},
            "friendliness": {"value": 4, "comment": "smiled"},
            "offer": {"value": "Not offered"},
            "why-not": {"value": "We have no cards today"},
        },
        "employees": {"greeting": ana},
    }
    document.update(changes)
    return document


# A published audit of the DESIGN example, and the people around it, for the review API tests.


@pytest.fixture
def people(actions, visit_setup):
    return {
        "auditor": actions.token("auditor"),
        "reviewer": actions.token("reviewer"),
        "manager": actions.token("manager", branches=[visit_setup["branch_id"]]),
        "other_manager": actions.token("manager", email="other-manager@example.com"),
    }


@pytest.fixture
def submitted(client, people, visit_setup):
    client.put(
        URL, json=design_document(visit_setup["branch_id"], visit_setup["ana"]), headers=people["auditor"]
    )
    assert client.post(f"{URL}/submit", headers=people["auditor"]).status_code == 200


@pytest.fixture
def published(client, people, submitted):
    assert client.post(f"{URL}/approve", headers=people["reviewer"]).status_code == 200
