"""PDF scorecards read back: the numbers printed are the API's numbers."""

import io
import re

import pytest
from pypdf import PdfReader

from reports.pdf import render_pdf
from tests.reports.conftest import publish


def pdf_text(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


@pytest.fixture
def head_office(actions):
    return actions.token("admin")


def test_visit_report_shows_the_score_its_explanation_and_every_item(client, head_office, october, db):
    audit_id = db.execute(
        "select audit_id from audits where branch_id = ? and period_month = '2026-10' order by visited_utc desc",
        [october["N1"]],
    ).fetchone()[0]
    api = client.get(f"/api/v1/audits/{audit_id}", headers=head_office).get_json()
    text = pdf_text(client.get(f"/audits/{audit_id}/report.pdf", headers=head_office))
    assert api["score"]["percent"] == 75.0 and "75.0%" in text
    assert "Northgate" in text and "Mini visit (version 1)" in text
    assert "How this score was computed" in text and "100 × 3 ÷ 4 = 75.0%" in text
    assert "Said hello" in text and "Smiled" in text and "Receipt offered" in text
    assert "2026-10-20 15:00" in text
    hidden = pdf_text(client.get(f"/audits/{audit_id}/report.pdf?time=hide", headers=head_office))
    assert "2026-10-20" in hidden and "15:00" not in hidden


def test_na_items_are_listed_as_such(client, head_office, october, db):
    audit_id = db.execute("select audit_id from audits where percent is null").fetchone()[0]
    text = pdf_text(client.get(f"/audits/{audit_id}/report.pdf", headers=head_office))
    assert "N/A" in text and "Nothing could be scored" in text


def test_branch_scorecard_numbers_equal_the_api(client, head_office, october):
    rows = client.get("/api/v1/reports/comparison?period=2026-10", headers=head_office).get_json()["rows"]
    northgate = next(r for r in rows if r["branch"] == "Northgate")
    text = pdf_text(
        client.get(f"/reports/branches/{october['N1']}/scorecard.pdf?period=2026-10", headers=head_office)
    )
    assert "Northgate" in text and "October 2026" in text
    assert f"{northgate['percent']:.1f}%" in text
    assert "Rank among all branches 1 of 3" in text and "Rank in North 1 of 2" in text
    assert "+87.5 points (was 0.0%)" in text
    assert "Smiled" in text  # most missed in this branch
    assert "2026-10-03" in text and "2026-10-20" in text


def test_quarter_and_letter_paper(client, head_office, october):
    response = client.get(
        f"/reports/branches/{october['N1']}/scorecard.pdf?period=2026-Q4&paper=letter", headers=head_office
    )
    text = pdf_text(response)
    assert "Q4 2026" in text
    width, height = PdfReader(io.BytesIO(response.data)).pages[0].mediabox[2:]
    assert (round(float(width)), round(float(height))) == (612, 792)


def test_an_empty_period_says_so(client, head_office, october):
    text = pdf_text(
        client.get(f"/reports/branches/{october['S2']}/scorecard.pdf?period=2026-10", headers=head_office)
    )
    assert "No published audit of this branch was visited in October 2026" in text


def test_employee_scorecard_only_where_staff_are_informed(client, head_office, october, db):
    text = pdf_text(
        client.get(f"/reports/employees/{october['ann']}/scorecard.pdf?period=2026-10", headers=head_office)
    )
    assert "Ann Lee" in text and "100.0%" in text and "1 audit(s) named Ann Lee" in text
    from org import store as org_store

    employee = org_store.create_employee(
        client.application.extensions.get("db")
        or __import__("db").connect(client.application.config["DATABASE"]),
        october["N2"],
        "Nia Uninformed",
    )
    assert (
        client.get(
            f"/reports/employees/{employee}/scorecard.pdf?period=2026-10", headers=head_office
        ).status_code
        == 404
    )


def test_bad_period_and_out_of_scope(client, actions, head_office, october):
    assert (
        client.get(
            f"/reports/branches/{october['N1']}/scorecard.pdf?period=2026-13", headers=head_office
        ).status_code
        == 400
    )
    manager = actions.token("manager", branches=[october["N2"]])
    assert (
        client.get(
            f"/reports/branches/{october['N1']}/scorecard.pdf?period=2026-10", headers=manager
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/reports/branches/{october['N2']}/scorecard.pdf?period=2026-10", headers=manager
        ).status_code
        == 200
    )


def test_a_second_download_comes_from_the_cache_and_new_data_makes_a_new_pdf(
    client, head_office, october, db, company
):
    url = f"/reports/branches/{october['N1']}/scorecard.pdf?period=2026-10"
    first = client.get(url, headers=head_office).data
    assert db["pdf_cache"].count == 1
    assert client.get(url, headers=head_office).data == first
    assert db["pdf_cache"].count == 1
    publish(db, company, "N1", "2026-10-25T10:00:00+01:00", "no", "no", "yes")
    text = pdf_text(client.get(url, headers=head_office))
    assert db["pdf_cache"].count == 2
    assert "75.0%" in text  # (100 + 75 + 50) / 3


def test_a_cached_scorecard_is_served_without_building_its_data(
    client, head_office, october, db, company, monkeypatch
):
    from reports import scorecards

    url = f"/reports/branches/{october['N1']}/scorecard.pdf?period=2026-10"
    first = client.get(url, headers=head_office).data

    def refuse(*args, **kwargs):
        raise AssertionError("the cached scorecard's data was rebuilt")

    monkeypatch.setattr(scorecards, "branch_scorecard", refuse)
    assert client.get(url, headers=head_office).data == first
    monkeypatch.undo()
    # Whatever changes what the scorecard shows changes its key: a rename, a new checklist title.
    db.execute("update branches set name = 'Renamed branch' where branch_id = ?", [october["N1"]])
    assert "Renamed branch" in pdf_text(client.get(url, headers=head_office))
    db.execute("update checklists set title = title || ' (new)'")
    client.get(url, headers=head_office)
    assert db["pdf_cache"].count == 3


def test_user_text_is_printed_not_interpreted(client, head_office, company, db):
    import json

    audit_id = publish(db, company, "N1", "2026-10-05T10:00:00+01:00", "no", "yes", "yes")
    document = json.loads(db["audits"].get(audit_id)["document"])
    document["answers"]["hello"]["comment"] = '<b>bold</b><img src="file:///etc/passwd">'
    db["audits"].update(audit_id, {"document": json.dumps(document)})
    text = pdf_text(client.get(f"/audits/{audit_id}/report.pdf", headers=head_office))
    assert '<b>bold</b><img src="file:///etc/passwd">' in text.replace("\n", "")


def test_weasyprint_fetches_nothing_outside_the_app(app):
    html = '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png"><link rel="stylesheet" href="https://example.com/x.css"><img src="static/icon.svg">'
    pdf, refused = render_pdf(html, app.static_folder, lambda path: None)
    assert pdf.startswith(b"%PDF")
    assert sorted(refused) == ["file:///etc/passwd", "http://127.0.0.1:9/x.png", "https://example.com/x.css"]


def test_cli_renders_every_scorecard_of_a_period(runner, october, tmp_path):
    result = runner.invoke(
        args=["scorecards", "--period", "2026-10", "--out", str(tmp_path), "--employees", "--processes", "2"]
    )
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in tmp_path.iterdir())
    assert "scorecard-N1-2026-10.pdf" in files and "scorecard-S2-2026-10.pdf" in files
    assert len([f for f in files if f.startswith("employee-N1-")]) == 2 and not any(
        f.startswith("employee-N2") for f in files
    )
    text = PdfReader(tmp_path / "scorecard-N1-2026-10.pdf").pages[0].extract_text()
    assert "87.5%" in text


def test_cli_refuses_a_bad_period(runner, tmp_path):
    result = runner.invoke(args=["scorecards", "--period", "2026-Q9", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "YYYY-MM" in result.output


def test_all_scorecards_of_a_period_as_one_zip(client, head_office, october):
    import zipfile

    response = client.get("/reports/scorecards.zip?period=2026-10", headers=head_office)
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert sorted(names) == [f"scorecard-{code}-2026-10.pdf" for code in ("N1", "N2", "S1", "S2")]
    assert re.match(r'attachment; filename="scorecards-2026-10.zip"', response.headers["Content-Disposition"])


def test_branding_from_settings_is_on_every_pdf_and_makes_new_pdfs(client, head_office, october, db):
    import io as _io

    from PIL import Image

    from org import settings

    url = f"/reports/branches/{october['N1']}/scorecard.pdf?period=2026-10"
    first = client.get(url, headers=head_office)
    assert "Visitscore" in pdf_text(first)
    logo = _io.BytesIO()
    Image.new("RGB", (300, 100), (0, 90, 200)).save(logo, "PNG")
    settings.save_branding(db, "Harbour & Co", "#7a1f5c", logo.getvalue())
    second = client.get(url, headers=head_office)
    assert "Harbour & Co" in pdf_text(second)
    assert db["pdf_cache"].count == 2
    images = [img for page in PdfReader(io.BytesIO(second.data)).pages for img in page.images]
    assert images  # the logo is embedded


def test_branch_scorecard_lists_open_and_overdue_action_items(client, head_office, october, db, actions):
    from audits import review

    manager = actions.user("manager", branches=[october["N1"]])
    audit_id = db.execute(
        "select audit_id from audits where branch_id = ? and percent = 75", [october["N1"]]
    ).fetchone()[0]
    late = review.add_action(db, audit_id, manager, "smile", "Smile training", "2030-01-31")
    review.add_action(db, audit_id, manager, "smile", "Mirror at the till", "2030-02-28")
    db.execute("update action_items set due = '2026-01-15' where action_id = ?", [late])
    text = pdf_text(
        client.get(f"/reports/branches/{october['N1']}/scorecard.pdf?period=2026-10", headers=head_office)
    )
    assert "Open action items" in text
    assert "Smile training" in text and "2026-01-15 · overdue" in text
    assert "Mirror at the till" in text and "2030-02-28" in text
