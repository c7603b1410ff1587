"""The QR code of a survey poster, as inline SVG (segno: pure Python, no native library)."""

import io

import segno


def qr_svg(url: str) -> str:
    """The URL as a QR code in SVG that scales to its box (error correction M survives a scuffed poster)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", xmldecl=False, svgns=True, omitsize=True, border=2)
    return out.getvalue().decode()
