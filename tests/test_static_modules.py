"""The pages' scripts are plain ES modules; every module a page kept for offline use imports,
directly or not, is in the service worker's shell, so the visit form still opens with no network."""

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "static"
TEMPLATES = STATIC.parent / "templates"
IMPORT = re.compile(r"""^import\s[^;]*?from\s+["'](?P<path>[^"']+)["']""", re.MULTILINE | re.DOTALL)


def imports(name: str) -> set[str]:
    return {Path(m["path"]).name for m in IMPORT.finditer((STATIC / name).read_text())}


def reachable(*entries: str) -> set[str]:
    seen, todo = set(), list(entries)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(imports(name))
    return seen


def page_scripts(template: str) -> list[str]:
    text = (TEMPLATES / template).read_text()
    return re.findall(
        r"""<script type="module" src="\{\{ url_for\('static', filename='([^']+)'\) \}\}">""", text
    )


def shell_files() -> set[str]:
    listed = re.search(r"const SHELL_FILES = \[(.*?)\];", (STATIC / "sw.js").read_text(), re.DOTALL)[1]
    return {Path(p).name for p in re.findall(r'"/static/([^"]+)"', listed)}


def test_every_module_of_the_offline_pages_is_kept_by_the_service_worker():
    scripts = page_scripts("base.html") + page_scripts("audits/visit.html")
    assert {"app.js", "form-errors.js", "visit.js"} <= set(scripts)
    needed = reachable(*scripts)
    assert {"outbox.js", "visit-document.js", "visit-sections.js", "visit-score.js"} <= needed
    assert needed - shell_files() == set()


def test_every_module_imported_exists_and_every_kept_file_too():
    for script in STATIC.glob("*.js"):
        for name in imports(script.name):
            assert (STATIC / name).is_file(), f"{script.name} imports {name}"
    for name in shell_files():
        assert (STATIC / name).is_file(), name
