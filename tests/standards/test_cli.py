"""flask import-standards: all or nothing, every problem by path."""

import json

import pytest

from standards.seed import LIBRARY

GOOD = """
- {code: GRE-1, title: Greet, text: Greet within 30 seconds., category: Greeting}
- {code: TEL-1, title: Answer, text: Answer within three rings., category: Telephone, effective_date: 2026-01-01}
"""


def test_import_a_yaml_file_then_change_it(runner, db, tmp_path):
    path = tmp_path / "standards.yaml"
    path.write_text(GOOD)
    result = runner.invoke(args=["import-standards", str(path)])
    assert result.exit_code == 0, result.output
    assert "GRE-1: version 1 (new)" in result.output
    assert db["standards"].get(2)["effective_date"] == "2026-01-01"
    again = runner.invoke(args=["import-standards", str(path)])
    assert "GRE-1: version 1 (unchanged)" in again.output
    path.write_text(GOOD.replace("30 seconds", "20 seconds"))
    changed = runner.invoke(args=["import-standards", str(path)])
    assert "GRE-1: version 2 (changed)" in changed.output
    assert "TEL-1: version 1 (unchanged)" in changed.output
    assert db["standard_versions"].count == 3


def test_import_json(runner, db, tmp_path):
    path = tmp_path / "standards.json"
    path.write_text(json.dumps([{"code": "A.1", "title": "A", "text": "Do A.", "category": "C"}]))
    assert runner.invoke(args=["import-standards", str(path)]).exit_code == 0
    assert db["standards"].count == 1


@pytest.mark.parametrize(
    "text, expected",
    [
        (GOOD + "- {code: 'bad code', title: X, text: Y, category: Z}\n", "[2].code:"),
        (GOOD + "- {code: X-1, text: Y, category: Z}\n", "[2].title: Missing data for required field."),
        (GOOD + "- {code: X-1, title: X, text: Y, category: Z, owner: me}\n", "[2].owner: Unknown field."),
        (
            GOOD + "- {code: GRE-1, title: X, text: Y, category: Z}\n",
            "[2].code: The code 'GRE-1' is already used by [0].",
        ),
        ("code: GRE-1\n", "_body: The file must be a non-empty list of standards."),
        ("- [unclosed\n", "Not valid YAML"),
    ],
)
def test_a_bad_file_imports_nothing_and_names_the_path(runner, db, tmp_path, text, expected):
    path = tmp_path / "standards.yaml"
    path.write_text(text)
    result = runner.invoke(args=["import-standards", str(path)])
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output
    assert expected in result.output
    assert db["standards"].count == 0


def test_every_problem_is_listed(runner, db, tmp_path):
    path = tmp_path / "standards.yaml"
    path.write_text("- {code: 'a b', title: '', text: T, category: C}\n- {title: T, text: T, category: C}\n")
    output = runner.invoke(args=["import-standards", str(path)]).output
    assert "[0].code:" in output and "[0].title:" in output and "[1].code: Missing data" in output


def test_the_demo_catalogue_imports_and_the_library_links_to_it(runner, db):
    from checklists import spec
    from checklists.cli import LIBRARY as CHECKLISTS
    from checklists.model import checklist_from_dict

    result = runner.invoke(args=["import-standards", str(LIBRARY / "standards.yaml")])
    assert result.exit_code == 0, result.output
    codes = {r["code"] for r in db["standards"].rows}
    assert 20 <= len(codes) <= 30
    linked = set()
    for path in CHECKLISTS.glob("*.yaml"):
        checklist = checklist_from_dict(spec.load(path.read_text(), "yaml"), 1)
        for _section, item in checklist.items():
            if item.scored:
                assert item.standard in codes, f"{path.name}: {item.id} names {item.standard!r}"
                linked.add(item.standard)
    assert len(linked) >= 20
