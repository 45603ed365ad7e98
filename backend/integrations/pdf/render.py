"""Pages as pictures: what a person compares a table with."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
from PIL import Image, PngImagePlugin

from .errors import CorruptPdf, WrongPassword


@dataclass(frozen=True)
class PageImage:
    png: bytes
    # The displayed page in points: the image spans it, so a pixel is width_pt / pixels wide.
    width_pt: float
    height_pt: float


def render_page(path: Path, page_number: int, *, width_px: int, password: str = "") -> PageImage:
    """The displayed page (its rotation applied) as a PNG `width_px` pixels wide."""
    try:
        pdf = pypdfium2.PdfDocument(str(path), password=password or None)
    except pypdfium2.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise WrongPassword("the PDF needs its password to be shown") from exc
        raise CorruptPdf(f"the page cannot be drawn ({exc})") from exc
    try:
        page = pdf[page_number - 1]
        width_pt, height_pt = page.get_size()
        bitmap = page.render(scale=width_px / width_pt)
        # The page's size travels inside the PNG, so a cached image alone can be drawn on.
        info = PngImagePlugin.PngInfo()
        info.add_text("page-size-pt", f"{width_pt} {height_pt}")
        out = io.BytesIO()
        bitmap.to_pil().save(out, format="PNG", pnginfo=info)
        return PageImage(out.getvalue(), width_pt, height_pt)
    finally:
        pdf.close()


def read_page_image(png: bytes) -> PageImage:
    """A PageImage from a PNG that render_page made."""
    with Image.open(io.BytesIO(png)) as image:
        width_pt, height_pt = (float(v) for v in image.info["page-size-pt"].split())
    return PageImage(png, width_pt, height_pt)
