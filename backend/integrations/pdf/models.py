"""Result types of the extraction API."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ExtractedTable:
    """One table, possibly merged from consecutive pages.

    ``columns`` (x-extent of each column in the page's reading frame) and
    ``page_width``/``first_on_page``/``last_on_page`` are kept so that parts
    converted separately (e.g. page ranges in different processes) can still
    be joined by ``merge_continued_tables``.
    """

    rows: list[list[str]]
    first_page: int
    last_page: int
    bbox: tuple[float, float, float, float]  # x0, top, x1, bottom on first_page, displayed
    strategy: str  # "lines" | "text"
    columns: list[tuple[float, float]] = field(default_factory=list)
    page_width: float = 0.0
    first_on_page: bool = True  # nothing table-like above it on first_page
    last_on_page: bool = True  # nothing table-like below it on last_page
    quality: float = 1.0  # 0..1, see quality.py
    quality_reasons: list[str] = field(default_factory=list)
    # The detected grid on first_page, displayed coordinates: y of each row's top and the
    # bottom; empty on a sideways page, whose rows run across the display.
    row_edges: list[float] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass
class PageReport:
    """Progress after one page: page_number is 1-based, index counts from 1."""

    page_number: int
    index: int
    total: int
    tables_found: int


@dataclass
class ExtractionResult:
    tables: list[ExtractedTable]
    page_count: int  # pages in the document
    pages_done: int  # pages converted in this call
    image_only_pages: list[int] = field(default_factory=list)  # need OCR; not supported
