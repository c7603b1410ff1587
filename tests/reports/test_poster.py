import io

from pypdf import PdfReader


def test_the_poster_is_one_a4_page_with_the_survey_address(client, actions):
    branch_id = actions.branch("LDN-01", "Covent Garden & Co", "London")
    headers = actions.token("manager", branches=[branch_id])
    url = client.get(f"/api/v1/branches/{branch_id}/survey", headers=headers).json["url"]
    response = client.get(f"/reports/branches/{branch_id}/survey-poster.pdf", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Covent Garden & Co" in text
    assert "How likely are you to recommend us?" in text
    assert url in text
    other = actions.branch("OTH", "Other", "London")
    assert client.get(f"/reports/branches/{other}/survey-poster.pdf", headers=headers).status_code == 404
