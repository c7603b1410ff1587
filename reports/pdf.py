"""Rendering HTML to PDF with WeasyPrint, fetching only the app's own files and photos.

WeasyPrint is imported on first use: importing it costs most of a second.
"""

import mimetypes
from collections.abc import Callable
from functools import cache
from pathlib import Path

from markupsafe import Markup

BASE_URL = "https://visitscore.invalid/"


@cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AppFetcher(URLFetcher):
        """Serves /static/ files and what `load` finds in the database (photos, the logo); refuses
        file://, the network and all else."""

        def __init__(self, static_folder: str, load: Callable[[str], tuple[bytes, str] | None]):
            super().__init__(allowed_protocols={"https", "data"})
            self.static_folder = Path(static_folder).resolve()
            self.load = load
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith(BASE_URL + "static/"):
                path = (self.static_folder / url.removeprefix(BASE_URL + "static/").split("?")[0]).resolve()
                if path.is_file() and path.is_relative_to(self.static_folder):
                    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": kind})
            elif url.startswith(BASE_URL) and (found := self.load(url.removeprefix(BASE_URL))):
                data, kind = found
                return URLFetcherResponse(url, body=data, headers={"Content-Type": kind})
            self.refused.append(url)
            raise ValueError(f"PDFs only use the app's own files; refused {url}")

    return AppFetcher


def render_pdf(
    html: str, static_folder: str, photo: Callable[[str, str, bool], bytes]
) -> tuple[bytes, list[str]]:
    """The PDF of an HTML page, and the URLs it was refused (relative links resolve inside the app)."""
    from weasyprint import HTML

    fetcher = _fetcher_class()(static_folder, photo)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf(), fetcher.refused


def css_string(text) -> Markup:
    """Text as a quoted CSS string for @page margin boxes: every character but letters, digits and
    spaces is a CSS escape, so neither quotes nor </style> can break out, and "&" stays "&"."""
    body = "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):x} " for ch in str(text))
    return Markup(f'"{body}"')
