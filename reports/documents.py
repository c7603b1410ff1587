"""PDF documents: a scorecard's data rendered with its template, cached by everything it shows."""

import hashlib
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app, render_template
from sqlite_utils import Database

from audits import store as audits_store
from db import trim_pdf_cache
from org import settings
from org.errors import AppError
from org.store import now
from reports.pdf import render_pdf

# Bump when a PDF template or its CSS changes, so cached PDFs are made again.
TEMPLATE_VERSION = "2026-11-1"
PAPERS = {"a4": "A4", "letter": "Letter"}


_PHOTO = re.compile(r"^audits/([0-9a-f-]{36})/photos/([0-9a-f-]{36})(\?size=thumb)?$")


def branding(db: Database) -> dict:
    """The company name, colour and logo digest on PDFs: the settings, else the configuration."""
    config = current_app.config
    return settings.branding(db, {"company": config["COMPANY_NAME"], "colour": config["BRAND_COLOUR"]})


def _loader(db: Database):
    """What a PDF may embed from the database: an audit's own photos and the company logo."""

    def load(path: str) -> tuple[bytes, str] | None:
        if path.startswith("settings/logo.png"):
            logo = settings.logo_png(db)
            return (logo, "image/png") if logo else None
        if match := _PHOTO.match(path):
            info = audits_store.get_photo_info(db, match[2])
            if info["audit_id"] != match[1]:
                raise AppError("Not this audit's photo.", 404)
            return audits_store.photo_bytes(db, match[2], bool(match[3])), "image/jpeg"
        return None

    return load


def pdf_document(
    db: Database, kind: str, state, build: Callable[[], dict], header_right: str, paper: str = "a4"
) -> bytes:
    """The PDF of a scorecard: from the cache while `state` (everything that can change what it
    shows) is unchanged, so a cached PDF costs no aggregation; otherwise `build()` makes its data."""
    paper_size = PAPERS.get(paper.lower(), "A4")
    brand = branding(db)
    key = hashlib.sha256(
        json.dumps(
            [kind, TEMPLATE_VERSION, state, brand, paper_size, header_right], sort_keys=True, default=str
        ).encode()
    ).hexdigest()
    rows = list(db.query("select pdf from pdf_cache where cache_key = ?", [key]))
    if rows:
        return rows[0]["pdf"]
    html = render_template(
        f"reports/pdf/{kind}.html",
        data=build(),
        paper=paper_size,
        header_right=header_right,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        **brand,
    )
    pdf, _refused = render_pdf(html, current_app.static_folder, _loader(db))
    db["pdf_cache"].insert({"cache_key": key, "pdf": pdf, "created_at": now()}, replace=True)
    config = current_app.config
    trim_pdf_cache(db, config["PDF_CACHE_MAX_MB"] * 1024 * 1024, config["PDF_CACHE_DAYS"])
    return pdf
