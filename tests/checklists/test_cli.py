from checklists.cli import LIBRARY
from tests.conftest import VALID


def test_import_one_file(runner, db, tmp_path):
    path = tmp_path / "visit.yaml"
    path.write_text(VALID)
    result = runner.invoke(args=["import-checklist", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "store-visit: version 1 (new version)"
    again = runner.invoke(args=["import-checklist", str(path)])
    assert again.output.strip() == "store-visit: version 1 (unchanged)"
    assert db["checklist_versions"].count == 1


def test_import_the_library_folder(runner, db):
    result = runner.invoke(args=["import-checklist", str(LIBRARY)])
    assert result.exit_code == 0, result.output
    assert db["checklists"].count == len(list(LIBRARY.glob("*.yaml")))


def test_a_bad_file_in_a_folder_stores_nothing_and_names_file_path_and_line(runner, db, tmp_path):
    (tmp_path / "good.yaml").write_text(VALID)
    (tmp_path / "bad.yaml").write_text(
        VALID.replace("id: store-visit", "id: other").replace("weight: 2", "weight: zero")
    )
    (tmp_path / "notes.txt").write_text("ignored")
    result = runner.invoke(args=["import-checklist", str(tmp_path)])
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output
    assert "line 14, bad.yaml: sections[0].items[0].weight: Not a valid number." in result.output
    assert "Traceback" not in result.output
    assert db["checklists"].count == 0


def test_json_files_are_read_as_json(runner, db, tmp_path):
    import json

    import yaml

    (tmp_path / "visit.json").write_text(json.dumps(yaml.safe_load(VALID)))
    assert runner.invoke(args=["import-checklist", str(tmp_path / "visit.json")]).exit_code == 0
    assert db["checklists"].count == 1


def test_two_files_with_one_id_are_refused(runner, db, tmp_path):
    (tmp_path / "a.yaml").write_text(VALID)
    (tmp_path / "b.yaml").write_text(VALID.replace("pass_mark: 80", "pass_mark: 70"))
    result = runner.invoke(args=["import-checklist", str(tmp_path)])
    assert result.exit_code == 1
    assert "Another file also has the id 'store-visit'" in result.output
    assert db["checklists"].count == 0


def test_an_empty_folder_or_missing_path_fails_clearly(runner, tmp_path):
    assert "holds no .yaml" in runner.invoke(args=["import-checklist", str(tmp_path)]).output
    assert runner.invoke(args=["import-checklist", str(tmp_path / "nope.yaml")]).exit_code == 2
