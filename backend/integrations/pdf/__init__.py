"""PDF table extraction: ruled and whitespace tables, rotation, multi-page merge.

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
    WrongPassword,
)
from .extract import STRATEGIES, extract_tables
from .merge import merge_continued_tables
from .models import ExtractedTable, ExtractionResult, PageReport
from .pagespec import parse_page_spec

__all__ = [
    "STRATEGIES",
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
    "WrongPassword",
    "extract_tables",
    "merge_continued_tables",
    "parse_page_spec",
]
