"""Cheap facts about a PDF, read without extracting anything."""

from __future__ import annotations

from .document import Source, open_pdf


def count_pages(source: Source, *, password: str | None = None) -> int:
    """Pages in the document; raises the same PdfError subclasses as extraction."""
    with open_pdf(source, password) as pdf:
        return len(pdf.pages)
