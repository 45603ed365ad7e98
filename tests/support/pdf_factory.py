"""Generated PDFs for extraction tests, built from real corpus pages with pypdfium2."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c


def repeated_pages(
    source: Path, target: Path, n_pages: int, pages: list[int] | None = None
) -> Path:
    """A PDF of n_pages made by importing the given 1-based source pages over and over."""
    src = pdfium.PdfDocument(str(source))
    out = pdfium.PdfDocument.new()
    try:
        cycle = [p - 1 for p in (pages or range(1, len(src) + 1))]
        while len(out) < n_pages:
            chunk = cycle[: n_pages - len(out)]
            out.import_pages(src, pages=chunk, index=len(out))
        out.save(str(target))
    finally:
        out.close()
        src.close()
    return target


def image_only(target: Path, n_pages: int = 1) -> Path:
    """A PDF whose pages show only a grey image: text would need OCR."""
    pdf = pdfium.PdfDocument.new()
    try:
        for _ in range(n_pages):
            page = pdf.new_page(612, 792)
            bitmap = pdfium.PdfBitmap.new_native(200, 100, pdfium_c.FPDFBitmap_BGR)
            bitmap.fill_rect((128, 128, 128, 255), 0, 0, 200, 100)
            image = pdfium.PdfImage.new(pdf)
            image.set_bitmap(bitmap)
            image.set_matrix(pdfium.PdfMatrix().scale(400, 200).translate(100, 400))
            page.insert_obj(image)
            page.gen_content()
        pdf.save(str(target))
    finally:
        pdf.close()
    return target


def blank(target: Path) -> Path:
    """A one-page PDF with nothing on the page."""
    pdf = pdfium.PdfDocument.new()
    try:
        pdf.new_page(612, 792)
        pdf.save(str(target))
    finally:
        pdf.close()
    return target


def truncated(source: Path, target: Path, fraction: float = 0.5) -> Path:
    """A copy of source cut after the given fraction of its bytes."""
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * fraction)])
    return target
