"""The pure parts of audits.review: what can be acted on, appeal deadlines, and the audit trail's
"from what to what" sentences."""

from datetime import date

import pytest

from audits.review import appeal_deadline, change_lines, item_label, lost_points
from checklists import spec
from checklists.model import checklist_from_dict
from checklists.scoring import score
from tests.conftest import VALID

DESIGN = checklist_from_dict(spec.load(VALID, "yaml"), 1)


@pytest.mark.parametrize(
    ("answers", "lost"),
    [
        (
            {
                "greeted-30s": {"value": "yes"},
                "wait-minutes": {"value": 1},
                "friendliness": {"value": 5},
                "offer": {"value": "Offered unprompted"},
            },
            [],
        ),
        (
            {
                "greeted-30s": {"value": "no"},  # 0 of 2
                "wait-minutes": {"value": 3.5},  # half
                "friendliness": {"value": 5},
                "offer": {"value": "Not offered"},  # 0; why-not is text: it never loses points
                "why-not": {"value": "No cards"},
            },
            ["greeted-30s", "wait-minutes", "offer"],
        ),
        (
            {"greeted-30s": {"na": True}, "friendliness": {"value": 1}},
            ["friendliness"],
        ),  # N/A and unanswered: no
    ],
)
def test_lost_points_are_the_scored_items_short_of_full_marks(answers, lost):
    assert lost_points(score(DESIGN, answers)) == lost


@pytest.mark.parametrize(
    ("published_at", "days", "deadline"),
    [
        ("2026-10-06T09:00:00+00:00", 7, date(2026, 10, 13)),
        ("2026-10-28T23:30:00+00:00", 7, date(2026, 11, 4)),
        ("2026-12-30T12:00:00+00:00", 3, date(2027, 1, 2)),
        ("2026-10-06T09:00:00+00:00", 0, date(2026, 10, 6)),
    ],
)
def test_appeal_deadline_counts_days_from_publishing(published_at, days, deadline):
    assert appeal_deadline({"published_at": published_at}, days) == deadline


@pytest.mark.parametrize(
    ("item_id", "label"),
    [
        ("greeted-30s", {"item_text": "Greeted within 30 seconds of entering", "section_title": "Greeting"}),
        ("why-not", {"item_text": "What did the employee say?", "section_title": "Greeting"}),
        ("gone-item", {"item_text": "gone-item", "section_title": ""}),  # removed in a later version
    ],
)
def test_item_label(item_id, label):
    assert item_label(DESIGN, item_id) == label


@pytest.mark.parametrize(
    ("before", "after", "lines"),
    [
        (None, None, []),
        (
            {"item": "greeted-30s", "answer": {"value": "no"}},
            {"item": "greeted-30s", "answer": {"value": "yes"}},
            ["Item: Greeted within 30 seconds of entering (Greeting)", "Answer: no → yes"],
        ),
        (
            {"item": "offer", "answer": {"value": "Not offered"}},
            {"item": "offer", "answer": {"na": True}},
            ["Item: Was a loyalty card offered? (Greeting)", "Answer: Not offered → N/A"],
        ),
        (
            None,
            {"item": "wait-minutes", "answer": {"value": 3.5}},
            ["Item: Minutes before an employee was free (Greeting)", "Answer: 3.5"],
        ),
        ({"answer": {"value": "yes"}}, {}, ["Answer: yes → no answer"]),
        ({"item": "gone-item"}, None, ["Item: gone-item"]),
        ({"status": "submitted"}, {"status": "returned"}, ["Status: submitted → returned to the auditor"]),
        ({"status": "submitted"}, {"status": "published"}, ["Status: submitted → published"]),
        ({"status": "draft"}, {"status": "submitted"}, ["Status: draft → submitted"]),  # a word of its own
        ({"percent": 62.5}, {"percent": 87.5}, ["Score: 62.5% → 87.5%"]),
        ({}, {"percent": 100}, ["Score: 100.0%"]),
        (
            None,
            {"item": "smile", "what": "Smile training", "who": "Mia Lund", "due": "2026-12-01"},
            ["Item: smile", "Action: Smile training", "Who: Mia Lund", "Due by: 2026-12-01"],
        ),
        (None, {"what": "Smile training", "who": "", "due": None}, ["Action: Smile training"]),
    ],
)
def test_change_lines_say_from_what_to_what(before, after, lines):
    assert change_lines(DESIGN, before, after) == lines


def test_an_upheld_appeal_reads_item_answer_and_score_in_that_order():
    before = {"item": "greeted-30s", "answer": {"value": "no"}, "percent": 35.0}
    after = {"item": "greeted-30s", "answer": {"value": "yes"}, "percent": 75.0}
    assert change_lines(DESIGN, before, after) == [
        "Item: Greeted within 30 seconds of entering (Greeting)",
        "Answer: no → yes",
        "Score: 35.0% → 75.0%",
    ]
