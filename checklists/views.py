"""HTML pages of checklists: the list, one version, import from a file, and the editor."""

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from checklists import spec, store
from checklists.forms import ImportForm
from checklists.model import checklist_from_dict
from db import get_db
from org.auth import require
from org.roles import ADMIN, REVIEWER
from standards.store import codes as standard_codes

bp = Blueprint("checklists", __name__, url_prefix="/checklists")

TYPE_LABELS = {
    "yes_no": "Yes / no",
    "scale": "Scale",
    "choice": "Choice",
    "number": "Number",
    "text": "Text",
    "photo": "Photo",
}


@bp.get("")
@require(ADMIN, REVIEWER)
def index():
    return render_template("checklists/index.html", checklists=store.list_checklists(get_db()))


@bp.get("/<checklist_id>")
@require(ADMIN, REVIEWER)
def show(checklist_id):
    version = request.args.get("version", type=int)
    db = get_db()
    stored = store.get_version(db, checklist_id, version)
    return render_template(
        "checklists/show.html",
        stored=stored,
        checklist=checklist_from_dict(stored["spec"], stored["version"]),
        versions=store.list_versions(db, checklist_id),
        type_labels=TYPE_LABELS,
        standards=standard_codes(db),
    )


def _uploaded(form: ImportForm) -> tuple[bytes, str]:
    """The file's bytes and format, or the pasted text as YAML."""
    if getattr(form.file.data, "filename", None):  # a text value posted instead of a file is no file
        name = form.file.data.filename
        return form.file.data.read(), spec.format_for(name) or "yaml"
    return (form.text.data or "").encode(), "yaml"


@bp.route("/import", methods=["GET", "POST"])
@require(ADMIN)
def import_file():
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        raw, fmt = _uploaded(form)
        if not raw.strip():
            form.file.errors.append("Choose a file or paste YAML.")
        else:
            try:
                document = spec.load(raw, fmt)
            except spec.ChecklistError as exc:
                problems = exc.problems
            else:
                checklist_id, version, created = store.save_checklist(get_db(), document, g.user["user_id"])
                flash(
                    f"Saved as version {version}."
                    if created
                    else f"Same content as version {version}; no new version was made."
                )
                return redirect(url_for("checklists.show", checklist_id=checklist_id))
    status = 422 if problems else 400 if form.errors else 200
    return render_template("checklists/import.html", form=form, problems=problems), status


@bp.get("/new")
@require(ADMIN)
def new():
    return render_template("checklists/editor.html", document=None, standards=standard_codes(get_db()))


@bp.get("/<checklist_id>/edit")
@require(ADMIN)
def edit(checklist_id):
    db = get_db()
    stored = store.get_version(db, checklist_id)
    return render_template(
        "checklists/editor.html",
        document=stored["spec"],
        version=stored["version"],
        standards=standard_codes(db),
    )
