"""The standards book PDF, read back."""

import io

from pypdf import PdfReader

from checklists import spec
from checklists.store import save_checklist
from standards import store

CHECKLIST = """
id: phone
title: Telephone call
sections:
  - id: s
    title: Answer
    items:
      - {id: rings, text: Rings before the call was answered, type: yes_no, standard: TEL-1, guidance: Count the rings.}
      - {id: name, text: Said their name, type: yes_no, standard: Not a code}
"""


def test_the_book_prints_every_standard_with_what_auditors_check(client, actions, db):
    store.create_standard(
        db,
        {
            "code": "TEL-1",
            "title": "Answer within three rings",
            "text": "Answer every call within three rings.",
            "category": "Telephone",
        },
    )
    store.create_standard(
        db, {"code": "APP-1", "title": "Name badge", "text": "Wear your badge.", "category": "Appearance"}
    )
    store.change_standard(db, "TEL-1", {"text": "Answer every call within three rings, <always>."})
    save_checklist(db, spec.load(CHECKLIST, "yaml"))
    actions.login_as("auditor")
    response = client.get("/reports/standards.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Our service standards" in text and "Contents" in text
    assert "TEL-1" in text and "Answer within three rings" in text
    assert "Answer every call within three rings, <always>." in text
    assert "version 2" in text and "version 1" in text
    assert "Rings before the call was answered" in text and "Count the rings." in text
    assert "Said their name" not in text, "free text is not a link"
    assert "Telephone" in text and "Appearance" in text
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Telephone" in outline and "Appearance" in outline
    assert "%" not in text, "staff-facing: no scores"
