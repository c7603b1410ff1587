"""schemathesis against /api/v1/openapi.json: generated requests never cause a 5xx, and every
response matches the documented schema. Bounded so that it fits in CI."""

import tempfile

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app
from checklists import spec
from checklists.cli import LIBRARY
from checklists.store import save_checklist
from db import connect
from org import store


def fuzz_app(folder: str):
    app = create_app({"DATABASE": f"{folder}/fuzz.db", "SECRET_KEY": "fuzz"})
    db = connect(app.config["DATABASE"])
    if not db["users"].count:
        save_checklist(db, spec.load((LIBRARY / "store-visit.yaml").read_text(), "yaml"))
        branch_id = store.create_branch(db, "F1", "Fuzz", "North", staff_informed=True)
        store.create_employee(db, branch_id, "Fay Zed")
        app.config["FUZZ_TOKEN"] = store.create_token(
            db, store.create_user(db, "fuzz@example.com", "admin", "password-1")
        )
    db.conn.close()
    return app


APP = fuzz_app(tempfile.mkdtemp(prefix="visitscore-fuzz-"))
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_holds_up_against_generated_requests(case):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {APP.config['FUZZ_TOKEN']}"}
    # No 5xx, and every answer is documented and matches its schema. (Requests that fit the schema but
    # name things that do not exist are rightly refused with 4xx, so "positive data" is not required.)
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ]
    )
