"""CLI: import the standards catalogue from a YAML or JSON file."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from db import connect
from standards import catalogue, store


@click.command("import-standards")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_standards_command(path):
    """Import standards from a YAML or JSON list of {code, title, text, category[, effective_date]}.

    New codes are added; a changed standard gets a new version; the same content changes nothing.
    The file is checked whole first: with any problem, nothing is stored.
    """
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    try:
        entries = catalogue.load(path.read_bytes(), fmt)
    except catalogue.StandardsFileError as exc:
        details = "\n".join(f"  {line}" for line in exc.lines())
        raise click.ClickException(f"Nothing was imported; {exc}:\n{details}") from None
    db = connect(current_app.config["DATABASE"])
    try:
        results = store.import_standards(db, entries)
    finally:
        db.conn.close()
    for code, version, state in results:
        click.echo(f"{code}: version {version} ({state})")
    click.echo(f"{len(results)} standards imported.")


def init_app(app) -> None:
    app.cli.add_command(import_standards_command)
