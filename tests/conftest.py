import re

import pytest

from app import create_app
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
