"""Bytes over the wire for the visit page with everything it loads, gzip-compressed as a proxy
would send them, against the page's HTML alone; any request to another host is counted too."""

import gzip
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

from audits import store as audits_store
from bench.common import Row, live_server, temporary_app
from checklists.cli import LIBRARY, checklist_files, import_files
from db import connect
from org import store
from org.seed import DEMO_PASSWORD, seed_org


def run() -> list[Row]:
    with temporary_app() as app:
        db = connect(app.config["DATABASE"])
        seed_org(db)
        import_files(db, checklist_files(LIBRARY))
        auditor = store.user_by_email(db, "auditor@demo.visitscore.app")
        audits_store.create_assignment(db, 1, "restaurant-visit", auditor["user_id"], "", "2026-12-01", "", 1)
        audit_id = db.execute("select audit_id from assignments").fetchone()[0]
        db.conn.close()
        with live_server(app) as base, sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--disable-background-networking", "--disable-component-update"],
            )
            page = browser.new_context(**p.devices["Pixel 5"]).new_page()
            page.goto(base + "/login")
            page.get_by_label("Email").fill(auditor["email"])
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(base + "/")
            responses = []
            page.on("response", lambda response: responses.append(response))
            page.goto(f"{base}/audits/{audit_id}/form")
            page.wait_for_load_state("networkidle")
            host = urlsplit(base).netloc
            total = html = 0
            foreign = 0
            for response in responses:
                if urlsplit(response.url).netloc != host:
                    foreign += 1
                    continue
                try:
                    body = response.body()
                except Exception:  # a redirect or a response without a body
                    continue
                size = len(gzip.compress(body, 6)) + 300  # about 300 bytes of headers each
                total += size
                if response.url.endswith("/form"):
                    html = size
            browser.close()
    return [
        Row(f"visit page + {len(responses)} requests (gzip KB)", total / 1024, html / 1024, "KB", "≤ 60 KB"),
        Row("requests to other hosts", foreign, 1, "", "0"),
    ]
