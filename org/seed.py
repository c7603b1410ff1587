"""A believable demo company: regions, branches, employees and one user per role."""

from sqlite_utils import Database

from db import transaction
from org import store

DEMO_PASSWORD = "visitscore-demo"
DEMO_USERS = (
    ("admin@demo.visitscore.app", "admin", "Helen Marsh"),
    ("reviewer@demo.visitscore.app", "reviewer", "Omar Farouk"),
    ("auditor@demo.visitscore.app", "auditor", "Priya Nair"),
    ("manager@demo.visitscore.app", "manager", "Tom Baxter"),
)
MANAGER_BRANCHES = ("LDN-01", "LDN-02")

# (code, name, region, address, staff informed)
BRANCHES = (
    ("LDN-01", "Covent Garden", "London", "14 Long Acre, London WC2E 9LH", True),
    ("LDN-02", "Canary Wharf", "London", "Cabot Place, London E14 4QT", True),
    ("LDN-03", "Richmond", "London", "22 George Street, Richmond TW9 1HY", False),
    ("LDN-04", "Stratford", "London", "Westfield, Stratford E20 1EJ", True),
    ("MID-01", "Birmingham Bullring", "Midlands", "Bullring, Birmingham B5 4BU", True),
    ("MID-02", "Nottingham", "Midlands", "31 Clumber Street, Nottingham NG1 3GA", True),
    ("MID-03", "Leicester", "Midlands", "Highcross, Leicester LE1 4FQ", False),
    ("MID-04", "Coventry", "Midlands", "8 Hertford Street, Coventry CV1 1LF", True),
    ("NTH-01", "Manchester Arndale", "North", "Arndale Centre, Manchester M4 3AQ", True),
    ("NTH-02", "Leeds Trinity", "North", "Trinity Leeds, Albion Street, Leeds LS1 5AT", True),
    ("NTH-03", "Liverpool One", "North", "5 Paradise Street, Liverpool L1 3EU", True),
    ("NTH-04", "Newcastle", "North", "Eldon Square, Newcastle NE1 7XY", False),
    ("SCO-01", "Edinburgh Princes Street", "Scotland", "90 Princes Street, Edinburgh EH2 2ER", True),
    ("SCO-02", "Glasgow Buchanan", "Scotland", "220 Buchanan Street, Glasgow G1 2GF", True),
    ("SCO-03", "Aberdeen", "Scotland", "Union Square, Aberdeen AB11 5RG", True),
    ("SCO-04", "Dundee", "Scotland", "Overgate, Dundee DD1 1UQ", False),
)

FIRST_NAMES = (
    "Amelia Oliver Isla George Ava Harry Mia Noah Grace Jack Freya Leo Sophie Arthur Chloe Oscar "
    "Aisha Mohammed Zara Ravi Emily James Lucy Daniel Hannah Ethan Ruby Samuel Ella Joseph Layla "
    "Adam Niamh Callum Eilidh Fraser Megan Kyle Bethan Rhys Olivia Lewis Katie Ryan Holly Liam"
).split()
LAST_NAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Wright Robinson Thompson Evans "
    "Walker White Roberts Green Hall Wood Jackson Clarke Khan Murray Campbell Stewart Hughes Edwards "
    "Singh Morrison Reid Kelly Begum Watson Shaw Lloyd Ali Price Fraser Bennett Chapman"
).split()


def demo_employee_names(branch_index: int, count: int) -> list[str]:
    """Distinct, stable names for a branch's staff."""
    return [
        f"{FIRST_NAMES[(branch_index * 7 + i * 3) % len(FIRST_NAMES)]} "
        f"{LAST_NAMES[(branch_index * 5 + i * 11) % len(LAST_NAMES)]}"
        for i in range(count)
    ]


def seed_org(db: Database) -> dict[str, int]:
    """Create what is missing of the demo company; return what was added."""
    added = {"branches": 0, "employees": 0, "users": 0}
    with transaction(db):
        for index, (code, name, region, address, informed) in enumerate(BRANCHES):
            if store.branch_id_by_code(db, code) is not None:
                continue
            branch_id = store.create_branch(db, code, name, region, address, True, informed)
            added["branches"] += 1
            for employee in demo_employee_names(index, 3 + index % 3):
                store.create_employee(db, branch_id, employee)
                added["employees"] += 1
        manager_branches = [store.branch_id_by_code(db, code) for code in MANAGER_BRANCHES]
        for email, role, name in DEMO_USERS:
            if store.user_by_email(db, email) is None:
                branches = manager_branches if role == "manager" else []
                store.create_user(db, email, role, DEMO_PASSWORD, name, branches)
                added["users"] += 1
    return added
