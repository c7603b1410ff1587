"""PDF documents: a scorecard's data rendered with its template, cached by everything it shows;
the visit report and the branch and employee scorecards, for the views and the CLI alike."""

import hashlib
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app, render_template
from sqlite_utils import Database

from audits import store as audits_store
from db import now, trim_pdf_cache
from errors import AppError
from org import settings
from reports import scorecards
from reports.pdf import render_pdf
from reports.periods import Period

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


def visit_pdf(db: Database, audit_id: str, show_time: bool = True, paper: str = "a4") -> tuple[bytes, str]:
    """An audit's visit report, and its file name."""
    data = scorecards.visit_report(db, audit_id, branding(db)["colour"], show_time)
    pdf = pdf_document(db, "visit", data, lambda: data, f"Visit report · {data['visited'][:10]}", paper)
    return pdf, f"visit-{data['branch']['code']}-{data['visited'][:10]}.pdf"


def branch_pdf(db: Database, branch_id: int, period: Period, paper: str = "a4") -> bytes:
    """A branch's scorecard for a period."""
    colour = branding(db)["colour"]
    return pdf_document(
        db,
        "branch",
        scorecards.branch_scorecard_state(db, branch_id, period),
        lambda: scorecards.branch_scorecard(db, branch_id, period, colour),
        f"Branch scorecard · {period.label}",
        paper,
    )


def employee_pdf(db: Database, employee_id: int, period: Period, paper: str = "a4") -> bytes:
    """An employee's scorecard for a period."""
    return pdf_document(
        db,
        "employee",
        scorecards.employee_scorecard_state(db, employee_id, period),
        lambda: scorecards.employee_scorecard(db, employee_id, period, branding(db)["colour"]),
        f"Employee scorecard · {period.label}",
        paper,
    )
