"""Company settings kept in the database: the name, colour and logo printed on every PDF."""

import hashlib
import io
import re
import warnings

from PIL import Image, UnidentifiedImageError
from sqlite_utils import Database

from errors import AppError

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
LOGO_BOX = (600, 200)
MAX_LOGO_PIXELS = 25_000_000  # refused before decoding: a small file may unpack to gigabytes


def branding(db: Database, defaults: dict) -> dict:
    """{"company", "colour", "logo"}: what head office set, else the configured defaults; "logo" is
    a digest of the logo (so a new logo makes new PDFs) or None."""
    rows = {r["key"]: r for r in db.query("select key, value, data from settings")}
    return {
        "company": rows["company"]["value"] if "company" in rows else defaults["company"],
        "colour": rows["colour"]["value"] if "colour" in rows else defaults["colour"],
        "logo": hashlib.sha256(rows["logo"]["data"]).hexdigest()[:16] if "logo" in rows else None,
    }


def save_branding(db: Database, company: str, colour: str, logo: bytes | None) -> None:
    if not COLOUR.match(colour):
        raise AppError("The colour is a hex code such as #0b5d54.", 422, {"colour": ["Use #rrggbb."]})
    png = None
    if logo:
        try:
            with warnings.catch_warnings():
                # Pillow warns about huge images when it opens them; the size check below refuses them.
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                image = Image.open(io.BytesIO(logo))
            with image:
                if image.width * image.height > MAX_LOGO_PIXELS:
                    raise Image.DecompressionBombError(f"{image.width}×{image.height} pixels")
                image.thumbnail(LOGO_BOX)
                out = io.BytesIO()
                image.convert("RGBA").save(out, "PNG")
                png = out.getvalue()
        except Image.DecompressionBombError:
            message = f"The logo is too large; send one under {MAX_LOGO_PIXELS // 1_000_000} megapixels."
            raise AppError(message, 422, {"logo": ["Too large."]}) from None
        except (UnidentifiedImageError, OSError, ValueError):
            raise AppError("The logo is not an image.", 422, {"logo": ["Not an image."]}) from None
    db["settings"].upsert({"key": "company", "value": company.strip()}, pk="key")
    db["settings"].upsert({"key": "colour", "value": colour.lower()}, pk="key")
    if png:
        db["settings"].upsert({"key": "logo", "value": "image/png", "data": png}, pk="key")


def logo_png(db: Database) -> bytes | None:
    rows = list(db.query("select data from settings where key = 'logo'"))
    return rows[0]["data"] if rows else None
