import re
import textwrap
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

# The checklist example of DESIGN.md: every item type, N/A, a required comment and a show_if.
# Tests that need a valid checklist file start from it and .replace() what they vary.
VALID = textwrap.dedent(
    """\
    id: store-visit
    title: Store visit
    pass_mark: 80
    sections:
      - id: greeting
        title: Greeting
        about: employee
        items:
          - id: greeted-30s
            text: Greeted within 30 seconds of entering
            standard: Rules of interaction with the customer
            guidance: Start the stopwatch when the door closes behind you.
            type: yes_no
            weight: 2
            allow_na: true
            require: {comment_on_fail: true, photo_on_fail: false}
          - id: wait-minutes
            text: Minutes before an employee was free
            type: number
            unit: minutes
            bands: [{max: 2, score: 1}, {max: 5, score: 0.5}, {score: 0}]
          - id: friendliness
            text: How friendly was the greeting?
            type: scale
            min: 1
            max: 5
          - id: offer
            text: Was a loyalty card offered?
            type: choice
            options: [{label: Offered unprompted, score: 1}, {label: Only when asked, score: 0.5}, {label: Not offered, score: 0}]
          - id: why-not
            text: What did the employee say?
            type: text
            show_if: {item: offer, in: [Not offered]}
    """
)


@pytest.fixture
def app(tmp_path):
    # MAIL_SENDER off: tests send queued mail with deliver(), not from a background thread.
    app = create_app(
        {"TESTING": True, "DATABASE": str(tmp_path / "test.db"), "SECRET_KEY": "test", "MAIL_SENDER": False}
    )
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


def csrf_header(client, path: str = "/") -> dict:
    """The X-CSRFToken header our scripts send, read from the page's csrf-token meta tag."""
    html = client.get(path, follow_redirects=True).get_data(as_text=True)
    return {"X-CSRFToken": re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)}


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

    def login_as(self, role: str, email: str | None = None, branches=(), scripts: bool = True) -> dict:
        """Log in through the form. With scripts (as in a browser running the app's JavaScript),
        every later request carries the page's CSRF token as X-CSRFToken."""
        user = self.user(role, email, branches)
        response = self.client.post(
            "/login",
            data={"email": user["email"], "password": PASSWORD, "csrf_token": csrf_token(self.client)},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        if scripts:
            self.client.environ_base["HTTP_X_CSRFTOKEN"] = csrf_header(self.client)["X-CSRFToken"]
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
    return file_audit(db, company, document, status)


def file_audit(db, people, document: dict, status: str = "published") -> str:
    """A new audit of the document, saved and submitted by people["auditor"] and, unless status is
    "submitted", published by people["reviewer"]."""
    audit_id = str(uuid.uuid4())
    audits_store.save_audit(db, audit_id, load_document(document), people["auditor"])
    audits_store.submit_audit(db, audit_id, people["auditor"])
    if status == "published":
        review.approve(db, audit_id, people["reviewer"])
    return audit_id


class SmtpServer:
    """A real SMTP server on the loopback (aiosmtpd) that keeps what it receives; it can be stopped
    and started again on the same port, as a mail server that goes down."""

    def __init__(self):
        import socket

        with socket.socket() as probe:  # aiosmtpd cannot take port 0: pick a free port first
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.messages = []
        self.controller = None

    def start(self):
        from aiosmtpd.controller import Controller

        server = self

        class Handler:
            async def handle_DATA(self, _server, _session, envelope):
                import email
                from email import policy

                server.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp(app):
    server = SmtpServer()
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, BASE_URL="https://vs.example.com")
    yield server
    server.stop()


def deliver(app, db) -> int:
    """Send the queued mail now, as the app's sender thread would."""
    import mail

    with app.app_context():
        return mail.send_due(db, app.config)


def body(message, kind: str = "plain") -> str:
    return message.get_body((kind,)).get_content()
