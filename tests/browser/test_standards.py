"""Standards in Chromium: the quiz on an employee's phone (390 px), a quiz drafted from the
standards and completed in the browser, and the checklist editor offering and checking codes."""

from standards import store
from tests.browser.conftest import page_width_overflow, small_tap_targets
from tests.browser.test_checklist_editor import log_in
from tests.standards.conftest import QUIZ, STANDARDS


def catalogue(db):
    for entry in STANDARDS:
        store.create_standard(db, entry)


def test_an_employee_takes_a_quiz_on_a_phone(live_app, live_db, page):
    from org import store as org_store

    catalogue(live_db)
    store.save_quiz(live_db, {**QUIZ}, create=True)
    branch = org_store.create_branch(live_db, "X", "Xenia", "North", staff_informed=True)
    employee = org_store.create_employee(live_db, branch, "Xena Ward")
    token, _ = store.create_invitation(live_db, "basics", employee, None)
    url = f"{live_app.config['LIVE_URL']}/quiz/{token}"

    page.goto(url)
    assert page.viewport_size["width"] == 390
    page.get_by_text("Hello Xena Ward").wait_for()
    assert page_width_overflow(page) == 0
    assert small_tap_targets(page) == []
    # Tap the answers' labels as a thumb would; leave q3 out first.
    page.get_by_label("At once", exact=True).click()
    page.get_by_label("Needs", exact=True).click()
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_text("Answer every question").wait_for()
    assert page.get_by_label("At once").is_checked(), "answers survive a refused post"
    assert live_db["quiz_results"].count == 0
    page.get_by_label("Hat", exact=True).click()
    page.get_by_role("button", name="Send my answers").click()
    page.locator("[data-quiz-result]").wait_for()
    assert page.locator("[data-quiz-result]").inner_text() == "2 of 3 correct"
    assert "Badge" in page.content(), "the right answer is shown after the quiz"
    assert page_width_overflow(page) == 0

    result = next(live_db["quiz_results"].rows)
    assert (result["correct"], result["questions"], result["passed"]) == (2, 3, 0)
    assert {a["question_id"]: a["correct"] for a in live_db["quiz_answers"].rows} == {
        "q1": 1,
        "q2": 1,
        "q3": 0,
    }

    response = page.goto(url)
    assert response.status == 410
    assert "already been used" in page.content()


def test_admin_drafts_a_quiz_from_the_standards_and_completes_it(live_app, people, live_db, page):
    people.user("admin")
    catalogue(live_db)
    base = live_app.config["LIVE_URL"]
    log_in(page, base, "admin@example.com")
    page.goto(base + "/quizzes")
    page.get_by_label("Draft a quiz from the standards of").select_option("Greeting")
    page.get_by_role("button", name="Draft").click()
    page.wait_for_url(base + "/quizzes/new?category=Greeting")
    question = page.locator(".quiz-question").first
    assert page.locator(".quiz-question").count() == 1, "one question per standard of the category"
    assert "Greet and say goodbye" in question.get_by_label("Question", exact=True).input_value()
    assert question.get_by_label("Option 1").input_value() == "Greet every customer."
    assert question.get_by_label("Standard", exact=True).input_value() == "S1"
    page.get_by_label("Id", exact=True).fill("greeting")

    # Saved with the wrong options still blank: refused, with the reason at the question.
    page.get_by_role("button", name="Save quiz").click()
    page.locator(".quiz-question .error").first.wait_for()
    assert "2 to 8 options" in page.locator(".quiz-question .error").first.inner_text()
    assert live_db["quizzes"].count == 0

    question = page.locator(".quiz-question").first
    question.get_by_label("Option 2").fill("Only regular customers.")
    question.get_by_label("Option 3").fill("When they ask for help.")
    page.get_by_role("button", name="Add a question").click()
    second = page.locator(".quiz-question").nth(1)
    second.get_by_label("Question", exact=True).fill("What do you wear?")
    second.get_by_label("Question id").fill("badge")
    second.get_by_label("Standard", exact=True).select_option("S3")
    second.get_by_label("Option 1").fill("A hat")
    second.get_by_label("Option 2").fill("The name badge")
    second.locator('input[name="q1-correct"][value="1"]').check()
    assert page_width_overflow(page) == 0
    page.get_by_role("button", name="Save quiz").click()
    page.wait_for_url(base + "/quizzes/greeting")

    quiz = store.get_quiz(live_db, "greeting")
    assert quiz["title"] == "Greeting quiz"
    assert [(q["id"], q["standard"], q["options"], q["correct"]) for q in quiz["questions"]] == [
        ("s1", "S1", ["Greet every customer.", "Only regular customers.", "When they ask for help."], 0),
        ("badge", "S3", ["A hat", "The name badge"], 1),
    ]


def test_the_checklist_editor_offers_codes_and_warns_on_unknown_ones(live_app, people, live_db, page):
    people.user("admin")
    catalogue(live_db)
    base = live_app.config["LIVE_URL"]
    log_in(page, base, "admin@example.com")
    page.goto(base + "/checklists/new")
    assert page.locator("#standard-codes option").count() == 3
    item = page.locator(".item-card").first
    standard = item.get_by_label("Standard it checks")
    assert standard.get_attribute("list") == "standard-codes"
    standard.fill("S9")
    assert "No standard has the code S9" in item.locator(".standard-note").inner_text()
    standard.fill("S1")
    assert item.locator(".standard-note").inner_text() == "✓ S1: Greet and say goodbye"
    standard.fill("Greet everyone nicely")
    assert "Free text" in item.locator(".standard-note").inner_text()
