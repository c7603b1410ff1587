"""Photos by UUID: re-encoded, bounded, idempotent, and refused with a message when they are not photos."""

import io

import pytest
from PIL import Image

from audits.photos import PhotoError, process
from tests.audits.conftest import AUDIT_ID, design_document

PHOTO_ID = "3c1f0e2d-4b5a-4c6d-8e7f-9a0b1c2d3e4f"
URL = f"/api/v1/audits/{AUDIT_ID}/photos/{PHOTO_ID}"


def image_bytes(size=(800, 600), fmt="JPEG", **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 200, 90)).save(out, fmt, **save)
    return out.getvalue()


@pytest.fixture
def auditor(client, actions, visit_setup):
    headers = actions.token("auditor")
    client.put(
        f"/api/v1/audits/{AUDIT_ID}",
        json=design_document(visit_setup["branch_id"], visit_setup["ana"]),
        headers=headers,
    )
    return headers


def test_upload_resizes_strips_metadata_and_is_idempotent(client, auditor, db):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera make
    exif[0x010E] = "Shot at 51.5N 0.12W"  # image description
    data = image_bytes((4000, 3000), exif=exif.tobytes())
    first = client.put(URL, data=data, headers={**auditor, "Content-Type": "image/jpeg"})
    assert first.status_code == 201
    assert (first.get_json()["width"], first.get_json()["height"]) == (1600, 1200)
    stored = db["photos"].get(PHOTO_ID)["image"]
    assert b"SecretCam" not in stored and len(Image.open(io.BytesIO(stored)).getexif()) == 0
    again = client.put(URL, data=data, headers={**auditor, "Content-Type": "image/jpeg"})
    assert again.status_code == 200
    assert db["photos"].count == 1


def test_multipart_upload(client, auditor, db):
    response = client.put(
        URL,
        data={"photo": (io.BytesIO(image_bytes(fmt="PNG")), "p.png")},
        headers=auditor,
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    assert db["photos"].get(PHOTO_ID)["content_type"] == "image/jpeg"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is not an image", "not an image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "not an image"),
        (b"GIF89a" + b"\x00" * 20, "not an image"),
        (image_bytes()[:200], "not an image"),
        (image_bytes(fmt="BMP"), "BMP files are not accepted"),
    ],
)
def test_not_a_photo_is_refused_with_a_message(client, auditor, db, data, message):
    response = client.put(URL, data=data, headers={**auditor, "Content-Type": "image/jpeg"})
    assert response.status_code == 422
    assert message in response.get_json()["error"]
    assert db["photos"].count == 0


def test_a_decompression_bomb_is_refused_before_decoding():
    bomb = image_bytes((12000, 12000), fmt="PNG")
    with pytest.raises(PhotoError, match="megapixels"):
        process(bomb)


def test_oversized_upload_is_refused():
    with pytest.raises(PhotoError, match="larger than 12 MB"):
        process(b"\xff" * (13 * 1024 * 1024))


def test_photos_need_an_audit_in_scope(client, actions, auditor):
    other = actions.token("auditor", email="other@example.com")
    assert (
        client.put(URL, data=image_bytes(), headers={**other, "Content-Type": "image/jpeg"}).status_code
        == 404
    )
    assert (
        client.put(f"/api/v1/audits/{AUDIT_ID}/photos/nope", data=image_bytes(), headers=auditor).status_code
        == 404  # a malformed id matches no route (issue 19)
    )


def test_no_photo_is_added_to_a_submitted_audit(client, auditor, db):
    client.post(f"/api/v1/audits/{AUDIT_ID}/submit", headers=auditor)
    response = client.put(URL, data=image_bytes(), headers={**auditor, "Content-Type": "image/jpeg"})
    assert response.status_code == 409
    assert db["photos"].count == 0


def test_submit_waits_for_referenced_photos(client, auditor, visit_setup):
    document = design_document(visit_setup["branch_id"], visit_setup["ana"], revision=8)
    document["answers"]["greeted-30s"]["photos"] = [PHOTO_ID]
    client.put(f"/api/v1/audits/{AUDIT_ID}", json=document, headers=auditor)
    response = client.post(f"/api/v1/audits/{AUDIT_ID}/submit", headers=auditor)
    assert response.get_json()["fields"] == {"answers.greeted-30s.photos": ["1 photo(s) not uploaded yet."]}
    client.put(URL, data=image_bytes(), headers={**auditor, "Content-Type": "image/jpeg"})
    assert client.post(f"/api/v1/audits/{AUDIT_ID}/submit", headers=auditor).status_code == 200


def test_a_huge_exif_block_is_dropped(client, auditor, db):
    exif = Image.Exif()
    exif[0x010E] = "x" * 60_000  # a 60 kB image description
    data = image_bytes((640, 480), exif=exif.tobytes())
    assert len(data) > 60_000
    assert client.put(URL, data=data, headers={**auditor, "Content-Type": "image/jpeg"}).status_code == 201
    stored = db["photos"].get(PHOTO_ID)["image"]
    assert len(stored) < 20_000 and b"xxxxxxxx" not in stored


def test_a_png_sent_as_jpeg_is_reencoded(client, auditor, db):
    response = client.put(URL, data=image_bytes(fmt="PNG"), headers={**auditor, "Content-Type": "image/jpeg"})
    assert response.status_code == 201
    assert db["photos"].get(PHOTO_ID)["image"][:3] == b"\xff\xd8\xff"  # a real JPEG now


def _only_pixels(jpeg: bytes) -> None:
    with Image.open(io.BytesIO(jpeg)) as image:
        assert not {"comment", "exif", "icc_profile", "dpi"} & image.info.keys(), image.info


def test_comments_text_chunks_and_icc_profiles_are_dropped():
    from PIL import ImageCms, PngImagePlugin

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    jpeg = image_bytes(comment=b"shopper at table 4", icc_profile=icc)
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "GPS 51.5N 0.12W")
    png = image_bytes(fmt="PNG", pnginfo=text)
    gif = io.BytesIO()
    Image.new("P", (50, 50)).save(gif, "GIF", comment=b"gif secret")
    for data in (jpeg, png, gif.getvalue()):
        photo = process(data)
        for leaked in (b"shopper", b"GPS", b"gif secret", b"sRGB"):
            assert leaked not in photo.image and leaked not in photo.thumbnail
        _only_pixels(photo.image)
        _only_pixels(photo.thumbnail)


def test_a_jpeg_comment_over_64_kb_is_no_500_and_not_kept(client, auditor, db):
    data = image_bytes()
    # Two full COM segments: Pillow joins them and cannot write one that long; the clean re-encode
    # writes none.
    comment = b"\xff\xfe\xff\xff" + b"x" * 0xFFFD
    big = data[:2] + comment + comment + data[2:]
    response = client.put(URL, data=big, headers={**auditor, "Content-Type": "image/jpeg"})
    assert response.status_code == 201, response.get_json()
    assert b"x" * 100 not in db["photos"].get(PHOTO_ID)["image"]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_truncated_uploads_are_refused_even_after_weasyprint_was_imported(fmt):
    import weasyprint  # noqa: F401 (its import sets Pillow's LOAD_TRUNCATED_IMAGES for the process)
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    out = io.BytesIO()
    Image.effect_noise((400, 300), 60).convert("L" if fmt == "GIF" else "RGB").save(out, fmt)
    whole = out.getvalue()
    assert process(whole).width == 400
    with pytest.raises(PhotoError, match="incomplete|not an image"):
        process(whole[: len(whole) * 2 // 3])
