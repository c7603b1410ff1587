"""The dashboard on a phone (no sideways scroll of the page, the branch column stays in view) and on
a laptop (the heat map fits)."""

import pytest

from org.seed import DEMO_PASSWORD
from tests.browser.conftest import page_width_overflow
from tests.conftest import PASSWORD


@pytest.fixture
def demo(live_app):
    result = live_app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return live_app.config["LIVE_URL"]


def open_dashboard(browser, base, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=width < 500)
    page = context.new_page()
    page.goto(base + "/login")
    page.get_by_label("Email").fill("admin@demo.visitscore.app")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")
    page.goto(base + "/reports?checklist=store-visit")
    return context, page


def test_the_dashboard_reads_on_a_390px_phone(demo, browser):
    context, page = open_dashboard(browser, demo, 390, 844)
    assert page_width_overflow(page) == 0
    wrap = page.locator(".table-wrap").first
    branch = page.locator("table.league tbody th[scope=row]").first
    score = page.locator("table.league tbody tr").first.locator("td.strong")
    assert branch.bounding_box()["width"] < 200
    assert score.bounding_box()["x"] + score.bounding_box()["width"] <= 390  # the score is in view
    wrap.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    # The table scrolled to its last column; the branch column stayed at the left edge.
    assert wrap.evaluate("el => el.scrollLeft") > 0
    assert abs(branch.bounding_box()["x"] - wrap.bounding_box()["x"]) <= 2
    assert page_width_overflow(page) == 0
    context.close()


def test_the_heat_map_fits_a_1366px_laptop(demo, browser):
    context, page = open_dashboard(browser, demo, 1366, 768)
    heat = page.locator("table.heat")
    assert heat.locator("tbody tr").count() >= 2 and heat.locator("thead th").count() == 7  # six sections
    assert heat.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")
    assert page_width_overflow(page) == 0
    context.close()


def test_a_form_with_errors_puts_the_cursor_on_the_first_field_to_mend(live_app, people, browser):
    people.user("admin")
    base = live_app.config["LIVE_URL"]
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    page.goto(base + "/login")
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")
    page.goto(base + "/users/new")
    page.get_by_label("Email").fill("mia@example.com")
    page.get_by_role("button", name="Save user").click()
    page.wait_for_load_state()
    focused = page.evaluate(
        "[document.activeElement.id, document.activeElement.getAttribute('aria-describedby')]"
    )
    assert focused == ["role", "role-error-1"]
    assert page.get_by_label("Email").input_value() == "mia@example.com"
    assert page.locator("#role-error-1").inner_text() == "Choose what this person does."
    context.close()
