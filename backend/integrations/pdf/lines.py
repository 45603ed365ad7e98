"""Ruled ("lattice") tables: cells delimited by drawn rulings.

Rulings are merged, outer frames that a producer left out are completed, and
pdfplumber's intersection/cell finding turns them into cells.  Each candidate
grid is then checked: a grid whose cells hold several whitespace-separated
columns of text is only decoration (shading, partial rules), and the region
is left to the whitespace strategy instead.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right

from pdfplumber.table import (
    cells_to_tables,
    edges_to_intersections,
    intersections_to_cells,
    merge_edges,
)

from .cells import Box, Char, PageTable, chars_text, cluster_positions, nearest_index, trim
from .frames import complete_frames
from .header import first_value_line, is_value
from .layout import page_words, text_lines
from .rulings import Edge
from .settings import SETTINGS
from .text import body_rows


def _grid(cells: list[Box]) -> tuple[list[float], list[float]]:
    xs = cluster_positions([c[0] for c in cells] + [c[2] for c in cells], SETTINGS.snap)
    ys = cluster_positions([c[1] for c in cells] + [c[3] for c in cells], SETTINGS.snap)
    return xs, ys


def _cell_chars(
    chars: list[Char], cells: list[Box], xs: list[float], ys: list[float]
) -> list[list[Char]]:
    """Chars of each cell, found through the grid rather than cell by cell."""
    owner: dict[tuple[int, int], int] = {}
    for i, (x0, top, x1, bottom) in enumerate(cells):
        c0, c1 = nearest_index(xs, x0), nearest_index(xs, x1)
        r0, r1 = nearest_index(ys, top), nearest_index(ys, bottom)
        for r in range(r0, r1):
            for c in range(c0, c1):
                owner[(r, c)] = i
    buckets: list[list[Char]] = [[] for _ in cells]
    for ch in chars:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        if not (xs[0] <= cx < xs[-1] and ys[0] <= cy < ys[-1]):
            continue
        c, r = bisect_right(xs, cx) - 1, bisect_right(ys, cy) - 1
        cell = owner.get((r, c))
        if cell is not None:
            buckets[cell].append(ch)
    return buckets


def _split_spanning(chars: list[Char], xs: list[float]) -> dict[int, str] | None:
    """Text of a cell spanning several grid columns, split at those columns.

    Tables ruled fully in the header but only horizontally in the body come out
    of the grid as one wide cell per body row.  Where every text line of the
    cell breaks into whitespace-separated segments lying in different grid
    columns (camelot's split_text idea), each segment goes to its column.  A
    cell with any line in one piece (a wrapped heading) is a true span and
    stays whole.
    """
    placed: dict[int, list[str]] = {}
    for line in text_lines(chars):
        cols = [_column_at(xs, (seg.x0 + seg.x1) / 2) for seg in line.segments]
        if len(set(cols)) < 2:
            return None
        for col, seg in zip(cols, line.segments):
            placed.setdefault(col, []).append(seg.text)
    return {col: "\n".join(parts) for col, parts in placed.items()} or None


def _column_at(xs: list[float], x: float) -> int:
    return min(max(bisect_right(xs, x) - 1, 0), len(xs) - 2)


def _place(
    grid: list[list[str]], cell: Box, chars: list[Char], xs: list[float], ys: list[float]
) -> None:
    r = min(nearest_index(ys, cell[1]), len(grid) - 1)
    c0, c1 = nearest_index(xs, cell[0]), nearest_index(xs, cell[2])
    split = _split_spanning(chars, xs) if c1 - c0 > 1 else None
    if split is None:
        grid[r][min(c0, len(grid[0]) - 1)] = chars_text(chars)
        return
    for col, text in split.items():
        grid[r][col] = text


def _build_table(cells: list[Box], chars: list[Char]) -> PageTable | None:
    xs, ys = _grid(cells)
    if len(xs) < 3 or len(ys) < 3:
        return None  # fewer than 2 columns or 2 rows is a box, not a table
    grid, filled = _fill(cells, chars, xs, ys)
    if filled < 2:
        return None
    if _stacked(grid):
        grid = _rows_from_text(cells, chars, xs, ys)
    rows = trim(grid)
    if len(rows) < 2 or len(rows[0]) < 2:
        return None
    bbox = (xs[0], ys[0], xs[-1], ys[-1])
    columns = list(itertools.pairwise(xs))
    return PageTable(rows, bbox, "lines", columns, _cut_words(chars, cells), list(ys))


def _fill(
    cells: list[Box], chars: list[Char], xs: list[float], ys: list[float]
) -> tuple[list[list[str]], int]:
    """The grid's rows of cell texts, and how many cells hold text."""
    grid = [[""] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    filled = 0
    for cell, cell_chars in zip(cells, _cell_chars(chars, cells, xs, ys)):
        if any(ch["text"].strip() for ch in cell_chars):
            filled += 1
            _place(grid, cell, cell_chars, xs, ys)
    return grid, filled


def _stacked(grid: list[list[str]]) -> bool:
    """Some row has several cells ending in several values, one per line."""
    least = SETTINGS.quality_stacked_cells
    return any(sum(1 for cell in row if _value_lines(cell) >= 2) >= least for row in grid)


def _rows_from_text(
    cells: list[Box], chars: list[Char], xs: list[float], ys: list[float]
) -> list[list[str]]:
    """A grid whose body rows are not ruled, read again: the header from the
    grid's cells, the body one row per record from its text lines.

    Producers often rule the columns and the header but not the body's rows:
    the body then comes out of the grid as tall cells stacking a value per
    record.  The text lines inside the ruled columns give the records (the
    whitespace strategy's rows, with the grid's columns); everything above the
    first line of values keeps the structure its rulings give.
    """
    inside = [
        ch
        for ch in chars
        if xs[0] <= (ch["x0"] + ch["x1"]) / 2 < xs[-1]
        and ys[0] <= (ch["top"] + ch["bottom"]) / 2 < ys[-1]
    ]
    columns = list(itertools.pairwise(xs))
    lines = text_lines(inside, breaks=xs[1:-1])
    head = first_value_line(lines, columns)
    cut = lines[head].top if lines else ys[-1]
    header, _ = _fill(cells, [ch for ch in inside if ch["bottom"] <= cut], xs, ys)
    return [row for row in header if any(row)] + body_rows(lines[head:], columns)


def _value_lines(cell: str) -> int:
    """How many of the cell's last lines are values."""
    count = 0
    for line in reversed(cell.split("\n")):
        if not is_value(line):
            break
        count += 1
    return count


def several_values(cell: str) -> bool:
    """Two or more lines, every one a value."""
    values = _value_lines(cell)
    return values >= 2 and values == cell.count("\n") + 1


def _cut_words(chars: list[Char], cells: list[Box]) -> int:
    """Words that run out of the cell holding their middle: a rule cuts them."""
    tol = SETTINGS.snap
    cut = 0
    for w in page_words(chars):
        cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
        for x0, top, x1, bottom in cells:
            if x0 <= cx < x1 and top <= cy < bottom:
                cut += w["x0"] < x0 - tol or w["x1"] > x1 + tol
                break
    return cut


def find_lattice_tables(chars: list[Char], edges: list[Edge]) -> list[PageTable]:
    """Ruled tables among the given rulings (all in the reading frame)."""
    if len(edges) < 4:
        return []
    merged = merge_edges(edges, SETTINGS.snap, SETTINGS.snap, SETTINGS.snap, SETTINGS.snap)
    merged = [e for e in merged if max(e["x1"] - e["x0"], e["bottom"] - e["top"]) >= 3]
    merged = complete_frames(merged)
    points = edges_to_intersections(merged, SETTINGS.snap, SETTINGS.snap)
    tables = []
    for cells in cells_to_tables(intersections_to_cells(points)):
        table = _build_table(cells, chars)
        if table is not None:
            tables.append(table)
    return tables
