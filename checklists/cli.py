"""CLI: import checklist files."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from checklists import spec, store
from db import connect, transaction

LIBRARY = Path(__file__).parent / "library"


def checklist_files(path: Path) -> list[Path]:
    """The checklist files at path: the file itself, or the YAML and JSON files of a folder."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if spec.format_for(p.name) and p.is_file())
    return [path]


def load_files(files: list[Path]) -> list[tuple[Path, dict]]:
    """Validate every file; raise ChecklistError naming each problem of each file."""
    loaded, problems = [], []
    for file in files:
        fmt = spec.format_for(file.name) or "yaml"
        try:
            loaded.append((file, spec.load(file.read_bytes(), fmt)))
        except spec.ChecklistError as exc:
            problems += [spec.Problem(f"{file.name}: {p.path}", p.message, p.line) for p in exc.problems]
    ids = [doc["id"] for _file, doc in loaded]
    for file, doc in loaded:
        if ids.count(doc["id"]) > 1:
            problems.append(spec.Problem(f"{file.name}: id", f"Another file also has the id {doc['id']!r}."))
    if problems:
        raise spec.ChecklistError(problems)
    return loaded


def import_files(db, files: list[Path]) -> list[tuple[str, int, bool]]:
    """Validate all files, then store them all in one transaction: all or nothing."""
    loaded = load_files(files)
    with transaction(db):
        return [store.save_checklist(db, doc) for _file, doc in loaded]


@click.command("import-checklist")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@with_appcontext
def import_checklist_command(path):
    """Import a checklist file (YAML or JSON) or every such file in a folder.

    Every file is checked first; if any has a problem, nothing is stored.
    """
    files = checklist_files(path)
    if not files:
        raise click.ClickException(f"{path} holds no .yaml, .yml or .json file.")
    db = connect(current_app.config["DATABASE"])
    try:
        results = import_files(db, files)
    except spec.ChecklistError as exc:
        details = "\n".join(f"  {problem}" for problem in exc.problems)
        raise click.ClickException(f"Nothing was imported; {exc}:\n{details}") from None
    finally:
        db.conn.close()
    for checklist_id, version, created in results:
        state = "new version" if created else "unchanged"
        click.echo(f"{checklist_id}: version {version} ({state})")


def init_app(app) -> None:
    app.cli.add_command(import_checklist_command)
