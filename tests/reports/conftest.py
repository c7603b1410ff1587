import uuid

import pytest

from audits import review, store
from audits.schemas import load_document
from checklists import spec
from checklists.store import save_checklist
from org import store as org_store

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
    """North: N1 (staff informed, two employees), N2; South: S1; S2 never audited."""
    save_checklist(db, spec.load(CHECKLIST, "yaml"))
    ids = {
        "N1": org_store.create_branch(db, "N1", "Northgate", "North", staff_informed=True),
        "N2": org_store.create_branch(db, "N2", "Newtown", "North"),
        "S1": org_store.create_branch(db, "S1", "Southend", "South"),
        "S2": org_store.create_branch(db, "S2", "Seaside", "South"),
    }
    ids["ann"] = org_store.create_employee(db, ids["N1"], "Ann Lee")
    ids["bob"] = org_store.create_employee(db, ids["N1"], "Bob Ray")
    auditor = org_store.get_user(
        db, org_store.create_user(db, "shopper@example.com", "auditor", "password-1")
    )
    reviewer = org_store.get_user(db, org_store.create_user(db, "qa@example.com", "reviewer", "password-1"))
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
    store.save_audit(db, audit_id, load_document(document), company["auditor"])
    store.submit_audit(db, audit_id, company["auditor"])
    if status == "published":
        review.approve(db, audit_id, company["reviewer"])
    return audit_id


@pytest.fixture
def october(db, company):
    """A small, hand-checked October 2026 (and one September audit)."""
    # N1: 100% and 50% (hello yes, smile no: 1 of 2 greet; receipt yes 2 of 2 -> 3/4 = 75%?)
    publish(db, company, "N1", "2026-10-03T10:00:00+01:00", "yes", "yes", "yes", "ann")  # 4/4 = 100
    publish(db, company, "N1", "2026-10-20T15:00:00+01:00", "yes", "no", "yes", "bob")  # 3/4 = 75
    # N2: an audit at 00:30 local time on 1 November counts in November, not October (23:30 UTC on 31 Oct)
    publish(db, company, "N2", "2026-11-01T00:30:00+01:00", "yes", "yes", "yes")
    publish(db, company, "N2", "2026-10-31T23:30:00+00:00", "no", "no", "yes")  # 2/4 = 50
    # S1: a critical failure (receipt no): 2/4 = 50 capped at 0
    publish(db, company, "S1", "2026-10-10T12:00:00+01:00", "yes", "yes", "no")
    # S1: an all-N/A audit: counts as an audit, not in the average
    publish(db, company, "S1", "2026-10-11T12:00:00+01:00", "na", "na", "na")
    # a submitted but unpublished audit never counts
    publish(db, company, "S1", "2026-10-12T12:00:00+01:00", "yes", "yes", "yes", status="submitted")
    # September, for the change
    publish(db, company, "N1", "2026-09-15T10:00:00+01:00", "yes", "no", "no", "ann")  # 1/4 = 25 capped 0
    return company
