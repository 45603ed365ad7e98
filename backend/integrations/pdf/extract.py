"""Per-page orchestration: orientation, area, strategy choice, result building."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from statistics import median
from typing import Any

from backend.vocabulary import STRATEGIES

from .cells import Box, PageTable, center_in
from .document import Source, open_pdf, page_is_image_only, read_page_guarded
from .errors import InvalidPageSpec
from .layout import text_lines
from .lines import find_lattice_tables
from .merge import merge_continued_tables
from .models import ExtractedTable, ExtractionResult, PageReport
from .pagespec import check_pages
from .prose import is_prose
from .quality import Quality, assess
from .rotation import LTR, Frame, detect_direction, reframe
from .rulings import clip_edges, collect_rulings, normalise
from .separated import separated_table
from .settings import SETTINGS
from .text import find_text_tables


def _page_objects(page: Any, area: Box | None) -> tuple[list[dict], list[dict]]:
    chars = list(page.chars)
    edges = collect_rulings(page.lines, page.rects, page.curves)
    if area is not None:
        top, left, bottom, right = area
        box = (left, top, right, bottom)
        chars = [c for c in chars if center_in(c, box)]
        # An area drawn snugly around the text leaves the table's frame just
        # outside it: rulings are read from a margin around the area.
        m = SETTINGS.area_ruling_margin
        edges = clip_edges(edges, (left - m, top - m, right + m, bottom + m))
    return chars, edges


def _outside(chars: list[dict], tables: list[PageTable]) -> list[dict]:
    """Chars not covered by the already found (ruled) tables."""
    boxes = [(t.bbox[0] - 1, t.bbox[1] - 1, t.bbox[2] + 1, t.bbox[3] + 1) for t in tables]
    return [c for c in chars if not any(center_in(c, b) for b in boxes)]


def find_page_tables(
    page: Any, strategy: str, area: Box | None, separators: Sequence[float] = ()
) -> list[ExtractedTable]:
    """Tables of one pdfplumber page, in reading order, bboxes in displayed coordinates."""
    chars, edges = _page_objects(page, area)
    frame = Frame(detect_direction(chars), float(page.width), float(page.height))
    if area is not None and separators:
        # A person's columns are drawn on the displayed page: read it as displayed.
        top, left, bottom, right = area
        drawn = separated_table(chars, (left, top, right, bottom), list(separators))
        if drawn is None:
            return []
        frame = Frame(LTR, frame.width, frame.height)
        return [_to_extracted(drawn, 0, 1, page.page_number, frame, _quality(drawn, chars))]
    chars = [reframe(c, frame) for c in chars]
    edges = [normalise(reframe(e, frame)) for e in edges]
    found = _find_tables(chars, edges, strategy, area is not None)
    found.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
    return [
        _to_extracted(t, i, len(found), page.page_number, frame, _quality(t, chars))
        for i, t in enumerate(found)
    ]


def _quality(table: PageTable, chars: list[dict]) -> Quality:
    """The table's quality, judged against the characters inside its region."""
    inside = sum(1 for c in chars if c["text"].strip() and center_in(c, table.bbox))
    return assess(table.rows, inside, table.split_words)


def _find_tables(
    chars: list[dict], edges: list[dict], strategy: str, in_area: bool
) -> list[PageTable]:
    """Ruled tables first, whitespace tables in the text they leave.

    Inside a user's area all the text is one table: when ruled grids leave a
    good part of it outside (a label column beyond the frame, a body without
    rules under a ruled header), the whole area is read as one whitespace
    table instead of splitting it.
    """
    found = find_lattice_tables(chars, edges) if strategy in ("auto", "lines") else []
    if strategy == "lines":
        return found
    rest = _outside(chars, found)
    if in_area and (not found or _share(rest, chars) > SETTINGS.area_outside_share):
        return find_text_tables(chars, edges, whole=True) or found
    found = [_with_label_column(t, chars, edges) for t in found]
    return found + find_text_tables(_outside(chars, found), edges, whole=False)


def _with_label_column(table: PageTable, chars: list[dict], edges: list[dict]) -> PageTable:
    """A ruled grid with a column of labels left of its frame, read with it.

    Producers often rule only the value columns.  Short text just left of the
    grid, on most of the grid's rows, is its stub column: the grid and those
    labels are read as one area, as a user's area would be.  Lines of running
    text beside the grid (a page's other column) are no labels.
    """
    x0, top, x1, bottom = table.bbox
    band = [
        c
        for c in chars
        if c["x1"] <= x0 and top <= (c["top"] + c["bottom"]) / 2 <= bottom and c["text"].strip()
    ]
    labels = [line.segments[-1] for line in text_lines(band)]
    labels = [s for s in labels if s.x0 >= x0 - SETTINGS.label_column_reach * (x1 - x0)]
    if len(labels) < len(table.rows) / 2:
        return table
    if median(len(s.words) for s in labels) > SETTINGS.prose_words_per_cell:
        return table
    left = min(s.x0 for s in labels)
    region = [c for c in chars if center_in(c, (left - 1, top - 1, x1 + 1, bottom + 1))]
    whole = find_text_tables(region, edges, whole=True)
    if len(whole) != 1 or len(whole[0].rows) < len(table.rows) or is_prose(whole[0].rows):
        return table
    return whole[0]


def _share(part: list[dict], chars: list[dict]) -> float:
    printed = sum(1 for c in chars if c["text"].strip())
    return sum(1 for c in part if c["text"].strip()) / printed if printed else 0.0


def _to_extracted(
    t: PageTable, i: int, n: int, page_no: int, frame: Frame, quality: Quality
) -> ExtractedTable:
    return ExtractedTable(
        rows=t.rows,
        first_page=page_no,
        last_page=page_no,
        bbox=frame.to_display(t.bbox),
        strategy=t.strategy,
        columns=list(t.columns),
        page_width=frame.size[0],
        first_on_page=i == 0,
        last_on_page=i == n - 1,
        quality=quality.score,
        quality_reasons=quality.reasons,
        row_edges=list(t.row_edges) if frame.direction == LTR else [],
    )


def extract_tables(
    source: Source,
    *,
    pages: Sequence[int] | None = None,
    strategy: str = "auto",
    area: Box | None = None,
    password: str | None = None,
    on_page: Callable[[PageReport], None] | None = None,
    separators: Sequence[float] = (),
) -> ExtractionResult:
    """Extract the tables of a PDF.

    pages: 1-based page numbers (default all).  area: (top, left, bottom, right)
    in PDF points from the displayed page's top-left corner; only that region
    is read.  separators: x positions (points) of column boundaries inside the
    area, placed by a person; with them the area is read as one table with
    exactly those columns.  Tables continuing over consecutive pages are merged.
    """
    if strategy not in STRATEGIES:
        raise InvalidPageSpec(f"unknown strategy {strategy!r}; use one of {', '.join(STRATEGIES)}")
    with open_pdf(source, password) as pdf:
        page_count = len(pdf.pages)
        todo = (
            check_pages(pages, page_count) if pages is not None else list(range(1, page_count + 1))
        )
        tables: list[ExtractedTable] = []
        image_only: list[int] = []
        for index, number in enumerate(todo, start=1):
            page = pdf.pages[number - 1]
            try:
                # Merged as we go, so the live count of tables never goes down.
                tables = merge_continued_tables(
                    tables + _safe_page_tables(page, strategy, area, separators)
                )
                if read_page_guarded(partial(page_is_image_only, page)):
                    image_only.append(number)
            finally:
                page.close()  # drop the page's cached layout objects to bound memory
            if on_page is not None:
                on_page(PageReport(number, index, len(todo), len(tables)))
    return ExtractionResult(tables, page_count, len(todo), image_only)


def _safe_page_tables(
    page: Any, strategy: str, area: Box | None, separators: Sequence[float]
) -> list[ExtractedTable]:
    return read_page_guarded(lambda: find_page_tables(page, strategy, area, separators))
