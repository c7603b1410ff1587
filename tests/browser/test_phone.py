"""The auditor's phone, field-ready: the outbox replayed from every page, the unsent count, an
honest submit offline, the returned reason, progress, small screens, tap targets, photo removal,
the installable app and per-user offline pages (real Chromium at phone viewports)."""

import io
import json

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import page_width_overflow
from tests.browser.test_visit import has_answer, log_in, photo_file, section, until
from tests.conftest import PASSWORD

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
SMALL = {"viewport": {"width": 320, "height": 640}, "has_touch": True, "is_mobile": True}


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    yield context
    context.close()


def wait_kept(page, path):
    """Wait until the service worker keeps `path` for offline use (in the logged-in user's cache)."""
    page.wait_for_function(
        """async (path) => {
            for (const name of await caches.keys()) {
                if (name.startsWith('visitscore-pages-') && await (await caches.open(name)).match(path)) return true;
            }
            return false;
        }""",
        arg=path,
    )


def status_of(live_db) -> str | None:
    row = live_db.execute("select status from audits").fetchone()
    return row[0] if row else None


def count(page) -> int:
    return int(page.locator("[data-outbox-count]").inner_text())


def answer_all(page):
    page.get_by_role("radio", name="Yes").first.tap()
    page.get_by_label("Minutes before an employee was free").fill("3")
    page.locator("#item-friendliness").get_by_role("radio", name="4").tap()
    page.get_by_role("radio", name="Offered unprompted").tap()
    section(page, "Shop floor")
    page.locator("#item-clean").get_by_role("radio", name="N/A").tap()


def test_submitted_offline_goes_out_from_the_home_page_when_the_signal_comes_back(
    live_app, visit, live_db, phone
):
    base = live_app.config["LIVE_URL"]
    form = f"/audits/{visit['audit_id']}/form"
    page = phone.new_page()
    log_in(page, base)
    wait_kept(page, form)
    wait_kept(page, "/")
    page.goto(base + form)
    phone.set_offline(True)
    answer_all(page)
    section(page, "Submit")
    page.get_by_role("button", name="Submit audit").tap()
    expect(page.locator("#sync-status")).to_contain_text("will be submitted when you are online")
    waiting = count(page)
    assert waiting > 0

    page.goto(base + "/")  # still offline: the start page comes from the service worker
    expect(page.get_by_role("heading", name="My visits")).to_be_visible()
    expect(page.locator(f"[data-visit-state='{visit['audit_id']}']").first).to_have_text(
        "Submitted, waiting for signal"
    )
    assert count(page) >= waiting  # N changes wait (the submit among them), shown on the home page too
    assert status_of(live_db) in (None, "draft")

    phone.set_offline(False)  # signal again, on the home page: nobody reopens the visit
    until(lambda: status_of(live_db) == "submitted", seconds=60)
    expect(page.locator("[data-outbox-count]")).to_have_text("0", timeout=30000)
    expect(page.locator(".outbox")).to_be_hidden()
    document = json.loads(live_db.execute("select document from audits").fetchone()[0])
    assert document["answers"]["clean"] == {"na": True}
    assert document["answers"]["friendliness"] == {"value": 4}


def test_submit_offline_names_what_is_missing_at_once_in_checklist_order(live_app, visit, live_db, phone):
    base = live_app.config["LIVE_URL"]
    form = f"/audits/{visit['audit_id']}/form"
    page = phone.new_page()
    log_in(page, base)
    wait_kept(page, form)
    page.goto(base + form)
    phone.set_offline(True)
    page.get_by_role("radio", name="No").first.tap()  # a failed item that needs a comment
    page.get_by_label("Minutes before an employee was free").fill("3")
    section(page, "Submit")
    page.get_by_role("button", name="Submit audit").tap()
    expect(page.locator("#submit-problems")).to_contain_text("Not submitted yet")
    links = page.locator("#submit-problems li a")
    expected = [
        "Greeted within 30 seconds of entering",
        "How friendly was the greeting?",
        "Was a loyalty card offered?",
        "Floor clean",
    ]
    expect(links).to_have_text(expected)
    expect(page.locator("#submit-problems")).to_contain_text("A failed answer needs a comment.")
    expect(page.locator("#score-box")).to_contain_text("2 of 5 items answered")
    assert page.get_by_text("Still to answer").count() == 1  # one list, not two
    assert (
        page.evaluate(
            "async (id) => (await (await import('/static/outbox.js')).getAudit(id)).submit_pending",
            visit["audit_id"],
        )
        is False
    )

    phone.set_offline(False)  # the server, asked to submit the same document, names the same items
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.locator("#sync-status[data-pending='0']").wait_for()
    refusal = page.evaluate(
        """async (id) => (await fetch(`/api/v1/audits/${id}/submit`, {method: 'POST', headers: {
            'X-CSRFToken': document.querySelector('meta[name=csrf-token]').content, Accept: 'application/json'}})).json()""",
        visit["audit_id"],
    )
    on_phone = page.locator("#submit-problems li a").evaluate_all("links => links.map(a => a.hash.slice(6))")
    assert sorted({path.split(".")[1] for path in refusal["fields"]}) == sorted(on_phone)
    phone.set_offline(True)

    page.reload()  # offline, from the service worker: the links still work
    section(page, "Submit")
    page.locator("#submit-problems").get_by_role("link", name="Floor clean").tap()
    expect(page.locator("#item-clean")).to_be_visible()
    expect(page.locator("[data-section-link='shop']")).to_have_attribute("aria-current", "step")
    assert page.evaluate("document.activeElement.closest('#item-clean') !== null")


def test_a_refusal_after_an_offline_submit_shows_on_the_visit_and_the_home_page(
    live_app, visit, live_db, people, phone
):
    base = live_app.config["LIVE_URL"]
    form = f"/audits/{visit['audit_id']}/form"
    page = phone.new_page()
    log_in(page, base)
    page.goto(base + form)
    page.get_by_label("Employee who served you").select_option(label="Ana Pérez")
    until(lambda: live_db.execute("select count(*) from audits").fetchone()[0] == 1)
    phone.set_offline(True)
    answer_all(page)
    section(page, "Submit")
    page.get_by_role("button", name="Submit audit").tap()
    expect(page.locator("#sync-status")).to_contain_text("will be submitted when you are online")
    other = people.branch("LDN-02", "Canary Wharf")
    live_db.execute("update employees set branch_id = ? where employee_id = ?", [other, visit["ana"]])
    live_db.conn.commit()

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#submit-problems")).to_contain_text("The server did not accept this audit")
    expect(page.locator("#submit-problems")).to_contain_text("does not work at this branch")
    expect(page.locator("#sync-status")).to_contain_text("Not submitted")
    page.goto(base + "/")
    expect(page.locator(f"[data-visit-state='{visit['audit_id']}']").first).to_contain_text("Not submitted")
    assert status_of(live_db) == "draft"


def test_the_reviewers_reason_stays_at_the_top_until_resubmitted(live_app, visit, live_db, people, phone):
    base = live_app.config["LIVE_URL"]
    form = f"/audits/{visit['audit_id']}/form"
    page = phone.new_page()
    log_in(page, base)
    page.goto(base + form)
    answer_all(page)
    section(page, "Submit")
    page.get_by_role("button", name="Submit audit").tap()
    page.wait_for_url(f"{base}/audits/{visit['audit_id']}")
    assert status_of(live_db) == "submitted"
    response = people.client.post(
        f"/api/v1/audits/{visit['audit_id']}/return",
        json={"reason": "Say which employee greeted you."},
        headers=people.token("reviewer"),
    )
    assert response.status_code == 200, response.get_data(as_text=True)

    page.goto(base + form)
    reason = page.locator("#returned-reason")
    expect(reason).to_contain_text("Say which employee greeted you.")
    section(page, "Greeting")
    page.get_by_label("Minutes before an employee was free").fill("2")
    page.locator("#sync-status[data-pending='0']").wait_for()
    expect(reason).to_contain_text("Say which employee greeted you.")  # the sync line is elsewhere
    assert reason.bounding_box()["y"] < page.locator("#visit-form").bounding_box()["y"]


def test_progress_is_answered_of_total_and_the_score_says_what_it_is(live_app, visit, live_db, phone):
    base = live_app.config["LIVE_URL"]
    page = phone.new_page()
    log_in(page, base)
    page.goto(f"{base}/audits/{visit['audit_id']}/form")
    page.get_by_role("radio", name="Yes").first.tap()
    until(lambda: has_answer(live_db, "greeted-30s", {"value": "yes"}))
    section(page, "Submit")
    box = page.locator("#score-box")
    expect(box).to_contain_text("1 of 5 items answered")
    expect(box).to_contain_text("Score of the 1 answered item: 100.0%")
    section(page, "Greeting")
    answer_all(page)
    until(lambda: has_answer(live_db, "clean", {"na": True}))
    section(page, "Submit")
    expect(box).to_contain_text("5 of 5 items answered")
    expect(box).to_contain_text("Score: 85.0%")


def test_photos_can_be_removed_and_retaken_online_and_offline(live_app, visit, live_db, phone, tmp_path):
    base = live_app.config["LIVE_URL"]
    page = phone.new_page()
    log_in(page, base)
    page.goto(f"{base}/audits/{visit['audit_id']}/form")
    section(page, "Shop floor")
    shot = photo_file(tmp_path)
    page.locator("#in-shelf-photo").set_input_files(str(shot))
    until(lambda: live_db.execute("select count(*) from photos").fetchone()[0] == 1)
    [first] = [r[0] for r in live_db.execute("select photo_id from photos")]
    until(lambda: has_answer(live_db, "shelf-photo", {"value": [first]}))

    page.get_by_role("button", name="Remove photo 1").tap()
    until(
        lambda: (
            "shelf-photo"
            not in json.loads(live_db.execute("select document from audits").fetchone()[0])["answers"]
        )
    )

    phone.set_offline(True)
    page.locator("#in-shelf-photo").set_input_files(str(shot))
    page.get_by_role("button", name="Remove photo 1").tap()  # a mistake taken offline never leaves
    page.locator("#in-shelf-photo").set_input_files(str(shot))
    expect(page.locator("[data-pending-for='shelf-photo'] img")).to_have_count(1)
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    until(lambda: live_db.execute("select count(*) from photos").fetchone()[0] == 2)
    [retaken] = [r[0] for r in live_db.execute("select photo_id from photos where photo_id != ?", [first])]
    until(lambda: has_answer(live_db, "shelf-photo", {"value": [retaken]}))
    page.wait_for_timeout(500)
    assert live_db.execute("select count(*) from photos").fetchone()[0] == 2


@pytest.mark.parametrize("size", [PHONE, SMALL], ids=["390x844", "320x640"])
def test_no_sideways_scroll_and_a_header_of_at_most_a_quarter_screen(live_app, visit, people, browser, size):
    people.user("admin")
    base = live_app.config["LIVE_URL"]
    context = browser.new_context(**size)
    page = context.new_page()
    height = size["viewport"]["height"]
    page.goto(base + "/login")
    assert page_width_overflow(page) == 0
    log_in(page, base)
    pages = ["/", f"/audits/{visit['audit_id']}/form"]
    for path in pages:
        page.goto(base + path)
        assert page_width_overflow(page) == 0, path
        assert page.locator("header.top").bounding_box()["height"] <= height / 4, path
    for title in ("Greeting", "Shop floor", "Submit"):
        section(page, title)
        assert page_width_overflow(page) == 0, title
    field = page.get_by_label("Time of the visit").bounding_box()
    assert field["x"] >= 0 and field["x"] + field["width"] <= size["viewport"]["width"]
    page.get_by_role("button", name="Log out").tap()
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").tap()
    page.wait_for_url(base + "/")
    for path in ("/", "/reports"):
        page.goto(base + path)
        assert page.locator("header.top").bounding_box()["height"] <= height / 4, path
    context.close()


def test_installable_and_the_start_page_opens_offline_after_one_online_visit(live_app, visit, phone):
    base = live_app.config["LIVE_URL"]
    page = phone.new_page()
    page.goto(base + "/login")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = page.request.get(base + href).json()
    assert manifest["name"] == "Visitscore" and manifest["short_name"]
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#0b5d54"
    pngs = {
        (i["sizes"], i.get("purpose", "any")): i["src"] for i in manifest["icons"] if i["type"] == "image/png"
    }
    assert set(pngs) == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for (sizes, _purpose), src in pngs.items():
        body = page.request.get(base + src).body()
        with Image.open(io.BytesIO(body)) as icon:
            assert icon.format == "PNG" and f"{icon.width}x{icon.height}" == sizes
    log_in(page, base)
    for path in ("/", f"/audits/{visit['audit_id']}/form"):
        page.goto(base + path)
        assert page.locator("link[rel=manifest]").count() == 1, path
    wait_kept(page, "/")
    cdp = phone.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Chrome would offer to install: nothing stands against it but the test browser's incognito context.
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []

    phone.set_offline(True)
    again = phone.new_page()
    again.goto(base + "/")
    expect(again.get_by_role("heading", name="My visits")).to_be_visible()
    expect(again.get_by_role("link", name="Covent Garden")).to_be_visible()
    expect(again.locator("[data-outbox-count]")).to_have_text("0")


def log_out(page, accept=True):
    page.once("dialog", lambda dialog: dialog.accept() if accept else dialog.dismiss())
    page.get_by_role("button", name="Log out").tap()
    page.wait_for_url("**/login")


def expire_session(phone, page, base):
    """The session expires: the next page online is the login page. (A response still under way, say
    the service worker keeping a page, may set the cookie again: then it is cleared again.)"""
    for _attempt in range(5):
        phone.clear_cookies()
        page.goto(base + "/")
        if "/login" in page.url:
            return
    raise AssertionError("the session never ended")


def test_a_shared_phone_never_shows_the_previous_users_pages_and_keeps_their_unsent_work(
    live_app, visit, live_db, people, phone
):
    base = live_app.config["LIVE_URL"]
    other = people.user("auditor", "second@example.com")
    page = phone.new_page()
    log_in(page, base)
    wait_kept(page, "/")
    log_out(page)
    phone.set_offline(True)
    page.goto(base + "/")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    phone.set_offline(False)

    log_in(page, base)  # the session then expires: the next page online is the login page
    wait_kept(page, f"/audits/{visit['audit_id']}/form")
    expire_session(phone, page, base)
    phone.set_offline(True)
    page.goto(base + "/")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    phone.set_offline(False)

    log_in(page, base)  # unsent work, then a log-out, then someone else on the same phone
    page.goto(f"{base}/audits/{visit['audit_id']}/form")
    phone.set_offline(True)
    page.get_by_role("radio", name="Yes").first.tap()
    page.wait_for_function("() => Number(document.getElementById('sync-status').dataset.pending) > 0")
    phone.route("**/api/v1/**", lambda route: route.abort())  # no signal for the API while leaving
    phone.set_offline(False)
    log_out(page, accept=True)
    phone.unroute("**/api/v1/**")
    page.get_by_label("Email").fill("second@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").tap()
    page.wait_for_url(base + "/")
    expect(page.locator("#others-outbox")).to_contain_text("of another auditor")
    expect(page.locator("[data-outbox-count]")).to_have_text("0")
    wait_kept(page, "/")
    phone.set_offline(True)
    page.goto(base + "/")
    expect(page.locator("meta[name=visitscore-user]")).to_have_attribute("content", str(other["user_id"]))
    kept = page.evaluate(
        "async (id) => (await (await import('/static/outbox.js')).getAudit(id)).doc.answers",
        visit["audit_id"],
    )
    assert kept["greeted-30s"] == {"value": "yes"}
    assert not has_answer(live_db, "greeted-30s", {"value": "yes"})


TAP_TARGET_PROBLEMS = """() => {
  const seen = (el) => { const box = el.getBoundingClientRect(); return el.offsetParent !== null && box.right > 0 && box.bottom > 0; };
  const problems = [];
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    if (!seen(el)) continue;
    // A hidden native control is tapped through its label (the radio buttons, N/A, the camera).
    const hiddenControl = el.matches('input') && (getComputedStyle(el).opacity === '0' || el.getBoundingClientRect().width <= 1);
    const target = hiddenControl ? (el.closest('label') || document.querySelector(`label[for="${el.id}"]`) || el) : el;
    const box = target.getBoundingClientRect();
    const inline = el.tagName === 'A' && getComputedStyle(el).display === 'inline';
    if (box.height < 44 || (!inline && box.width < 44)) problems.push(`${Math.round(box.width)}x${Math.round(box.height)} ${el.outerHTML.slice(0, 70)}`);
    if (el.matches('a, button, summary')) {
      const name = (el.getAttribute('aria-label') || el.innerText || '').trim();
      if (!/[A-Za-z0-9]/.test(name)) problems.push(`no name: ${el.outerHTML.slice(0, 70)}`);
    }
  }
  return problems;
}"""


@pytest.mark.parametrize("size", [PHONE, SMALL], ids=["390x844", "320x640"])
def test_every_control_is_at_least_44px_and_named(live_app, visit, live_db, browser, size, tmp_path):
    base = live_app.config["LIVE_URL"]
    context = browser.new_context(**size)
    page = context.new_page()
    page.goto(base + "/login")
    assert page.evaluate(TAP_TARGET_PROBLEMS) == []
    log_in(page, base)
    page.goto(f"{base}/audits/{visit['audit_id']}/form")
    page.get_by_role("radio", name="No").first.tap()  # a failure: the comment is asked for
    page.get_by_label("Minutes before an employee was free").fill("9")
    for title in ("Greeting", "Shop floor", "Submit"):
        section(page, title)
        if title == "Shop floor":
            page.locator("#in-shelf-photo").set_input_files(str(photo_file(tmp_path)))
            page.get_by_role("button", name="Remove photo 1").wait_for()
        if title == "Submit":
            page.get_by_role("button", name="Submit audit").tap()
            page.locator("#submit-problems li a").first.wait_for()
        assert page.evaluate(TAP_TARGET_PROBLEMS) == [], title
    page.goto(base + "/")
    assert page.evaluate(TAP_TARGET_PROBLEMS) == []
    context.close()


CONTRAST_PROBLEMS = """() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const problems = [];
  for (const el of document.querySelectorAll('main *')) {
    const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('').trim();
    if (!text || el.offsetParent === null) continue;
    const style = getComputedStyle(el);
    const [a, b] = [lum(rgb(style.color)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) problems.push(`${ratio.toFixed(2)} ${el.outerHTML.slice(0, 60)}`);
  }
  return problems;
}"""


def test_the_dashboard_text_has_enough_colour_contrast(live_app, company, live_db, people, phone):
    from tests.conftest import publish

    for branch, answers in (("N1", "yes no yes"), ("N2", "no no yes"), ("S1", "yes yes yes")):
        publish(live_db, company, branch, "2026-10-05T10:00:00+01:00", *answers.split())
    people.user("admin")
    base = live_app.config["LIVE_URL"]
    page = phone.new_page()
    page.goto(base + "/login")
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").tap()
    page.wait_for_url(base + "/")
    page.goto(base + "/reports?period=2026-10")
    expect(page.locator(".legend")).to_be_visible()
    assert page.evaluate(CONTRAST_PROBLEMS) == []


def test_with_the_session_expired_the_unsent_count_leads_to_the_login(live_app, visit, live_db, phone):
    base = live_app.config["LIVE_URL"]
    form = f"/audits/{visit['audit_id']}/form"
    page = phone.new_page()
    log_in(page, base)
    page.goto(base + form)
    phone.clear_cookies()
    page.get_by_role("radio", name="Yes").first.tap()
    page.locator("#sync-status[data-state='login']").wait_for()
    expect(page.locator("[data-outbox-count]")).not_to_have_text("0")
    page.locator("a.outbox").tap()
    page.get_by_label("Email").fill("auditor@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").tap()
    page.wait_for_url(base + form)
    until(lambda: has_answer(live_db, "greeted-30s", {"value": "yes"}))
