"""Typed errors for PDF table extraction.

Every error a caller can act on derives from ``PdfError`` and carries a short
message meant to be shown to the person who uploaded the file.
"""

from __future__ import annotations


class PdfError(Exception):
    """Base class of every extraction error."""


class NotAPdf(PdfError):
    """The content is not a PDF (judged by the bytes, not the file name)."""


class EmptyPdf(PdfError):
    """The file has zero bytes."""


class CorruptPdf(PdfError):
    """The PDF is damaged or truncated and cannot be read."""


class PasswordRequired(PdfError):
    """The PDF is encrypted and no password was given."""


class WrongPassword(PdfError):
    """The PDF is encrypted and the given password does not open it."""


class PageOutOfRange(PdfError):
    """A requested page does not exist in the document."""


class InvalidPageSpec(PdfError):
    """A page specification string cannot be parsed."""


class TooManyPages(PdfError):
    """The document has more pages than one conversion may take."""

    def __init__(self, pages: int, limit: int) -> None:
        super().__init__(f"the PDF has {pages:,} pages; the limit is {limit:,}")
        self.pages, self.limit = pages, limit
