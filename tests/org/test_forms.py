"""The form macro and the admin forms: typed values kept, plain messages by the field, safe defaults,
and never an attribute that says "None"."""

import re

import pytest

from tests.conftest import csrf_token


def post_form(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def assert_accessible_errors(page: str) -> None:
    """No attribute carries "None"; each invalid field names messages that exist on the page."""
    assert not re.search(r'="None"', page)
    invalid = re.findall(r'<(?:input|select|textarea)[^>]*aria-invalid="true"[^>]*>', page)
    for tag in invalid:
        described = re.search(r'aria-describedby="([^"]+)"', tag)
        assert described, tag
        for target in described.group(1).split():
            assert f'id="{target}"' in page, target


@pytest.mark.parametrize(
    "path", ["/login", "/users/new", "/branches/new", "/regions", "/assignments", "/settings", "/visits/new"]
)
def test_no_form_page_has_an_attribute_that_says_none(client, actions, path):
    if path != "/login":
        actions.login_as("admin")
    page = client.get(path).get_data(as_text=True)
    assert "<form" in page
    assert not re.search(r'="None"', page)


def test_a_wrong_login_points_the_password_field_at_its_message(client, actions):
    actions.user("auditor")
    response = client.post(
        "/login",
        data={"email": "auditor@example.com", "password": "wrong", "csrf_token": csrf_token(client)},
    )
    page = response.get_data(as_text=True)
    assert 'aria-describedby="password-error-1" aria-invalid="true"' in page
    assert '<p class="error" id="password-error-1" role="alert">Email or password is wrong.</p>' in page
    assert 'value="auditor@example.com"' in page
    assert_accessible_errors(page)


def test_the_new_user_form_chooses_no_role_and_keeps_what_was_typed(client, actions, db):
    actions.login_as("admin")
    page = client.get("/users/new").get_data(as_text=True)
    role = page[page.index('<select id="role"') : page.index("</select>", page.index('<select id="role"'))]
    assert '<option value="">Choose a role…</option>' in role and "selected" not in role
    assert "At least 8 characters." in page and "Leave empty to keep" not in page
    response = post_form(
        client, "/users/new", {"email": "mia@example.com", "name": "Mia", "password": "short"}
    )
    page = response.get_data(as_text=True)
    assert "Choose what this person does." in page and "Use at least 8 characters." in page
    assert 'value="mia@example.com"' in page and 'value="Mia"' in page
    assert_accessible_errors(page)
    assert db["users"].count == 1


def test_a_manager_needs_a_branch(client, actions, db):
    actions.branch()
    actions.login_as("admin")
    form = {"email": "mia@example.com", "role": "manager", "password": "long enough", "active": "y"}
    page = post_form(client, "/users/new", form).get_data(as_text=True)
    assert "A branch manager needs at least one branch." in page
    assert '<option selected value="manager">' in page
    assert_accessible_errors(page)
    assert db["users"].count == 1


def test_the_edit_form_says_an_empty_password_keeps_the_old_one(client, actions):
    auditor = actions.user("auditor")
    actions.login_as("admin")
    page = client.get(f"/users/{auditor['user_id']}/edit").get_data(as_text=True)
    assert "Leave empty to keep the current password." in page
    assert '<option selected value="auditor">' in page


def test_a_branch_form_with_errors_keeps_every_value(client, actions, db):
    actions.login_as("admin")
    response = post_form(
        client,
        "/branches/new",
        {"code": "bad code!", "name": "Leith", "region": "Scotland", "address": "1 Shore"},
    )
    page = response.get_data(as_text=True)
    assert "Use letters, digits" in page
    assert 'value="bad code!"' in page and 'value="Leith"' in page and "1 Shore</textarea>" in page
    assert_accessible_errors(page)
    assert db["branches"].count == 0
