"""HTML pages of audits: the "audits" blueprint, whose routes are in programme_views (assigning and
planning visits), visit_views (the auditor's visit form) and review_views (the audit page, review,
appeals and action plans); and the audits' sections of the home page."""

from audits import pages, programme_views, review, review_views, store, visit_views
from audits.blueprint import bp
from audits.visit_views import recording_upload_limit
from org import store as org_store
from org.roles import ADMIN, AUDITOR, MANAGER, REVIEWER
from reports import store as reports_store

__all__ = ["HOME_SECTIONS", "bp", "recording_upload_limit", "scorecard_staff"]

# Importing these modules adds their routes to bp.
ROUTE_MODULES = (programme_views, visit_views, review_views)


# Home page parts


def _auditor_home(db, user) -> dict:
    visits = store.list_assignments(db, auditor_id=user["user_id"], open_only=True)
    return {
        "template": "audits/_home_auditor.html",
        "visits": visits,
        "today": pages.today(),
        "recent": store.list_audits_of_auditor(db, user["user_id"])[:10],
    }


def _office_home(db, user) -> dict:
    open_visits = store.list_assignments(db, open_only=True)
    today = pages.today()
    return {
        "template": "audits/_home_office.html",
        "overdue": [v for v in open_visits if v["due_by"] < today],
        "upcoming": [v for v in open_visits if v["due_by"] >= today][:10],
        "overdue_actions": review.actions_list(db, state="overdue", today=today),
    }


def _review_home(db, user) -> dict:
    return {
        "template": "audits/_home_review.html",
        "queue": review.review_queue(db),
        "appeals": review.appeals_list(db),
    }


def _manager_home(db, user) -> dict:
    branch_ids = set(org_store.manager_branch_ids(db, user["user_id"]))
    results = review.published_for_manager(db, user)
    return {
        "template": "audits/_home_manager.html",
        "new": [r for r in results if not r["acknowledged_at"]],
        "recent": [r for r in results if r["acknowledged_at"]][:20],
        "actions": review.actions_list(db, branch_ids=branch_ids, open_only=True),
        "appeals": review.appeals_list(db, branch_ids=branch_ids),
        "staff": scorecard_staff(db, org_store.list_branches(db, branch_ids)),
    }


def scorecard_staff(db, branches: list[dict]) -> list[dict]:
    """The employees of the informed branches among these, each with the period their scorecard
    opens on: the branch's newest month with a published audit (else this month)."""
    out = []
    for branch in branches:
        if not branch["staff_informed"]:
            continue  # staff not told they may be scored by name: no employee scorecards exist
        period = reports_store.latest_month(db, {branch["branch_id"]})
        for employee in org_store.list_employees(db, branch["branch_id"]):
            out.append({**employee, "branch": branch["name"], "period": period})
    return out


HOME_SECTIONS = {
    AUDITOR: [_auditor_home],
    REVIEWER: [_review_home, _office_home],
    ADMIN: [_review_home, _office_home],
    MANAGER: [_manager_home],
}
