"""create_app(): configuration, database, blueprints, CLI commands and error pages."""

import os
import secrets
from datetime import UTC, datetime, timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
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
        PERMANENT_SESSION_LIFETIME=timedelta(days=14),
        # An auditor may keep a form open for hours; the token lives as long as the session.
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        BEHIND_PROXY=False,
        # Wall-clock zone of visits entered without JavaScript (the phone's own offset is used otherwise).
        TIMEZONE="UTC",
        # Days after publishing during which a branch may appeal.
        APPEAL_DAYS=7,
        # Whether auditors may start a visit nobody assigned to them.
        ALLOW_UNSCHEDULED_VISITS=True,
        # Months after which employee names are removed from audits (flask purge-employee-data).
        EMPLOYEE_RETENTION_MONTHS=24,
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
    if app.config["BEHIND_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    _check_database(app.config["DATABASE"])
    database = db.connect(app.config["DATABASE"])
    db.migrate(database)
    database.conn.close()
    db.init_app(app)

    from audits import cli as audits_cli
    from audits.api import bp as audits_api
    from audits.views import bp as audits_views
    from checklists import cli as checklists_cli
    from checklists.api import bp as checklists_api
    from checklists.views import bp as checklists_views
    from org import cli as org_cli
    from org.api import bp as org_api
    from org.auth import load_user
    from org.errors import register_error_handlers
    from org.views import bp as org_views
    from reports import cli as reports_cli
    from reports.api import bp as reports_api
    from reports.views import bp as reports_views

    csrf.init_app(app)
    app.before_request(load_user)
    app.after_request(_security_headers)
    app.context_processor(_template_globals)
    from reports.pdf import css_string

    app.add_template_filter(css_string)
    register_error_handlers(app)
    app.register_blueprint(org_views)
    app.register_blueprint(org_api)
    app.register_blueprint(checklists_views)
    app.register_blueprint(checklists_api)
    app.register_blueprint(audits_views)
    app.register_blueprint(audits_api)
    app.register_blueprint(reports_api)
    app.register_blueprint(reports_views)
    csrf.exempt(org_api)
    csrf.exempt(checklists_api)
    csrf.exempt(audits_api)
    csrf.exempt(reports_api)
    org_cli.init_app(app)
    checklists_cli.init_app(app)
    reports_cli.init_app(app)
    audits_cli.init_app(app)
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

    database = db.connect(current_app.config["DATABASE"])
    added = seed_org(database)
    checklists = import_files(database, checklist_files(LIBRARY))
    audits = seed_audits(database)
    if large:
        click.echo("Building the large company (a few minutes)...")
        audits += seed_large(database)
    database.conn.close()
    click.echo(
        f"Demo company ready: {added['branches']} branches, {added['employees']} employees "
        f"and {added['users']} users added; {len(checklists)} checklists from the library; "
        f"{audits} audits added."
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
