"""Cheap facts about a PDF, read without extracting anything."""

from __future__ import annotations

from .document import Source, open_pdf
from .errors import TooManyPages


def count_pages(source: Source, *, password: str | None = None, max_pages: int = 0) -> int:
    """Pages in the document; raises the same PdfError subclasses as extraction, and
    TooManyPages past `max_pages` (0: no limit), before a page is read."""
    with open_pdf(source, password) as pdf:
        pages = len(pdf.pages)
    if max_pages and pages > max_pages:
        raise TooManyPages(pages, max_pages)
    return pages
