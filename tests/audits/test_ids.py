"""The <uuid:...> route converter: any case in, the lower-case string out, nothing else matches."""

import pytest
from werkzeug.exceptions import NotFound

AUDIT_ID = "5d0c3b8e-2f7a-4c1d-9e8b-7a6f5e4d3c2b"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (AUDIT_ID, AUDIT_ID),
        (AUDIT_ID.upper(), AUDIT_ID),
        ("5D0c3B8e-2f7a-4C1d-9e8b-7a6f5e4d3c2b", AUDIT_ID),
        ("not-a-uuid", None),
        (AUDIT_ID[:-1], None),
        (AUDIT_ID + "0", None),
        (AUDIT_ID.replace("-", ""), None),
        ("5d0c3b8e-2f7a-4c1d-9e8b-7a6f5e4d3c2g", None),
        ("1", None),
    ],
)
def test_the_uuid_converter(app, path, expected):
    adapter = app.url_map.bind("localhost")
    if expected is None:
        with pytest.raises(NotFound):
            adapter.match(f"/audits/{path}/form")
        return
    endpoint, values = adapter.match(f"/audits/{path}/form")
    assert (endpoint, values) == ("audits.visit", {"audit_id": expected})
    assert type(values["audit_id"]) is str
