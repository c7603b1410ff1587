"""The auditor's phone in real Chromium: a whole visit, offline in the middle, exactly once."""

import json
import time

from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import page_width_overflow, small_tap_targets
from tests.conftest import PASSWORD


def log_in(page, base):
    page.goto(base + "/login")
    page.get_by_label("Email").fill("auditor@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").tap()
    page.wait_for_url(base + "/")


def section(page, title):
    page.locator(".section-map").get_by_role("link", name=title).tap()


def wait_sent(page):
    page.locator("#sync-status[data-pending='0']").wait_for()


def until(check, seconds=15):
    """Poll the database until check() is true: the page sends in the background."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the server never got it"
        time.sleep(0.05)


def has_answer(live_db, item_id, answer):
    rows = live_db.execute("select document from audits").fetchall()
    return bool(rows) and json.loads(rows[0][0])["answers"].get(item_id) == answer


def stored(live_db, audit_id):
    rows = live_db.execute("select document, status from audits").fetchall()
    assert len(rows) == 1
    return json.loads(rows[0][0]), rows[0][1]


def photo_file(tmp_path):
    path = tmp_path / "shelf.jpg"
    Image.new("RGB", (3200, 2400), (20, 120, 200)).save(path, "JPEG")
    return path


def test_a_whole_visit_from_login_to_submit(live_app, visit, live_db, page, tmp_path):
    base = live_app.config["LIVE_URL"]
    log_in(page, base)
    page.get_by_role("link", name="Covent Garden").tap()
    page.wait_for_url(f"**/audits/{visit['audit_id']}/form")
    page.get_by_label("Employee who served you").select_option(label="Ana Pérez")
    page.get_by_role("radio", name="Yes").first.tap()
    page.get_by_label("Minutes before an employee was free").fill("3.5")
    page.locator("#item-friendliness").get_by_role("radio", name="4").tap()
    page.get_by_role("radio", name="Not offered").tap()
    why = page.locator("#item-why-not")
    expect(why).to_be_visible()
    why.get_by_role("textbox").fill("We have no cards today")
    page.get_by_role("radio", name="Offered unprompted").tap()
    expect(why).to_be_hidden()  # show_if reacts at once
    page.get_by_role("radio", name="Not offered").tap()
    expect(why).to_be_visible()
    page.locator("#item-friendliness").get_by_label("Comment").fill("smiled")
    page.get_by_role("button", name="Next").first.tap()
    page.locator("#in-shelf-photo").set_input_files(str(photo_file(tmp_path)))
    page.locator("[data-pending-for='shelf-photo'] img").wait_for()
    page.locator("#item-clean").get_by_role("radio", name="N/A").tap()
    section(page, "Submit")
    until(lambda: has_answer(live_db, "clean", {"na": True}))
    expect(page.locator("#score-box")).to_contain_text("65.0%")
    assert page_width_overflow(page) == 0
    page.get_by_role("button", name="Submit audit").tap()
    page.wait_for_url(f"{base}/audits/{visit['audit_id']}")
    assert "65.0%" in page.locator(".big-score").inner_text()
    document, status = stored(live_db, visit["audit_id"])
    assert status == "submitted"
    answers = document["answers"]
    assert answers["greeted-30s"] == {"value": "yes"}
    assert answers["wait-minutes"] == {"value": 3.5}
    assert answers["friendliness"] == {"value": 4, "comment": "smiled"}
    assert answers["offer"] == {"value": "Not offered"}
    assert answers["why-not"] == {"value": "We have no cards today"}
    assert answers["clean"] == {"na": True}
    [photo_id] = answers["shelf-photo"]["value"]
    width, height = live_db.execute(
        "select width, height from photos where photo_id = ?", [photo_id]
    ).fetchone()
    assert max(width, height) <= 1600
    assert document["employees"] == {"greeting": visit["ana"]}
    assert document["started_at"] <= document["ended_at"]


def test_offline_in_the_middle_loses_nothing_and_sends_once(live_app, visit, live_db, page, context):
    base = live_app.config["LIVE_URL"]
    log_in(page, base)
    page.goto(f"{base}/audits/{visit['audit_id']}/form")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.get_by_role("radio", name="Yes").first.tap()
    until(lambda: has_answer(live_db, "greeted-30s", {"value": "yes"}))

    context.set_offline(True)
    page.get_by_label("Minutes before an employee was free").fill("7")
    page.locator("#item-friendliness").get_by_role("radio", name="2").tap()
    page.wait_for_function("() => Number(document.getElementById('sync-status').dataset.pending) >= 2")
    expect(page.locator("#sync-status")).to_contain_text("waiting to be sent (offline)")
    page.reload()  # served by the service worker; the answers come back from IndexedDB
    expect(page.get_by_label("Minutes before an employee was free")).to_have_value("7")
    expect(page.locator("#item-friendliness").get_by_role("radio", name="2")).to_be_checked()
    page.get_by_role("radio", name="Only when asked").tap()
    assert stored(live_db, visit["audit_id"])[0]["answers"] == {"greeted-30s": {"value": "yes"}}

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    until(lambda: has_answer(live_db, "offer", {"value": "Only when asked"}))
    wait_sent(page)
    document, status = stored(live_db, visit["audit_id"])
    assert status == "draft"
    assert document["answers"] == {
        "greeted-30s": {"value": "yes"},
        "wait-minutes": {"value": 7},
        "friendliness": {"value": 2},
        "offer": {"value": "Only when asked"},
    }
    revision = document["revision"]

    # The outbox replayed twice more duplicates nothing and changes nothing.
    page.evaluate(
        """async (auditId) => {
            const outbox = await import('/static/outbox.js');
            const form = document.getElementById('visit-form');
            const args = {userId: Number(form.dataset.userId), csrf: form.querySelector('[name=csrf_token]').value,
                          apiBase: '/api/v1/audits'};
            for (let i = 0; i < 2; i++) {
                const record = await outbox.getAudit(auditId);
                record.acked_revision = 0;
                await outbox.putAudit(record);
                await outbox.replay(args);
            }
        }""",
        visit["audit_id"],
    )
    document, _status = stored(live_db, visit["audit_id"])
    assert document["revision"] == revision
    assert live_db.execute("select count(*) from audits").fetchone()[0] == 1


def test_an_expired_session_holds_the_outbox_until_login(live_app, visit, live_db, page, context):
    base = live_app.config["LIVE_URL"]
    log_in(page, base)
    page.goto(f"{base}/audits/{visit['audit_id']}/form")
    page.get_by_role("radio", name="Yes").first.tap()
    until(lambda: has_answer(live_db, "greeted-30s", {"value": "yes"}))
    context.clear_cookies()
    page.get_by_label("Minutes before an employee was free").fill("2")
    page.locator("#sync-status[data-state='login']").wait_for()
    assert "Log in again" in page.locator("#sync-status").inner_text()
    page.locator("#sync-status").get_by_role("link", name="Log in again").tap()
    page.get_by_label("Email").fill("auditor@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").tap()
    page.wait_for_url(f"**/audits/{visit['audit_id']}/form")
    until(lambda: has_answer(live_db, "wait-minutes", {"value": 2}))


def test_the_visit_form_fits_a_320px_phone(live_app, visit, browser):
    context = browser.new_context(viewport={"width": 320, "height": 640}, has_touch=True, is_mobile=True)
    page = context.new_page()
    base = live_app.config["LIVE_URL"]
    log_in(page, base)
    assert page_width_overflow(page) == 0
    page.goto(f"{base}/audits/{visit['audit_id']}/form")
    for title in ("Greeting", "Shop floor", "Submit"):
        section(page, title)
        assert page_width_overflow(page) == 0, title
        assert small_tap_targets(page) == [], title
    page.screenshot(path=str(live_app.config["DATABASE"]) + "-visit.png", full_page=True)
    context.close()


def test_the_discreet_timer_fills_the_waiting_time(live_app, visit, live_db, page):
    base = live_app.config["LIVE_URL"]
    log_in(page, base)
    page.goto(f"{base}/audits/{visit['audit_id']}/form")
    timer = page.locator("#item-wait-minutes").get_by_role("button", name="Time it")
    timer.tap()
    running = page.locator("#item-wait-minutes").get_by_role("button", name="Stop timing")
    # A visible name, and nothing that reads as a stopwatch from across the room (no ticking digits).
    assert running.inner_text() == "Stop timing"
    page.wait_for_timeout(700)
    running.tap()
    expect(page.get_by_label("Minutes before an employee was free")).to_have_value("0")
    until(lambda: has_answer(live_db, "wait-minutes", {"value": 0}))


def test_log_out_asks_before_leaving_unsent_work(live_app, visit, live_db, page, context):
    base = live_app.config["LIVE_URL"]
    log_in(page, base)
    page.goto(f"{base}/audits/{visit['audit_id']}/form")
    context.set_offline(True)
    page.get_by_role("radio", name="Yes").first.tap()
    page.wait_for_function("() => Number(document.getElementById('sync-status').dataset.pending) > 0")
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Log out").tap()
    page.wait_for_timeout(300)
    assert "have not reached the server yet" in messages[0]
    assert page.url.endswith("/form")  # still logged in: nothing was thrown away
    kept = page.evaluate(
        "async (id) => (await (await import('/static/outbox.js')).getAudit(id)).doc.answers",
        visit["audit_id"],
    )
    assert kept["greeted-30s"] == {"value": "yes"}


def test_the_network_cut_during_replay_and_the_tab_closed_loses_nothing(
    live_app, visit, live_db, page, context
):
    base = live_app.config["LIVE_URL"]
    log_in(page, base)
    page.goto(f"{base}/audits/{visit['audit_id']}/form")
    page.get_by_role("radio", name="Yes").first.tap()
    until(lambda: has_answer(live_db, "greeted-30s", {"value": "yes"}))
    context.set_offline(True)
    page.get_by_label("Minutes before an employee was free").fill("4")
    page.locator("#item-friendliness").get_by_role("radio", name="5").tap()
    page.wait_for_function("() => Number(document.getElementById('sync-status').dataset.pending) >= 2")
    cut = []
    context.route(
        "**/api/v1/audits/**",
        lambda route: (cut.append(route.request.method), route.abort("connectionreset")),
    )
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    for _ in range(200):  # Playwright runs route handlers while the page is waited on
        if cut:
            break
        page.wait_for_timeout(50)
    assert cut and cut[0] == "PUT"  # the replay started and the connection dropped under it
    page.wait_for_function("() => document.getElementById('sync-status').dataset.state === 'offline'")
    page.close()  # the tab is closed half-way
    context.unroute("**/api/v1/audits/**")
    again = context.new_page()
    again.goto(f"{base}/audits/{visit['audit_id']}/form")
    until(lambda: has_answer(live_db, "friendliness", {"value": 5}))
    document, _status = stored(live_db, visit["audit_id"])
    assert document["answers"] == {
        "greeted-30s": {"value": "yes"},
        "wait-minutes": {"value": 4},
        "friendliness": {"value": 5},
    }
