"""CLI commands for users and API tokens."""

import csv
import os
import secrets

import click
from flask import current_app
from flask.cli import with_appcontext

from db import connect
from errors import AppError
from org import imports, store
from org.csvimport import KINDS, detect_kind
from org.roles import ROLES
from org.security import deployment_findings


def cli_db():
    return connect(current_app.config["DATABASE"])


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the user may do.")
@click.option("--password", help="Initial password; a random one is printed when omitted.")
@click.option("--name", default="", help="Display name.")
@click.option("--branch", "branches", multiple=True, metavar="CODE", help="A manager's branch (repeatable).")
def create_user_command(email, role, password, name, branches):
    """Create a user; managers get the branches named by --branch."""
    db = cli_db()
    branch_ids = []
    for code in branches:
        branch_id = store.branch_id_by_code(db, code)
        if branch_id is None:
            raise click.ClickException(f"No branch has the code {code!r}.")
        branch_ids.append(branch_id)
    if branches and role != "manager":
        raise click.ClickException("--branch is only for managers.")
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    if len(password) < 8:
        raise click.ClickException("The password needs at least 8 characters.")
    try:
        store.create_user(db, email, role, password, name, branch_ids)
    except AppError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Created {role} {email.strip().lower()}.")
    if generated:
        click.echo(f"Password: {password}")


@click.command("create-token")
@with_appcontext
@click.argument("email")
@click.option("--days", type=click.IntRange(min=1), help="Expire after this many days (default: never).")
def create_token_command(email, days):
    """Create a personal API token for EMAIL and print it alone on the last line."""
    db = cli_db()
    user = store.user_by_email(db, email)
    if user is None or not user["active"]:
        raise click.ClickException(f"No active user has the email {email!r}.")
    token = store.create_token(db, user["user_id"], days)
    expiry = f"expires in {days} day(s)" if days else "valid until revoked"
    click.echo(
        f"API token for {user['email']} ({expiry}; shown once; send as 'Authorization: Bearer <token>'):"
    )
    click.echo(token)


@click.command("revoke-token")
@with_appcontext
@click.argument("email")
@click.option("--id", "token_id", type=int, help="Revoke only this token (see the user's tokens page).")
def revoke_token_command(email, token_id):
    """Revoke EMAIL's API tokens (all of them, or the one given by --id)."""
    db = cli_db()
    user = store.user_by_email(db, email)
    if user is None:
        raise click.ClickException(f"No user has the email {email!r}.")
    try:
        count = store.revoke_tokens(db, user["user_id"], token_id)
    except AppError as exc:
        raise click.ClickException(f"{user['email']} has no token {token_id}.") from exc
    click.echo(f"Revoked {count} token(s) of {user['email']}.")


@click.command("check-security")
@with_appcontext
@click.argument("backups", nargs=-1, type=click.Path(dir_okay=False))
def check_security_command(backups):
    """Check the deployment: cookie flags, file modes (database, key, BACKUPS given), secret key strength."""
    findings = deployment_findings(current_app.config, current_app.instance_path, backups)
    for finding in findings:
        click.echo(f"{'ok  ' if finding.ok else 'FAIL'}  {finding.message}")
    failed = sum(not f.ok for f in findings)
    if failed:
        raise click.ClickException(f"{failed} check(s) failed.")
    click.echo("Every check passed.")


@click.command("import-org")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--kind", type=click.Choice(KINDS), help="What the file holds; read from its header when omitted."
)
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change; store nothing.")
def import_org_command(path, kind, dry_run):
    """Import branches, employees or users from a CSV file with a header row, all or nothing."""
    if os.path.getsize(path) > current_app.config["MAX_CONTENT_LENGTH"]:
        raise click.ClickException(f"{path} is larger than {current_app.config['MAX_CONTENT_LENGTH']} bytes.")
    with open(path, "rb") as f:
        data = f.read()
    if kind is None:
        first = data.decode("utf-8-sig", errors="replace").splitlines()[:1]
        kind = detect_kind(next(csv.reader(first), [])) if first else None
        if kind is None:
            raise click.ClickException(
                "Cannot tell from the header what the file holds; "
                "branches need code,name,region; employees branch_code,name; users email,role. Or use --kind."
            )
    db = cli_db()
    try:
        result = imports.import_csv(db, kind, data, dry_run=dry_run)
    except AppError as exc:
        details = "\n".join(f"  {where}: {' '.join(messages)}" for where, messages in exc.fields.items())
        raise click.ClickException(f"{exc.message}\n{details}") from None
    finally:
        db.conn.close()
    for change in result["changes"]:
        if change["action"] != "unchanged":
            click.echo(f"line {change['line']}: {change['action']} {change['key']} {change['changes']}")
    verb = "would be" if dry_run else "were"
    click.echo(
        f"{kind}: {result['created']} {verb} created, {result['updated']} {verb} updated, "
        f"{result['unchanged']} unchanged."
    )


def init_app(app) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(create_token_command)
    app.cli.add_command(revoke_token_command)
    app.cli.add_command(check_security_command)
    app.cli.add_command(import_org_command)
