"""create_app(): configuration, database, blueprints, CLI commands and error pages."""

import os
import secrets
from datetime import UTC, datetime, timedelta

import click
from flask import Flask, current_app, g, has_request_context, request
from flask.cli import with_appcontext
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

import db
import mail

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class StartupError(RuntimeError):
    """Visitscore cannot start as configured; the message says what to change."""


def _instance_secret_key(app: Flask) -> str:
    """The secret key kept in the instance folder, generated on first start."""
    path = os.path.join(app.instance_path, "secret_key")
    if not os.path.exists(path) and not os.access(app.instance_path, os.W_OK):
        raise StartupError(
            f"VISITSCORE_SECRET_KEY is not set and the instance folder {app.instance_path} is not writable, "
            "so no key can be generated and kept. Set VISITSCORE_SECRET_KEY or make the folder writable."
        )
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    with open(path) as f:
        return f.read().strip()


NAV_LINKS = (
    ("audits.start_visit", "New visit", ("auditor",)),
    ("reports.dashboard_page", "Compare", ("admin", "reviewer", "manager")),
    ("audits.review_queue", "Review", ("admin", "reviewer")),
    ("audits.assignments", "Visits", ("admin", "reviewer")),
    ("audits.actions_page", "Actions", ("admin", "reviewer", "manager")),
    ("checklists.index", "Checklists", ("admin", "reviewer")),
    ("org.branches", "Branches", ("admin", "reviewer", "manager")),
    ("standards.index", "Standards", ("admin", "reviewer", "manager")),
    ("org.regions", "Regions", ("admin",)),
    ("org.users", "Users", ("admin",)),
    ("org.import_page", "Import", ("admin",)),
    ("org.company_settings", "Settings", ("admin",)),
)


def _template_globals() -> dict:
    from org.roles import ROLE_LABELS

    return {"nav_links": NAV_LINKS, "role_labels": ROLE_LABELS}


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _csrf_rule() -> None:
    """Every unsafe request that a browser could send on its own carries the CSRF token.

    It runs for every blueprint, whatever csrf.exempt() says: the session cookie goes with any
    cross-site request, so HTML forms and the JSON API alike need X-CSRFToken (or the form field).
    Exempt: a request with an Authorization: Bearer header (a browser never adds one cross-site),
    and an API request that no session authenticates (it gets 401, or is a public endpoint).
    """
    if request.method not in UNSAFE_METHODS or g.get("via_token"):
        return
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        return
    if request.path.startswith("/api/") and g.get("user") is None:
        return
    csrf.protect()


class SessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, whose cookie is Secure whenever the request came over HTTPS.

    SESSION_COOKIE_SECURE (VISITSCORE_SESSION_COOKIE_SECURE) true or false forces it; left unset it
    follows request.is_secure, so a deployment served over HTTPS (directly, or behind a proxy with
    VISITSCORE_BEHIND_PROXY) never lets the cookie travel in clear, and a LAN http trial still works.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = app.config["SESSION_COOKIE_SECURE"]
        if configured is None:
            return has_request_context() and request.is_secure
        return bool(configured)


def _check_database(path: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise StartupError(
            f"The folder of the database {path} does not exist; create it or set VISITSCORE_DATABASE."
        )
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise StartupError(f"The database {path} is read-only; Visitscore needs to write to it.")
    if not os.path.exists(path) and not os.access(folder, os.W_OK):
        raise StartupError(f"The database {path} does not exist and its folder is not writable.")


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    try:
        os.makedirs(app.instance_path, exist_ok=True)
    except OSError:
        pass  # a read-only install: fine when the key and database are configured elsewhere
    app.config.from_mapping(
        DATABASE=os.path.join(app.instance_path, "visitscore.sqlite3"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # None: Secure exactly when the request came over HTTPS (see SessionInterface).
        SESSION_COOKIE_SECURE=None,
        PERMANENT_SESSION_LIFETIME=timedelta(days=14),
        # An auditor may keep a form open for hours; the token lives as long as the session.
        WTF_CSRF_TIME_LIMIT=None,
        # CSRF is checked by _csrf_rule() for every blueprint, not by flask-wtf's per-view default.
        WTF_CSRF_CHECK_DEFAULT=False,
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        BEHIND_PROXY=False,
        # Reverse proxies in front of the app whose X-Forwarded-For is trusted (0: none; BEHIND_PROXY
        # alone means one). The client's address counts survey responses and login attempts.
        PROXY_HOPS=0,
        # Wall-clock zone of visits entered without JavaScript (the phone's own offset is used otherwise).
        TIMEZONE="UTC",
        # Days after publishing during which a branch may appeal.
        APPEAL_DAYS=7,
        # Whether auditors may start a visit nobody assigned to them.
        ALLOW_UNSCHEDULED_VISITS=True,
        # Months after which employee names are removed from audits (flask purge-employee-data).
        EMPLOYEE_RETENTION_MONTHS=24,
        # The cache of rendered PDFs is bounded: entries older than this many days, then the oldest
        # beyond this many megabytes, are dropped (they are made again when asked for).
        PDF_CACHE_DAYS=30,
        PDF_CACHE_MAX_MB=200,
        # Branding on every PDF.
        COMPANY_NAME="Visitscore",
        BRAND_COLOUR="#0b5d54",
        # Mail (plain SMTP; STARTTLS and login when MAIL_USERNAME is set). Without MAIL_SERVER mail
        # waits in the queue. BASE_URL is the address in the links of mails.
        MAIL_SERVER=None,
        MAIL_PORT=25,
        MAIL_FROM="visitscore@localhost",
        MAIL_USERNAME=None,
        MAIL_PASSWORD=None,
        # False keeps this process from sending (its queued mail is sent by another).
        MAIL_SENDER=True,
        BASE_URL=None,
    )
    app.config.from_prefixed_env("VISITSCORE")
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(app)
    app.session_interface = SessionInterface()
    hops = int(app.config["PROXY_HOPS"]) or (1 if app.config["BEHIND_PROXY"] else 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=1, x_host=1)

    _check_database(app.config["DATABASE"])
    database = db.connect(app.config["DATABASE"])
    db.migrate(database)
    database.conn.close()
    db.init_app(app)

    from audits import cli as audits_cli
    from audits.api import bp as audits_api
    from audits.ids import UUIDConverter
    from audits.views import HOME_SECTIONS as audits_home
    from audits.views import bp as audits_views
    from audits.views import recording_upload_limit
    from checklists import cli as checklists_cli
    from checklists.api import bp as checklists_api
    from checklists.views import bp as checklists_views
    from org import cli as org_cli
    from org.api import bp as org_api
    from org.auth import load_user
    from org.views import bp as org_views
    from reports import cli as reports_cli
    from reports.api import bp as reports_api
    from reports.api import kpis_bp as kpis_api
    from reports.views import bp as reports_views
    from standards import cli as standards_cli
    from standards.api import bp as standards_api
    from standards.views import bp as standards_views
    from surveys.api import bp as surveys_api
    from surveys.views import bp as surveys_views
    from web.handlers import register_error_handlers

    # Before the CSRF check, which reads request bodies: recordings may be larger than other uploads.
    app.before_request(recording_upload_limit)
    csrf.init_app(app)
    app.before_request(load_user)
    app.before_request(_csrf_rule)
    app.after_request(_security_headers)
    app.context_processor(_template_globals)
    from checklists.scoring import format_percent
    from reports.pdf import css_string

    app.add_template_filter(css_string)
    app.add_template_filter(format_percent, "percent")
    from reports.intervals import suggested_visits

    # The schedule form's default number of visits comes from the reports' statistics; audits may
    # not import reports, so the app hands it over.
    app.extensions["suggested_visits"] = suggested_visits
    register_error_handlers(app)
    # role -> functions (db, user) -> {"template", ...}: the parts of each role's home page.
    app.extensions["home_sections"] = audits_home
    # <uuid:...> gives views the id as a lower-case str; a malformed id matches no route (404).
    app.url_map.converters["uuid"] = UUIDConverter
    app.register_blueprint(org_views)
    app.register_blueprint(org_api)
    app.register_blueprint(checklists_views)
    app.register_blueprint(checklists_api)
    app.register_blueprint(audits_views)
    app.register_blueprint(audits_api)
    app.register_blueprint(reports_api)
    app.register_blueprint(kpis_api)
    app.register_blueprint(reports_views)
    app.register_blueprint(standards_api)
    app.register_blueprint(standards_views)
    app.register_blueprint(surveys_views)
    app.register_blueprint(surveys_api)
    org_cli.init_app(app)
    checklists_cli.init_app(app)
    reports_cli.init_app(app, create_app)
    audits_cli.init_app(app)
    standards_cli.init_app(app)
    from audits.notices import action_reminders

    mail.init_app(app, jobs=[lambda database: action_reminders(database, datetime.now(UTC).date())])
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(serve_command)
    return app


@click.command("seed-demo")
@click.option("--large", is_flag=True, help="Also 1,000 branches and about 100,000 published audits.")
@with_appcontext
def seed_demo_command(large):
    """Fill the database with a demo company; safe to run again."""
    from audits.seed import seed_audits, seed_large
    from checklists.cli import LIBRARY, checklist_files, import_files
    from org.seed import DEMO_PASSWORD, DEMO_USERS, seed_org
    from reports.seed import seed_kpis
    from standards.seed import seed_standards
    from surveys.seed import seed_responses

    database = db.connect(current_app.config["DATABASE"])
    added = seed_org(database)
    checklists = import_files(database, checklist_files(LIBRARY))
    audits = seed_audits(database)
    standards = seed_standards(database)
    responses = seed_responses(database)
    kpi_values = seed_kpis(database)
    if large:
        click.echo("Building the large company (a few minutes)...")
        audits += seed_large(database)
    database.conn.close()
    click.echo(
        f"Demo company ready: {added['branches']} branches, {added['employees']} employees "
        f"and {added['users']} users added; {len(checklists)} checklists from the library; "
        f"{audits} audits added; {standards['standards']} standards and {standards['results']} quiz results; "
        f"{responses} survey answers added, {kpi_values} KPI values imported."
    )
    click.echo(f"Log in with password {DEMO_PASSWORD!r} as one of:")
    for email, role, _name in DEMO_USERS:
        click.echo(f"  {role:<9} {email}")


def _lan_address() -> str | None:
    """This machine's address on the local network, for opening Visitscore from a phone."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET address: nothing is sent
            return probe.getsockname()[0]
        except OSError:
            return None


@click.command("serve")
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, help="Worker threads.")
@with_appcontext
def serve_command(host, port, threads):
    """Serve Visitscore with waitress, the production WSGI server."""
    import waitress

    click.echo(f"Visitscore is running at http://127.0.0.1:{port}/")
    lan = _lan_address()
    if host == "0.0.0.0" and lan:
        click.echo(f"From a phone on the same network: http://{lan}:{port}/")
    waitress.serve(current_app._get_current_object(), host=host, port=port, threads=threads)
