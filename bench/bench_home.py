"""The home page against a bare endpoint on the same server."""

import http.client
import re
from urllib.parse import urlsplit

from bench.common import Row, live_server, median_seconds, temporary_app
from db import connect
from org.seed import DEMO_PASSWORD, seed_org


def _login_cookie(conn: http.client.HTTPConnection, email: str) -> str:
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*? value="([^"]+)"', page).group(1)
    body = f"email={email}&password={DEMO_PASSWORD}&csrf_token={token}"
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    conn.request("POST", "/login", body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    assert response.status == 302, response.status
    return response.getheader("Set-Cookie").split(";")[0]


def run() -> list[Row]:
    with temporary_app() as app:
        database = connect(app.config["DATABASE"])
        seed_org(database)
        database.conn.close()
        app.add_url_rule("/__bare", "bare", lambda: "ok")
        rows = []
        with live_server(app) as base:
            conn = http.client.HTTPConnection(urlsplit(base).netloc)

            def get(path: str, cookie: str = "") -> None:
                conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
                response = conn.getresponse()
                response.read()
                assert response.status == 200, (path, response.status)

            bare = median_seconds(lambda: get("/__bare"), 300)
            for role in ("auditor", "manager", "admin"):
                cookie = _login_cookie(conn, f"{role}@demo.visitscore.app")
                home = median_seconds(lambda cookie=cookie: get("/", cookie), 300)
                rows.append(
                    Row(f"home page ({role}) vs bare endpoint", home * 1000, bare * 1000, "ms", "≤ 5×")
                )
        return rows
