"""Joining a table that runs over consecutive pages into one table.

Works from ExtractedTable values alone, so parts converted in different
processes can be merged afterwards.  A table continues on the next page when
it is the last table of its page, the other is the first table of the next
page, and both have the same columns (same count, each column overlapping
its counterpart horizontally).  A repeated header row is kept, as it is in
the document.
"""

from __future__ import annotations

from collections.abc import Iterable

from .models import ExtractedTable
from .quality import Quality, combine
from .settings import SETTINGS


def _same_columns(a: ExtractedTable, b: ExtractedTable) -> bool:
    if a.n_cols != b.n_cols or a.n_cols < 2:
        return False
    if not a.columns or not b.columns or len(a.columns) != len(b.columns):
        return a.strategy == b.strategy
    for (a0, a1), (b0, b1) in zip(a.columns, b.columns):
        if min(a1, b1) + SETTINGS.column_slack < max(a0, b0):
            return False
    return True


def continues(a: ExtractedTable, b: ExtractedTable) -> bool:
    """True if b is the continuation of a on the following page."""
    return (
        b.first_page == a.last_page + 1
        and a.last_on_page
        and b.first_on_page
        and _same_columns(a, b)
    )


def _join(a: ExtractedTable, b: ExtractedTable) -> ExtractedTable:
    columns = [(min(x0, y0), max(x1, y1)) for (x0, x1), (y0, y1) in zip(a.columns, b.columns)]
    return ExtractedTable(
        rows=[list(r) for r in a.rows] + [list(r) for r in b.rows],
        first_page=a.first_page,
        last_page=b.last_page,
        bbox=a.bbox,
        strategy=a.strategy,
        columns=columns or a.columns,
        page_width=a.page_width,
        first_on_page=a.first_on_page,
        last_on_page=b.last_on_page,
        row_edges=a.row_edges,
        **_joined_quality(a, b),
    )


def _joined_quality(a: ExtractedTable, b: ExtractedTable) -> dict:
    joined = combine(Quality(a.quality, a.quality_reasons), Quality(b.quality, b.quality_reasons))
    return {"quality": joined.score, "quality_reasons": joined.reasons}


def merge_continued_tables(tables: Iterable[ExtractedTable]) -> list[ExtractedTable]:
    """Tables in page order with continuations across page breaks joined."""
    ordered = sorted(tables, key=lambda t: t.first_page)  # stable: keeps order on a page
    merged: list[ExtractedTable] = []
    for table in ordered:
        prev = _last_ending_before(merged, table.first_page)
        if prev is not None and continues(merged[prev], table):
            merged[prev] = _join(merged[prev], table)
        else:
            merged.append(table)
    return merged


def _last_ending_before(merged: list[ExtractedTable], page: int) -> int | None:
    """Index of the last merged table that ends on the page before `page`."""
    for i in range(len(merged) - 1, -1, -1):
        if merged[i].last_page == page - 1:
            return i
        if merged[i].last_page < page - 1:
            return None
    return None
