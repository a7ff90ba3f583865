"""QR codes of the public survey links (10.1), as SVG, for printing in a store or posting on an
account: platform users scan them with their phone."""

from __future__ import annotations

import io

import segno

QR_SCALE = 6  # pixels per module: crisp when printed at A6 and larger
QR_BORDER = 2


def qr_svg(url: str, *, title: str = "") -> str:
    """A standalone SVG document encoding ``url``."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=QR_SCALE, border=QR_BORDER, title=title or None)
    return buffer.getvalue().decode()


def qr_svg_inline(url: str) -> str:
    """The same code as an ``<svg>`` element to place inside a page."""
    return segno.make(url, error="m").svg_inline(scale=QR_SCALE, border=QR_BORDER)
