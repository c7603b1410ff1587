"""The checklist file format: what it accepts, and every way a file is refused with path and line."""

import json
import textwrap

import pytest

from checklists import spec
from tests.conftest import VALID


def test_the_design_example_is_valid():
    doc = spec.load(VALID, "yaml")
    assert doc["id"] == "store-visit"
    items = doc["sections"][0]["items"]
    assert items[0]["require"] == {"comment_on_fail": True}
    assert items[4]["show_if"] == {"item": "offer", "in": ["Not offered"]}


def test_json_and_yaml_of_the_same_checklist_have_the_same_normal_form():
    from_yaml = spec.load(VALID, "yaml")
    assert spec.load(json.dumps(from_yaml), "json") == from_yaml


def test_defaults_written_out_or_left_out_are_the_same_content():
    explicit = VALID.replace("    pass_mark: 80\n", "    pass_mark: 80\n    critical_cap: 0\n").replace(
        "        about: employee\n", "        about: employee\n        weight: 1.0\n"
    )
    assert spec.canonical_json(spec.load(explicit, "yaml")) == spec.canonical_json(spec.load(VALID, "yaml"))


def test_the_yaml_download_reads_back_to_the_same_checklist():
    doc = spec.load(VALID, "yaml")
    assert spec.load(spec.to_yaml({**doc, "version": 4}), "yaml") == doc


def test_a_scale_without_bounds_runs_from_1_to_5():
    doc = spec.load(VALID.replace("            min: 1\n            max: 5\n", ""), "yaml")
    scale = doc["sections"][0]["items"][2]
    assert (scale["min"], scale["max"]) == (1, 5)


def item_yaml(body: str) -> str:
    """A one-item checklist whose item is body (YAML mapping lines)."""
    indented = textwrap.indent(textwrap.dedent(body), "      ")
    return f"id: c\ntitle: C\nsections:\n  - id: s\n    title: S\n    items:\n{indented.replace('      ', '    - ', 1)}"


def problems_of(text: str, fmt: str = "yaml") -> list[spec.Problem]:
    with pytest.raises(spec.ChecklistError) as caught:
        spec.load(text, fmt)
    return caught.value.problems


MALFORMED = [
    # (what, file text, path, words in the message)
    ("yaml syntax error", "id: c\ntitle: [unclosed\n", "_body", "YAML syntax error"),
    ("tab indentation", "id: c\ntitle: C\nsections:\n\t- id: s\n", "_body", "tabs"),
    ("not a mapping", "- just\n- a list\n", "_body", "mapping"),
    ("empty file", "", "_body", "mapping"),
    ("json syntax error", '{"id": "c",', "_body", "JSON syntax error"),
    ("missing id", "title: C\nsections: []\n", "id", "required"),
    ("missing title", "id: c\nsections: []\n", "title", "required"),
    ("missing sections", "id: c\ntitle: C\n", "sections", "required"),
    ("no sections", "id: c\ntitle: C\nsections: []\n", "sections", "at least one section"),
    (
        "empty section",
        "id: c\ntitle: C\nsections:\n  - {id: s, title: S, items: []}\n",
        "sections[0].items",
        "at least one item",
    ),
    (
        "bad slug",
        item_yaml("id: has space\ntext: T\ntype: yes_no\n"),
        "sections[0].items[0].id",
        "letters, digits",
    ),
    (
        "unknown top key",
        "colour: red\n" + item_yaml("id: a\ntext: T\ntype: yes_no\n"),
        "colour",
        "Unknown field",
    ),
    (
        "unknown item key",
        item_yaml("id: a\ntext: T\ntype: yes_no\npoints: 3\n"),
        "sections[0].items[0].points",
        "Unknown field",
    ),
    (
        "unknown type",
        item_yaml("id: a\ntext: T\ntype: stars\n"),
        "sections[0].items[0].type",
        "Must be one of",
    ),
    ("missing item text", item_yaml("id: a\ntype: yes_no\n"), "sections[0].items[0].text", "required"),
    ("missing item type", item_yaml("id: a\ntext: T\n"), "sections[0].items[0].type", "required"),
    (
        "negative weight",
        item_yaml("id: a\ntext: T\ntype: yes_no\nweight: -1\n"),
        "sections[0].items[0].weight",
        "positive",
    ),
    (
        "zero weight",
        item_yaml("id: a\ntext: T\ntype: yes_no\nweight: 0\n"),
        "sections[0].items[0].weight",
        "positive",
    ),
    (
        "text weight",
        item_yaml("id: a\ntext: T\ntype: yes_no\nweight: heavy\n"),
        "sections[0].items[0].weight",
        "number",
    ),
    (
        "boolean weight",
        item_yaml("id: a\ntext: T\ntype: yes_no\nweight: true\n"),
        "sections[0].items[0].weight",
        "number",
    ),
    (
        "pass mark over 100",
        "pass_mark: 120\n" + item_yaml("id: a\ntext: T\ntype: yes_no\n"),
        "pass_mark",
        "0..100",
    ),
    (
        "critical not boolean",
        item_yaml("id: a\ntext: T\ntype: yes_no\ncritical: sometimes\n"),
        "sections[0].items[0].critical",
        "boolean",
    ),
    (
        "scale min >= max",
        item_yaml("id: a\ntext: T\ntype: scale\nmin: 5\nmax: 5\n"),
        "sections[0].items[0].max",
        "min < max",
    ),
    (
        "choice with no option scoring 1",
        item_yaml("id: a\ntext: T\ntype: choice\noptions: [{label: A, score: 0.5}, {label: B, score: 0}]\n"),
        "sections[0].items[0].options",
        "exactly 1",
    ),
    (
        "choice without options",
        item_yaml("id: a\ntext: T\ntype: choice\n"),
        "sections[0].items[0].options",
        "needs options",
    ),
    (
        "option score over 1",
        item_yaml("id: a\ntext: T\ntype: choice\noptions: [{label: A, score: 2}]\n"),
        "sections[0].items[0].options[0].score",
        "0..1",
    ),
    (
        "duplicate option label",
        item_yaml("id: a\ntext: T\ntype: choice\noptions: [{label: A, score: 1}, {label: A, score: 0}]\n"),
        "sections[0].items[0].options[1].label",
        "twice",
    ),
    (
        "number without bands",
        item_yaml("id: a\ntext: T\ntype: number\n"),
        "sections[0].items[0].bands",
        "needs bands",
    ),
    (
        "bands without a catch-all",
        item_yaml("id: a\ntext: T\ntype: number\nbands: [{max: 2, score: 1}, {max: 5, score: 0}]\n"),
        "sections[0].items[0].bands",
        "catch-all",
    ),
    (
        "catch-all band not last",
        item_yaml("id: a\ntext: T\ntype: number\nbands: [{score: 1}, {max: 5, score: 0}]\n"),
        "sections[0].items[0].bands[0]",
        "Only the last band",
    ),
    (
        "bands out of order",
        item_yaml(
            "id: a\ntext: T\ntype: number\nbands: [{max: 5, score: 1}, {max: 2, score: 0}, {score: 0}]\n"
        ),
        "sections[0].items[0].bands[1].max",
        "greater than",
    ),
    (
        "bands with no score of 1",
        item_yaml("id: a\ntext: T\ntype: number\nbands: [{max: 5, score: 0.8}, {score: 0}]\n"),
        "sections[0].items[0].bands",
        "exactly 1",
    ),
    (
        "bands on a yes/no item",
        item_yaml("id: a\ntext: T\ntype: yes_no\nbands: [{score: 1}]\n"),
        "sections[0].items[0].bands",
        "only for number",
    ),
    (
        "critical on a text item",
        item_yaml("id: a\ntext: T\ntype: text\ncritical: true\n"),
        "sections[0].items[0].critical",
        "Only scored items",
    ),
    (
        "photo on fail for a photo item",
        item_yaml("id: a\ntext: T\ntype: photo\nrequire: {photo_on_fail: true}\n"),
        "sections[0].items[0].require.photo_on_fail",
        "cannot fail",
    ),
    (
        "show_if names an unknown item",
        item_yaml("id: a\ntext: T\ntype: yes_no\nshow_if: {item: ghost, in: [yes]}\n"),
        "sections[0].items[0].show_if.item",
        "unknown item",
    ),
    (
        "show_if names itself",
        item_yaml("id: a\ntext: T\ntype: yes_no\nshow_if: {item: a, in: [yes]}\n"),
        "sections[0].items[0].show_if.item",
        "itself",
    ),
    (
        "show_if without values",
        item_yaml("id: a\ntext: T\ntype: yes_no\nshow_if: {item: b, in: []}\n"),
        "sections[0].items[0].show_if.in",
        "minimum",
    ),
    (
        "about something else",
        "id: c\ntitle: C\nsections:\n  - {id: s, title: S, about: branch, items: [{id: a, text: T, type: yes_no}]}\n",
        "sections[0].about",
        "Must be one of",
    ),
    (
        "duplicate yaml key",
        item_yaml("id: a\ntext: T\ntext: U\ntype: yes_no\n"),
        "sections[0].items[0].text",
        "appears twice",
    ),
    (
        "python object tag",
        "id: !!python/object/apply:os.system ['echo hacked']\ntitle: C\nsections: []\n",
        "_body",
        "not allowed",
    ),
    ("custom tag", "id: !secret c\ntitle: C\nsections: []\n", "_body", "not allowed"),
    (
        "alias bomb",
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
        "_body",
        "aliases",
    ),
    ("deeply nested yaml", "id: " + "[" * 5000 + "]" * 5000 + "\n", "_body", "Nested deeper"),
    (
        "huge file",
        "id: c\ntitle: C\ndescription: " + "x" * 1_100_000 + "\nsections: []\n",
        "_body",
        "larger than",
    ),
]


@pytest.mark.parametrize(("what", "text", "path", "words"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_files_are_refused_with_path_and_message(what, text, path, words):
    fmt = "json" if what.startswith("json") else "yaml"
    problems = problems_of(text, fmt)
    matching = [p for p in problems if p.path == path]
    assert matching, f"{what}: expected a problem at {path}, got {[str(p) for p in problems]}"
    assert any(words.lower() in p.message.lower() for p in matching), [str(p) for p in matching]


def test_there_are_at_least_thirty_malformed_cases():
    assert len(MALFORMED) >= 30


def test_show_if_naming_a_later_item_is_refused():
    text = VALID.replace(
        "show_if: {item: offer, in: [Not offered]}", "show_if: {item: offer, in: [Not offered]}"
    )
    text = text.replace(
        "        type: yes_no\n        weight: 2\n",
        "        type: yes_no\n        weight: 2\n        show_if: {item: offer, in: [Not offered]}\n",
    )
    [problem] = problems_of(text)
    assert problem.path == "sections[0].items[0].show_if.item"
    assert "later item" in problem.message


def test_show_if_values_must_be_answers_of_the_item():
    [problem] = problems_of(VALID.replace("in: [Not offered]", "in: [Never]"))
    assert problem.path == "sections[0].items[4].show_if.in[0]"


def test_duplicate_ids_are_refused():
    text = (
        VALID.replace("id: friendliness", "id: offer")
        + "  - id: greeting\n    title: Again\n    items: [{id: x, text: X, type: yes_no}]\n"
    )
    paths = {p.path for p in problems_of(text)}
    assert {"sections[0].items[3].id", "sections[1].id"} <= paths


def test_every_problem_is_reported_at_once_with_its_line():
    broken = (
        VALID.replace("weight: 2", "weight: -2")
        .replace("{score: 0}]", "{max: 9, score: 0}]")
        .replace("max: 5\n", "max: 1\n")
        .replace("type: text", "type: text\n        critical: true")
    )
    problems = problems_of(broken)
    found = {(p.path, p.line) for p in problems}
    assert ("sections[0].items[0].weight", 14) in found
    assert ("sections[0].items[1].bands", 21) in found
    assert ("sections[0].items[2].max", 26) in found
    assert len(problems) == 4
    assert [p.line for p in problems] == sorted(p.line for p in problems)


def test_error_fields_carry_the_line():
    with pytest.raises(spec.ChecklistError) as caught:
        spec.load(VALID.replace("weight: 2", "weight: -2"), "yaml")
    assert caught.value.fields() == {"sections[0].items[0].weight": ["Must be a positive number. (line 14)"]}


def test_non_utf8_bytes_are_refused():
    [problem] = problems_of(b"id: \xff\xfe\n")
    assert "UTF-8" in problem.message


def test_yaml_anchors_are_refused_even_when_small():
    [problem] = problems_of("id: &x c\ntitle: *x\nsections: []\n")
    assert problem.line == 2
