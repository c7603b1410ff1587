from tests.conftest import csrf_token


def post_form(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def test_admin_adds_a_branch_through_the_form(client, actions, db):
    actions.login_as("admin")
    response = post_form(
        client,
        "/branches/new",
        {"code": "EDI-9", "name": "Leith", "region": "Scotland", "address": "1 Shore", "active": "y"},
    )
    assert response.status_code == 302
    row = db.execute("select code, name, address, active, staff_informed from branches").fetchone()
    assert row == ("EDI-9", "Leith", "1 Shore", 1, 0)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Leith" in page and "Scotland" in page


def test_duplicate_branch_code_is_a_form_error(client, actions, db):
    actions.branch("LDN-01")
    actions.login_as("admin")
    response = post_form(client, "/branches/new", {"code": "LDN-01", "name": "Twin", "region": "London"})
    assert response.status_code == 200
    assert "already used" in response.get_data(as_text=True)
    assert db["branches"].count == 1


def test_missing_fields_are_shown_inline(client, actions, db):
    actions.login_as("admin")
    page = post_form(client, "/branches/new", {"code": "", "name": "", "region": ""}).get_data(as_text=True)
    assert page.count("This field is required.") == 3
    assert db["branches"].count == 0


def test_admin_edits_a_branch_and_moves_it_to_another_region(client, actions, db):
    branch_id = actions.branch()
    actions.login_as("admin")
    response = post_form(
        client,
        f"/branches/{branch_id}/edit",
        {"code": "LDN-01", "name": "Covent Garden", "region": "West End", "staff_informed": "y"},
    )
    assert response.status_code == 302
    row = db.execute(
        "select r.name, b.active, b.staff_informed from branches b join regions r using (region_id)"
    ).fetchone()
    assert row == ("West End", 0, 1)


def test_admin_adds_and_edits_employees(client, actions, db):
    branch_id = actions.branch()
    actions.login_as("admin")
    response = client.post(
        f"/branches/{branch_id}/employees",
        data={"name": "Grace Hall", "csrf_token": csrf_token(client, f"/branches/{branch_id}")},
    )
    assert response.status_code == 302
    employee_id = db.execute("select employee_id from employees").fetchone()[0]
    response = post_form(client, f"/employees/{employee_id}/edit", {"name": "Grace Hall-Jones"})
    assert response.status_code == 302
    assert db["employees"].get(employee_id)["name"] == "Grace Hall-Jones"
    assert db["employees"].get(employee_id)["active"] == 0


def test_an_employee_without_a_name_is_refused_on_the_branch_page(client, actions, db):
    branch_id = actions.branch()
    actions.login_as("admin")
    response = client.post(
        f"/branches/{branch_id}/employees",
        data={"name": "", "csrf_token": csrf_token(client, f"/branches/{branch_id}")},
        follow_redirects=True,
    )
    assert response.request.path == f"/branches/{branch_id}"
    assert "No employee was added: This field is required." in response.get_data(as_text=True)
    assert db["employees"].count == 0


def test_admin_manages_regions(client, actions, db):
    actions.login_as("admin")
    assert post_form(client, "/regions", {"name": "Wales"}).status_code == 302
    page = post_form(client, "/regions", {"name": "Wales"}).get_data(as_text=True)
    assert "already exists" in page
    region_id = db.execute("select region_id from regions").fetchone()[0]
    assert post_form(client, f"/regions/{region_id}/edit", {"name": "Cymru"}).status_code == 302
    assert db.execute("select name from regions").fetchall() == [("Cymru",)]


def test_admin_creates_a_manager_with_branches(client, actions, db):
    own = actions.branch("OWN", "Own")
    actions.branch("OTH", "Other")
    actions.login_as("admin")
    response = client.post(
        "/users/new",
        data={
            "email": "Mia@Example.com",
            "name": "Mia",
            "role": "manager",
            "password": "long enough",
            "active": "y",
            "branches": [str(own)],
            "csrf_token": csrf_token(client, "/users/new"),
        },
    )
    assert response.status_code == 302
    user = db.execute("select user_id, email, role from users where email = 'mia@example.com'").fetchone()
    assert user[1:] == ("mia@example.com", "manager")
    assert db.execute("select branch_id from manager_branches").fetchall() == [(own,)]


def test_a_new_user_without_a_password_is_invited_and_emails_are_unique(client, actions, db):
    actions.login_as("admin")
    form = {"email": "a@example.com", "role": "auditor", "active": "y"}
    assert post_form(client, "/users/new", form).status_code == 302
    invitation = db.execute("select recipient, subject from mail_queue").fetchall()
    assert invitation == [("a@example.com", "You are invited to Visitscore")]
    form["email"] = "admin@example.com"
    form["password"] = "long enough"
    assert "already exists" in post_form(client, "/users/new", form).get_data(as_text=True)
    assert db["users"].count == 2


def test_admin_changes_a_role_and_resets_a_password(client, actions, db):
    auditor = actions.user("auditor")
    actions.login_as("admin")
    response = post_form(
        client,
        f"/users/{auditor['user_id']}/edit",
        {"name": "Now reviewer", "role": "reviewer", "active": "y", "password": "new password 1"},
    )
    assert response.status_code == 302
    assert db["users"].get(auditor["user_id"])["role"] == "reviewer"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    form = {"email": "auditor@example.com", "password": "new password 1", "csrf_token": csrf_token(client)}
    assert client.post("/login", data=form).status_code == 302


def test_admin_cannot_lock_themself_out(client, actions, db):
    admin = actions.login_as("admin")
    page = post_form(client, f"/users/{admin['user_id']}/edit", {"role": "auditor", "active": "y"})
    assert "cannot remove your own admin access" in page.get_data(as_text=True)
    assert db["users"].get(admin["user_id"])["role"] == "admin"


def test_manager_sees_own_branches_only(client, actions):
    own = actions.branch("OWN", "Own branch")
    other = actions.branch("OTH", "Other branch")
    actions.login_as("manager", branches=[own])
    page = client.get("/branches").get_data(as_text=True)
    assert "Own branch" in page and "Other branch" not in page
    assert client.get(f"/branches/{own}").status_code == 200
    assert client.get(f"/branches/{other}").status_code == 404


def test_branch_search_and_region_filter(client, actions, db):
    actions.branch("A1", "Alpha", "North")
    actions.branch("B1", "Beta", "South")
    actions.login_as("reviewer")
    page = client.get("/branches?q=alp").get_data(as_text=True)
    assert "Alpha" in page and "Beta" not in page
    south = db.execute("select region_id from regions where name = 'South'").fetchone()[0]
    page = client.get(f"/branches?region={south}").get_data(as_text=True)
    assert "Beta" in page and "Alpha" not in page


def test_user_text_is_escaped(client, actions):
    branch_id = actions.branch("X1", "<script>alert(1)</script>")
    actions.login_as("admin")
    page = client.get(f"/branches/{branch_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_missing_page_is_a_friendly_404(client, actions):
    actions.login_as("admin")
    response = client.get("/branches/4242")
    assert response.status_code == 404
    assert "Branch 4242 does not exist." in response.get_data(as_text=True)


def test_admin_sets_the_company_branding(client, actions, db):
    import io

    from PIL import Image

    actions.login_as("admin")
    logo = io.BytesIO()
    Image.new("RGB", (1200, 300), (200, 0, 0)).save(logo, "PNG")
    response = client.post(
        "/settings",
        data={
            "company": "Harbour & Co",
            "colour": "#123456",
            "logo": (io.BytesIO(logo.getvalue()), "logo.png"),
            "csrf_token": csrf_token(client, "/settings"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    from org import settings

    brand = settings.branding(db, {"company": "x", "colour": "#000000"})
    assert brand["company"] == "Harbour & Co" and brand["colour"] == "#123456" and brand["logo"]
    assert Image.open(io.BytesIO(client.get("/settings/logo.png").data)).size == (600, 150)
    bad = post_form(client, "/settings", {"company": "X", "colour": "red"})
    assert "hex code" in bad.get_data(as_text=True)
