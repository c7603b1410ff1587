from tests.browser.conftest import page_width_overflow, small_tap_targets
from tests.conftest import PASSWORD


def test_auditor_logs_in_on_a_phone_and_sees_their_home(live_app, people, page):
    people.user("auditor")
    base = live_app.config["LIVE_URL"]
    page.goto(base + "/")
    assert page.url.startswith(base + "/login")
    assert page_width_overflow(page) == 0
    page.get_by_label("Email").fill("auditor@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").tap()
    page.wait_for_url(base + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "My visits"
    assert page_width_overflow(page) == 0
    assert small_tap_targets(page) == []
    page.screenshot(path=str(live_app.config["DATABASE"]) + ".png")


def test_admin_pages_fit_a_320px_screen(live_app, people, browser):
    for code, name in (
        ("LDN-01", "Covent Garden with a very long branch name indeed"),
        ("MAN-02", "Manchester"),
    ):
        people.branch(code, name)
    people.user("admin")
    context = browser.new_context(viewport={"width": 320, "height": 640}, has_touch=True, is_mobile=True)
    page = context.new_page()
    base = live_app.config["LIVE_URL"]
    page.goto(base + "/login")
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").tap()
    page.wait_for_url(base + "/")
    for path in ("/", "/branches", "/branches/new", "/users", "/users/new", "/regions"):
        page.goto(base + path)
        assert page_width_overflow(page) == 0, path
        assert small_tap_targets(page) == [], path
    context.close()


def test_wrong_password_shows_the_message_at_the_field(live_app, people, page):
    people.user("auditor")
    base = live_app.config["LIVE_URL"]
    page.goto(base + "/login")
    page.get_by_label("Email").fill("auditor@example.com")
    page.get_by_label("Password").fill("not it")
    page.get_by_role("button", name="Log in").tap()
    assert page.get_by_role("alert").inner_text() == "Email or password is wrong."
