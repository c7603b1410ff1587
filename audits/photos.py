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
    image.save(out, "JPEG", quality=quality, optimize=True)  # no exif= argument: metadata is dropped
    return out.getvalue()


def process(data: bytes) -> Photo:
    """Check and re-encode an upload: at most LONG_SIDE px, upright, without metadata."""
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
        if width * height > MAX_PIXELS:
            raise PhotoError(
                f"The image is {width}×{height} pixels; at most {MAX_PIXELS // 1_000_000} megapixels."
            )
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise PhotoError("The file is not an image (or it is damaged).") from None
    upright.thumbnail((LONG_SIDE, LONG_SIDE))
    full = _jpeg(upright, 85)
    small = upright.copy()
    small.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return Photo(full, _jpeg(small, 75), upright.width, upright.height, hashlib.sha256(full).hexdigest())
