import threading

import pytest
from werkzeug.serving import make_server

from app import create_app
from audits import store as audits_store
from checklists import spec
from checklists.store import save_checklist
from db import connect
from org import store as org_store
from tests.conftest import VALID, Actions


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        # Without these Chromium keeps trying to reach Google, which this network refuses.
        "args": ["--disable-background-networking", "--disable-component-update", "--no-first-run"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, playwright):
    return {**browser_context_args, **playwright.devices["iPhone 13"]}


@pytest.fixture
def live_app(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "browser.db"), "SECRET_KEY": "browser-tests"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    thread.join()


@pytest.fixture
def live_db(live_app):
    database = connect(live_app.config["DATABASE"])
    yield database
    database.conn.close()


@pytest.fixture
def db(live_db):
    """The shared fixtures that build data (company, ...) build it in the live server's database."""
    return live_db


@pytest.fixture
def people(live_app, live_db):
    return Actions(live_app.test_client(), live_db)


EVERY_TYPE = VALID.replace("pass_mark: 80", "pass_mark: 60") + (
    "  - id: shop\n"
    "    title: Shop floor\n"
    "    items:\n"
    "      - {id: shelf-photo, text: Photo of the shelf, type: photo}\n"
    "      - {id: clean, text: Floor clean, type: yes_no, allow_na: true}\n"
)


@pytest.fixture
def visit(people, live_db):
    branch_id = people.branch("LDN-01", "Covent Garden", staff_informed=True)
    ana = org_store.create_employee(live_db, branch_id, "Ana Pérez")
    save_checklist(live_db, spec.load(EVERY_TYPE, "yaml"))
    auditor = people.user("auditor")
    audits_store.create_assignment(
        live_db, branch_id, "store-visit", auditor["user_id"], "", "2026-12-01", "", 1
    )
    audit_id = live_db.execute("select audit_id from assignments").fetchone()[0]
    return {"audit_id": audit_id, "ana": ana, "branch_id": branch_id}


def page_width_overflow(page) -> int:
    """How many CSS pixels the page is wider than the screen (0 means no horizontal scroll)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def small_tap_targets(page) -> list[str]:
    """Visible links, buttons and inputs smaller than 44 px in height (inline text links excepted)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('a, button, input:not([type=hidden]), select, textarea')]
            .filter(el => el.offsetParent !== null && !(el.tagName === 'A' && el.closest('p')))
            .filter(el => getComputedStyle(el).opacity !== '0' || el.getBoundingClientRect().height > 1)
            .filter(el => {
              const box = el.getBoundingClientRect();
              const small = el.type === 'checkbox' || el.type === 'radio'
                ? (el.closest('label, .check, li') || el).getBoundingClientRect().height < 44
                : box.height < 44;
              return small;
            })
            .map(el => el.outerHTML.slice(0, 80))"""
    )
