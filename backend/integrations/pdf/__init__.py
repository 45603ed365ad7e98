"""PDF table extraction: a pipeline of named stages.

1. Words and rulings (``layout``, ``rulings``, ``rotation``): words grouped
   into text lines and whitespace segments; visible strokes and thin boxes as
   rulings, cell backgrounds left out; sideways pages read in their own
   direction.
2. Regions (``lines``, ``text``, ``prose``): ruled grids from ruling intersections
   (pdfplumber's and camelot's lattice); blocks of text lines for whitespace
   tables (tabula's detection after Nurminen 2013), with prose, lists, charts'
   labels and captions set apart.  A user's area is one region.
3. Rows and columns (``columns``, ``header``): whitespace columns from gaps
   that no line crosses (pdfplumber's text strategy, camelot's stream); header
   lines joined per heading and split per level (Hurst 2000); unruled rows in
   a ruled grid split at their text lines.
4. Cells (``lines``, ``text``, ``cells``): text placed by its centre; a
   spanning cell's text in its top-left position; the ``quality`` of each table
   with the reasons a person can check.
5. Merge across pages (``merge``): a table continued on the next page with the
   same columns is one table.

Every threshold is named in ``settings.TableSettings``.

Public API:

    extract_tables(source, *, pages=None, strategy="auto", area=None,
                   password=None, on_page=None) -> ExtractionResult
    merge_continued_tables(tables) -> list[ExtractedTable]
    parse_page_spec("1,3-5", page_count) -> list[int]

All errors raised for unusable input derive from PdfError.
"""

from .errors import (
    CorruptPdf,
    EmptyPdf,
    InvalidPageSpec,
    NotAPdf,
    PageOutOfRange,
    PasswordRequired,
    PdfError,
    TooManyPages,
    WrongPassword,
)
from .extract import extract_tables
from .merge import merge_continued_tables
from .models import ExtractedTable, ExtractionResult, PageReport
from .pagespec import parse_page_spec

__all__ = [
    "CorruptPdf",
    "EmptyPdf",
    "ExtractedTable",
    "ExtractionResult",
    "InvalidPageSpec",
    "NotAPdf",
    "PageOutOfRange",
    "PageReport",
    "PasswordRequired",
    "PdfError",
    "TooManyPages",
    "WrongPassword",
    "extract_tables",
    "merge_continued_tables",
    "parse_page_spec",
]
