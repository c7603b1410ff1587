import re
import uuid

import pytest

from app import create_app
from audits import review
from audits import store as audits_store
from audits.schemas import load_document
from checklists import spec
from checklists.store import save_checklist
from db import connect
from org import store

PASSWORD = "correct horse battery"


@pytest.fixture
def app(tmp_path):
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "test.db"), "SECRET_KEY": "test"})
    yield app


@pytest.fixture
def db(app):
    database = connect(app.config["DATABASE"])
    yield database
    database.conn.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token from a form page, as a browser would read it."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*? value="([^"]+)"', html).group(1)


class Actions:
    """Build a small company and log in as one of its people."""

    def __init__(self, client, db):
        self.client = client
        self.db = db

    def branch(self, code="LDN-01", name="Covent Garden", region="London", **extra) -> int:
        existing = store.branch_id_by_code(self.db, code)
        return existing or store.create_branch(self.db, code, name, region, **extra)

    def user(self, role: str, email: str | None = None, branches=()) -> dict:
        email = email or f"{role}@example.com"
        if store.user_by_email(self.db, email) is None:
            store.create_user(self.db, email, role, PASSWORD, role.title(), list(branches))
        return store.user_by_email(self.db, email)

    def login_as(self, role: str, email: str | None = None, branches=()) -> dict:
        user = self.user(role, email, branches)
        response = self.client.post(
            "/login",
            data={"email": user["email"], "password": PASSWORD, "csrf_token": csrf_token(self.client)},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    def token(self, role: str, email: str | None = None, branches=()) -> dict:
        user = self.user(role, email, branches)
        return {"Authorization": f"Bearer {store.create_token(self.db, user['user_id'])}"}


@pytest.fixture
def actions(client, db):
    return Actions(client, db)


# A small company for report tests: four branches in two regions, one short checklist.
CHECKLIST = """
id: mini
title: Mini visit
pass_mark: 75
sections:
  - id: greet
    title: Greeting
    about: employee
    items:
      - {id: hello, text: Said hello, type: yes_no, standard: Greet everyone, allow_na: true}
      - {id: smile, text: Smiled, type: yes_no, standard: Smile, allow_na: true}
  - id: pay
    title: Paying
    weight: 2
    items:
      - {id: receipt, text: Receipt offered, type: yes_no, standard: Offer a receipt, allow_na: true, critical: true}
"""


@pytest.fixture
def company(db):
    return make_company(db)


def make_company(db):
    """North: N1 (staff informed, two employees), N2; South: S1; S2 never audited."""
    save_checklist(db, spec.load(CHECKLIST, "yaml"))
    ids = {
        "N1": store.create_branch(db, "N1", "Northgate", "North", staff_informed=True),
        "N2": store.create_branch(db, "N2", "Newtown", "North"),
        "S1": store.create_branch(db, "S1", "Southend", "South"),
        "S2": store.create_branch(db, "S2", "Seaside", "South"),
    }
    ids["ann"] = store.create_employee(db, ids["N1"], "Ann Lee")
    ids["bob"] = store.create_employee(db, ids["N1"], "Bob Ray")
    auditor = store.get_user(db, store.create_user(db, "shopper@example.com", "auditor", "password-1"))
    reviewer = store.get_user(db, store.create_user(db, "qa@example.com", "reviewer", "password-1"))
    ids["auditor"], ids["reviewer"] = auditor, reviewer
    return ids


def publish(db, company, branch, visited_at, hello, smile, receipt, employee=None, status="published"):
    """A published audit of the mini checklist; answers are 'yes', 'no' or 'na'."""
    answer = {"yes": {"value": "yes"}, "no": {"value": "no"}, "na": {"na": True}}
    document = {
        "checklist_id": "mini",
        "checklist_version": 1,
        "branch_id": company[branch],
        "visited_at": visited_at,
        "revision": 1,
        "answers": {"hello": answer[hello], "smile": answer[smile], "receipt": answer[receipt]},
        "employees": {"greet": company[employee]} if employee else {},
    }
    audit_id = str(uuid.uuid4())
    audits_store.save_audit(db, audit_id, load_document(document), company["auditor"])
    audits_store.submit_audit(db, audit_id, company["auditor"])
    if status == "published":
        review.approve(db, audit_id, company["reviewer"])
    return audit_id
