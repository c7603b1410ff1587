"""The ready checklists: valid, objective, and every item names its standard."""

import pytest

from checklists import spec
from checklists.cli import LIBRARY
from checklists.model import checklist_from_dict
from checklists.scoring import score

FILES = sorted(LIBRARY.glob("*.yaml"))


def test_the_library_covers_the_promised_visits():
    assert {f.stem for f in FILES} >= {
        "store-visit",
        "telephone-call",
        "complaint-return",
        "restaurant-visit",
        "bank-branch",
    }


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_each_library_checklist_is_valid_and_complete(path):
    doc = spec.load(path.read_text(), "yaml")
    assert doc["id"] == path.stem
    checklist = checklist_from_dict(doc, 1)
    for _section, item in checklist.items():
        if item.scored:
            assert item.standard, f"{item.id} names no standard"
        assert "feel" not in item.text.lower(), f"{item.id} asks for a feeling, not an observation"
    best = {
        "yes_no": lambda i: "yes",
        "scale": lambda i: int(i.max),
        "choice": lambda i: next(o.label for o in i.options if o.score == 1),
        "number": lambda i: 0 if i.bands[0].score == 1 else float(i.bands[-2].max) + 1,
    }
    answers = {item.id: {"value": best[item.type](item)} for _s, item in checklist.items() if item.scored}
    assert score(checklist, answers).percent == 100
