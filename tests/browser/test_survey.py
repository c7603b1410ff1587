"""The customer survey on a 390 px phone: no account, small, thanks the customer."""

from surveys import store
from tests.browser.conftest import page_width_overflow, small_tap_targets


def test_a_customer_answers_on_a_phone(live_app, live_db, people, page):
    branch_id = people.branch("LDN-01", "Covent Garden")
    token = store.survey_token(live_db, branch_id)
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(f"{live_app.config['LIVE_URL']}/survey/{token}")
    page.wait_for_load_state("networkidle")
    assert page.viewport_size["width"] == 390
    loaded = sum(len(r.body()) for r in responses if r.status == 200)
    assert loaded < 20_000, loaded
    assert page_width_overflow(page) == 0
    assert small_tap_targets(page) == []
    assert not page.locator("#website").is_visible()  # the honeypot is not for people
    page.get_by_role("radio", name="9", exact=True).tap()
    assert page.get_by_role("radio", name="9", exact=True).is_checked()
    page.get_by_label("Anything you would like to tell us?").fill("Friendly & quick")
    page.get_by_role("button", name="Send").tap()
    page.get_by_role("heading", name="Thank you!").wait_for()
    assert "Covent Garden" in page.content()
    rows = list(live_db.query("select score, comment from survey_responses"))
    assert rows == [{"score": 9, "comment": "Friendly & quick"}]
    page.screenshot(path=str(live_app.config["DATABASE"]) + "-survey.png")


def test_without_a_score_the_page_says_so(live_app, live_db, people, page):
    branch_id = people.branch("LDN-01", "Covent Garden")
    page.goto(f"{live_app.config['LIVE_URL']}/survey/{store.survey_token(live_db, branch_id)}")
    # The browser asks for a score itself (required); without that check the server answers 422.
    page.evaluate("document.querySelector('form').noValidate = true")
    page.get_by_role("button", name="Send").tap()
    page.get_by_role("alert").wait_for()
    assert "Choose a score from 0 to 10." in page.get_by_role("alert").inner_text()
    assert live_db["survey_responses"].count == 0
