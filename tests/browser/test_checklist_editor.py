import json

from checklists import spec, store
from tests.browser.conftest import page_width_overflow
from tests.conftest import PASSWORD, VALID


def log_in(page, base, email):
    page.goto(base + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")


def test_admin_builds_a_checklist_without_yaml(live_app, people, live_db, page):
    people.user("admin")
    base = live_app.config["LIVE_URL"]
    log_in(page, base, "admin@example.com")
    page.goto(base + "/checklists/new")
    page.get_by_label("Title", exact=True).first.fill("Phone call")
    page.get_by_label("Id", exact=True).first.fill("phone-call")
    section = page.locator(".section-card").first
    section.get_by_label("Title").fill("Answering")
    item = page.locator(".item-card").first
    item.get_by_label("What the auditor checks").fill("Answered within three rings")
    item.get_by_label("Standard it checks").fill("Telephone standard 1.1")
    assert item.locator(".preview").inner_text().count("Yes") == 1

    # A second item, of type choice, with a broken weight: the error appears at the field.
    section.get_by_role("button", name="Add item").click()
    second = page.locator(".item-card").nth(1)
    second.get_by_label("What the auditor checks").fill("Company named")
    second.get_by_label("Answer type").select_option("choice")
    second.get_by_label("Points").fill("-3")
    error = second.locator(".field-error")
    error.wait_for()
    assert "positive" in error.inner_text()
    assert "problem(s) to fix" in page.locator("#editor-status").inner_text()
    assert "Yes, fully" in second.locator(".preview").inner_text()
    second.get_by_label("Points").fill("2")
    page.locator("#editor-status", has_text="No problems found.").wait_for()
    assert page_width_overflow(page) == 0

    page.get_by_role("button", name="Save checklist").click()
    page.wait_for_url(base + "/checklists/phone-call?version=1")
    stored = store.get_version(live_db, "phone-call")
    items = stored["spec"]["sections"][0]["items"]
    assert [i["text"] for i in items] == ["Answered within three rings", "Company named"]
    assert items[0]["standard"] == "Telephone standard 1.1"
    assert items[1]["type"] == "choice" and items[1]["weight"] == 2
    assert [o["score"] for o in items[1]["options"]] == [1, 0.5, 0]


def test_editing_makes_a_new_version_and_keeps_the_old(live_app, people, live_db, page):
    people.user("admin")
    store.save_checklist(live_db, spec.load(VALID, "yaml"))
    base = live_app.config["LIVE_URL"]
    log_in(page, base, "admin@example.com")
    page.goto(base + "/checklists/store-visit/edit")
    first = page.locator(".item-card").first
    assert (
        first.get_by_label("What the auditor checks").input_value() == "Greeted within 30 seconds of entering"
    )
    first.get_by_label("What the auditor checks").fill("Greeted within 20 seconds of entering")
    page.locator("#editor-status", has_text="No problems found.").wait_for()
    page.get_by_role("button", name="Save checklist").click()
    page.wait_for_url(base + "/checklists/store-visit?version=2")
    assert store.get_version(live_db, "store-visit", 1)["spec"] == spec.load(VALID, "yaml")
    new = store.get_version(live_db, "store-visit", 2)["spec"]
    assert new["sections"][0]["items"][0]["text"] == "Greeted within 20 seconds of entering"
    # Everything not touched survives the round trip through the editor.
    assert json.dumps(new["sections"][0]["items"][1:]) == json.dumps(
        spec.load(VALID, "yaml")["sections"][0]["items"][1:]
    )


def long_checklist() -> str:
    """The DESIGN example with a second section of eight more items."""
    extra = "".join(f"      - {{id: extra-{n}, text: Extra check {n}, type: yes_no}}\n" for n in range(1, 9))
    return VALID + "  - id: more\n    title: More checks\n    items:\n" + extra


def test_a_long_checklist_folds_and_items_move_by_drag_or_keyboard(live_app, people, live_db, page):
    people.user("admin")
    store.save_checklist(live_db, spec.load(long_checklist(), "yaml"))
    base = live_app.config["LIVE_URL"]
    log_in(page, base, "admin@example.com")
    page.goto(base + "/checklists/store-visit/edit")
    # Thirteen items: they open folded, each showing its number and text.
    cards = page.locator(".item-card")
    assert cards.count() == 13
    assert not cards.first.get_by_label("What the auditor checks").is_visible()
    assert cards.nth(5).locator("summary").inner_text().startswith("⠿ 1. Extra check 1")
    folded_height = page.evaluate("document.documentElement.scrollHeight")
    page.get_by_role("button", name="Unfold all").click()
    assert cards.first.get_by_label("What the auditor checks").is_visible()
    assert page.evaluate("document.documentElement.scrollHeight") > 3 * folded_height
    page.get_by_role("button", name="Fold all items").click()
    # A whole section folds away too.
    more = page.locator(".section-card").nth(1)
    more.locator("summary").first.click()
    assert not more.locator(".item-card").first.is_visible()
    more.locator("summary").first.click()

    # Drag "Extra check 3" onto "Extra check 1": it moves to the top of its section.
    more.locator(".item-card").nth(2).locator("summary").drag_to(
        more.locator(".item-card").nth(0).locator("summary")
    )
    titles = more.locator(".item-card > details > summary")
    assert titles.nth(0).inner_text().startswith("⠿ 1. Extra check 3")
    # The keyboard does the same with Move down.
    more.locator(".item-card").nth(0).locator("summary").focus()
    page.keyboard.press("Enter")  # unfold it
    more.locator(".item-card").nth(0).get_by_role("button", name="Move down").focus()
    page.keyboard.press("Enter")
    assert titles.nth(1).inner_text().startswith("⠿ 2. Extra check 3")
    page.locator("#editor-status", has_text="No problems found.").wait_for()
    page.get_by_role("button", name="Save checklist").click()
    page.wait_for_url(base + "/checklists/store-visit?version=2")
    saved = store.get_version(live_db, "store-visit", 2)["spec"]["sections"][1]["items"]
    assert [i["id"] for i in saved[:3]] == ["extra-1", "extra-3", "extra-2"]
