"""The standards pages: the catalogue by category, add and edit as versions, quizzes and invitations."""

import re

from standards import store
from tests.conftest import csrf_token
from tests.standards.conftest import QUIZ, STANDARDS


def test_the_catalogue_is_grouped_by_category(client, actions, db):
    for entry in STANDARDS:
        store.create_standard(db, entry)
    actions.login_as("auditor")
    html = client.get("/standards").get_data(as_text=True)
    assert html.index("Greeting") < html.index("S1") < html.index("Needs") < html.index("S2")
    assert "New standard" not in html
    assert "S2" not in client.get("/standards?q=badge").get_data(as_text=True)


def test_an_admin_adds_and_edits_a_standard_in_the_browser(client, actions, db):
    actions.login_as("admin")
    form = {
        "csrf_token": csrf_token(client, "/standards/new"),
        "code": "GRE-1",
        "title": "Greet promptly",
        "category": "Greeting",
        "text": "Greet within 30 seconds.",
    }
    response = client.post("/standards/new", data=form)
    assert response.status_code == 302 and response.headers["Location"] == "/standards/GRE-1"
    again = client.post("/standards/new", data=form)
    assert again.status_code == 422 and "already used" in again.get_data(as_text=True)
    bad = client.post("/standards/new", data={**form, "code": "GRE 2"})
    assert bad.status_code == 422
    assert db["standards"].count == 1

    edit = {
        **form,
        "csrf_token": csrf_token(client, "/standards/GRE-1/edit"),
        "text": "Greet within 20 seconds.",
    }
    assert client.post("/standards/GRE-1/edit", data=edit).status_code == 302
    page = client.get("/standards/GRE-1").get_data(as_text=True)
    assert "Saved as version 2." in page
    assert "Greet within 20 seconds." in page and "Greet within 30 seconds." in page, (
        "old versions are listed"
    )
    assert client.post("/standards/GRE-1/edit", data=edit).status_code == 302
    assert "Nothing changed" in client.get("/standards/GRE-1").get_data(as_text=True)
    assert [v["version"] for v in store.list_versions(db, "GRE-1")] == [2, 1]


def test_a_manager_makes_a_quiz_link_for_their_staff(client, actions, db, shop):
    store.save_quiz(db, {**QUIZ}, create=True)
    actions.login_as("manager", branches=[shop["X"], shop["Z"]])
    page = client.get("/quizzes/basics").get_data(as_text=True)
    assert "Xena Ward" in page and "Yuri Hale" not in page, "only their informed branches' staff"
    assert "Zoe Quinn" not in page, "Z's staff are not informed"
    token = csrf_token(client, "/quizzes/basics")
    response = client.post(
        "/quizzes/basics/invitations", data={"csrf_token": token, "employee_id": shop["xena"]}
    )
    assert response.status_code == 302
    flashed = client.get("/quizzes/basics").get_data(as_text=True)
    link = re.search(r"http://localhost(/quiz/[A-Za-z0-9_-]{43})", flashed).group(1)
    assert client.get(link).status_code == 200
    refused = client.post(
        "/quizzes/basics/invitations", data={"csrf_token": token, "employee_id": shop["yuri"]}
    )
    assert refused.status_code == 302
    assert "Choose an employee" in client.get("/quizzes/basics").get_data(as_text=True)
    assert db["quiz_invitations"].count == 1


def test_the_quiz_list_and_results(client, actions, db, shop):
    store.save_quiz(db, {**QUIZ}, create=True)
    actions.login_as("reviewer")
    html = client.get("/quizzes").get_data(as_text=True)
    assert "Basics" in html and "3 questions" in html and "Draft" not in html
    assert "Nobody has taken this quiz yet" in client.get("/quizzes/basics").get_data(as_text=True)
