"""The four roles and what each may see, as plain data."""

ADMIN, REVIEWER, AUDITOR, MANAGER = "admin", "reviewer", "auditor", "manager"
ROLES = (ADMIN, REVIEWER, AUDITOR, MANAGER)
ROLE_LABELS = {
    ADMIN: "Head office (admin)",
    REVIEWER: "Reviewer (QA)",
    AUDITOR: "Auditor",
    MANAGER: "Branch manager",
}
# Roles that see every branch; a manager sees only the branches assigned to them.
ALL_BRANCHES = frozenset({ADMIN, REVIEWER, AUDITOR})
