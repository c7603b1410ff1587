"""Photos as evidence: checked to be images, bounded in size, re-encoded as clean JPEG with a thumbnail."""

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 12 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 50-megapixel camera; anything larger is refused before decoding
LONG_SIDE = 1600
THUMB_SIDE = 320
FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}


class PhotoError(ValueError):
    """An upload that is not an acceptable photo; the message says why."""


@dataclass(frozen=True)
class Photo:
    image: bytes
    thumbnail: bytes
    width: int
    height: int
    sha256: str


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image with the pixels and nothing else: Pillow would write a source's comment, ICC
    profile or EXIF (GPS) back into the JPEG, as they travel in image.info through every copy."""
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    return clean


def is_complete(kind: str, data: bytes) -> bool:
    """Whether the file reaches its format's end marker. Pillow decodes truncated files silently
    once anything in the process sets ImageFile.LOAD_TRUNCATED_IMAGES (importing WeasyPrint does),
    so completeness is checked here, from the bytes, whatever else ran."""
    if kind in ("JPEG", "MPO"):
        return data.rfind(b"\xff\xd9") > data.rfind(b"\xff\xda")  # end of image after the last scan
    if kind == "PNG":
        return data.rfind(b"IEND") > data.rfind(b"IDAT")
    if kind == "GIF":
        return data.rstrip(b"\x00").endswith(b";")
    if kind == "WEBP":
        return len(data) >= 8 + int.from_bytes(data[4:8], "little")  # the RIFF size covers the file
    return False


def process(data: bytes) -> Photo:
    """Check and re-encode an upload: at most LONG_SIDE px, upright, pixels only (no EXIF, GPS,
    comment, text chunk or ICC profile)."""
    if len(data) > MAX_BYTES:
        raise PhotoError(f"The photo is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        with warnings.catch_warnings():
            # Pillow warns about huge images when it opens them; the size check below refuses them.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind, (width, height) = probe.format, probe.size
        if kind not in FORMATS:
            raise PhotoError(f"{kind} files are not accepted; send a JPEG, PNG or WebP photo.")
        if not is_complete(kind, data):
            raise PhotoError("The photo is incomplete (the upload was cut off); send it again.")
        if width * height > MAX_PIXELS:
            raise PhotoError(
                f"The image is {width}×{height} pixels; at most {MAX_PIXELS // 1_000_000} megapixels."
            )
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = _pixels_only(ImageOps.exif_transpose(image).convert("RGB"))
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise PhotoError("The file is not an image (or it is damaged).") from None
    upright.thumbnail((LONG_SIDE, LONG_SIDE))
    full = _jpeg(upright, 85)
    small = upright.copy()
    small.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return Photo(full, _jpeg(small, 75), upright.width, upright.height, hashlib.sha256(full).hexdigest())
