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
from .rulings import Edge

SNAP = 3.0  # rulings closer than this are one ruling (double strokes, thin boxes)


def _grid(cells: list[Box]) -> tuple[list[float], list[float]]:
    xs = cluster_positions([c[0] for c in cells] + [c[2] for c in cells], SNAP)
    ys = cluster_positions([c[1] for c in cells] + [c[3] for c in cells], SNAP)
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
        i = owner.get((r, c))
        if i is not None:
            buckets[i].append(ch)
    return buckets


def _has_column_gap(chars: list[Char]) -> bool:
    """True if a text line in the cell has a gap as wide as a table column gap."""
    lines: dict[int, list[Char]] = {}
    for ch in chars:
        if ch["text"].strip():
            lines.setdefault(round((ch["top"] + ch["bottom"]) / 4), []).append(ch)
    for line in lines.values():
        line.sort(key=lambda c: c["x0"])
        for a, b in itertools.pairwise(line):
            if b["x0"] - a["x1"] > 2.0 * max(a["size"], b["size"], 4.0):
                return True
    return False


def _build_table(cells: list[Box], chars: list[Char]) -> PageTable | None:
    xs, ys = _grid(cells)
    if len(xs) < 3 or len(ys) < 3:
        return None  # fewer than 2 columns or 2 rows is a box, not a table
    grid = [[""] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    buckets = _cell_chars(chars, cells, xs, ys)
    gappy = filled = 0
    for cell, cell_chars in zip(cells, buckets):
        text = chars_text(cell_chars)
        if not text:
            continue
        filled += 1
        gappy += _has_column_gap(cell_chars)
        r, c = nearest_index(ys, cell[1]), nearest_index(xs, cell[0])
        grid[min(r, len(grid) - 1)][min(c, len(grid[0]) - 1)] = text
    if filled < 2 or gappy > max(1, 0.1 * filled):
        return None
    rows = trim(grid)
    if len(rows) < 2 or len(rows[0]) < 2:
        return None
    bbox = (xs[0], ys[0], xs[-1], ys[-1])
    return PageTable(rows, bbox, "lines", [(a, b) for a, b in itertools.pairwise(xs)])


def find_lattice_tables(chars: list[Char], edges: list[Edge]) -> list[PageTable]:
    """Ruled tables among the given rulings (all in the reading frame)."""
    if len(edges) < 4:
        return []
    merged = merge_edges(edges, SNAP, SNAP, SNAP, SNAP)
    merged = [e for e in merged if max(e["x1"] - e["x0"], e["bottom"] - e["top"]) >= 3]
    merged = complete_frames(merged)
    points = edges_to_intersections(merged, SNAP, SNAP)
    tables = []
    for cells in cells_to_tables(intersections_to_cells(points)):
        table = _build_table(cells, chars)
        if table is not None:
            tables.append(table)
    return tables
