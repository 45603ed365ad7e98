"""Whitespace ("stream") tables: columns found from aligned gaps in the text.

Blocks of consecutive text lines with two or more segments are table
candidates; prose lines (one wide segment), a change of font size (titles)
or a large vertical gap end a block.  Rows are text lines, except that a
wrapped row label which shares the vertical band of its values joins that
row, and a multi-line header closed by a horizontal rule (tables ruled only
horizontally) becomes one header row.
"""

from __future__ import annotations

import itertools

from pdfplumber.table import merge_edges

from .cells import PageTable, cluster_positions, trim
from .columns import Span, column_of, find_columns
from .header import header_length, header_rows
from .layout import Char, TextLine, text_lines
from .prose import below_caption, is_prose
from .rulings import Edge
from .settings import SETTINGS


def _fits(line: TextLine, block: list[TextLine], size: float) -> bool:
    prev = block[-1]
    if line.top - prev.bottom > SETTINGS.block_gap_lines * max(prev.height, 1.0):
        return False
    if not size / SETTINGS.block_size_ratio <= line.size <= size * SETTINGS.block_size_ratio:
        return False
    if len(line.segments) >= 2:
        return True
    width = max(ln.x1 for ln in block) - min(ln.x0 for ln in block)
    return line.x1 - line.x0 < SETTINGS.block_label_width * width


def _close(block: list[TextLine], out: list[list[TextLine]]) -> None:
    while block and len(block[-1].segments) < 2:
        block.pop()
    if sum(len(ln.segments) >= 2 for ln in block) >= 2:
        out.append(block)


def find_blocks(lines: list[TextLine]) -> list[list[TextLine]]:
    blocks: list[list[TextLine]] = []
    block: list[TextLine] = []
    size = 0.0
    for line in lines:
        singles = 0
        for ln in reversed(block):
            if len(ln.segments) >= 2:
                break
            singles += 1
        if block and _fits(line, block, size) and singles < SETTINGS.block_max_singles:
            block.append(line)
            continue
        _close(block, blocks)
        block, size = ([line], line.size) if len(line.segments) >= 2 else ([], 0.0)
    _close(block, blocks)
    return blocks


def _extend_up(block: list[TextLine], lines: list[TextLine]) -> list[TextLine]:
    """Prepend spanning header lines (short, single segment, over the value columns)."""
    left = min(ln.x0 for ln in block)
    width = max(ln.x1 for ln in block) - left
    i = lines.index(block[0])
    added = 0
    while i > 0 and added < SETTINGS.max_header_lines:
        line, first = lines[i - 1], block[0]
        close = first.top - line.bottom <= SETTINGS.header_reach_lines * max(first.height, 1.0)
        narrow = line.x1 - line.x0 < SETTINGS.block_label_width * width
        narrow = narrow and line.x0 > left + SETTINGS.edge_share * width
        if not (close and narrow and len(line.segments) == 1 and line.x0 < left + width):
            break
        block = [line, *block]
        i, added = i - 1, added + 1
    return block


def _line_cells(line: TextLine, columns: list[Span]) -> dict[int, list[str]]:
    cells: dict[int, list[str]] = {}
    for seg in line.segments:
        cells.setdefault(column_of(seg, columns), []).append(seg.text)
    return cells


def _group_rows(lines: list[TextLine], columns: list[Span]) -> list[list[TextLine]]:
    """Text lines per row; a label-only line overlapping a row without label joins it."""
    rows: list[list[TextLine]] = []
    for line in lines:
        cols = set(_line_cells(line, columns))
        if rows and _wraps_into(rows[-1], line, cols, columns):
            rows[-1].append(line)
        else:
            rows.append([line])
    return rows


def _wraps_into(row: list[TextLine], line: TextLine, cols: set[int], columns: list[Span]) -> bool:
    row_cols = set().union(*(_line_cells(ln, columns) for ln in row))
    if row_cols == {0} and 0 in cols and _continues_label(line, columns):
        return True  # a wrapped label whose values sit on its last line
    overlaps = any(min(ln.bottom, line.bottom) - max(ln.top, line.top) > 0 for ln in row)
    if not overlaps:
        return False
    label_only = cols == {0} and 0 not in row_cols
    values_only = 0 not in cols and all(_line_cells(ln, columns).keys() == {0} for ln in row)
    label_continues = cols == {0} and all(
        set(_line_cells(ln, columns)) in ({0}, row_cols - {0}) for ln in row
    )
    return label_only or values_only or (label_continues and len(row) >= 2)


def _continues_label(line: TextLine, columns: list[Span]) -> bool:
    """A label line that carries on the one above: it starts in lower case or
    with an opening bracket, as wrapped text does and a new record does not."""
    first = " ".join(_line_cells(line, columns)[0])
    return first[:1].islower() or first[:1] in "([{"


def _row_texts(row: list[TextLine], columns: list[Span]) -> list[str]:
    texts: list[list[str]] = [[] for _ in columns]
    for line in sorted(row, key=lambda ln: ln.top):
        for col, parts in _line_cells(line, columns).items():
            texts[col].append(" ".join(parts))
    return ["\n".join(t) for t in texts]


def _header_rule(lines: list[TextLine], h_rules: list[Edge], columns: list[Span]) -> int:
    """Number of leading lines that a full-width rule separates as the header.

    Only a one-level header qualifies: a rule between header lines or a
    heading that spans several columns means the lines are distinct rows.
    """
    x0, x1 = min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)
    snap = SETTINGS.snap
    h_rules = merge_edges(h_rules, snap, snap, snap, snap) if h_rules else []
    for i in range(1, min(len(lines), 8)):
        gap_top, gap_bottom = lines[i - 1].bottom, lines[i].top
        for e in h_rules:
            near = SETTINGS.edge_share * (x1 - x0)
            spans = e["x0"] <= x0 + near and e["x1"] >= x1 - near
            if spans and gap_top - 1 <= e["top"] <= gap_bottom + 1:
                levels = _inner_rules(lines[:i], h_rules)
                return i if _aligned(lines[:i], lines, columns) and not levels else 0
    return 0


def _inner_rules(lines: list[TextLine], h_rules: list[Edge]) -> bool:
    """True if a (partial) rule separates header lines: a multi-level header."""
    for above, below in itertools.pairwise(lines):
        for e in h_rules:
            if e["x1"] - e["x0"] >= 15 and above.bottom - 1 <= e["top"] <= below.top + 1:
                return True
    return False


def _aligned(header: list[TextLine], block: list[TextLine], columns: list[Span]) -> bool:
    """True if every header segment sits inside one column (a one-level header).

    Column extents here are the full reach of the cells in multi-cell lines,
    so wide header text in its own column still fits; a group heading centred
    over several columns does not.
    """
    reach: dict[int, Span] = {}
    for line in block:
        if len(line.segments) < 2:
            continue
        for seg in line.segments:
            c = column_of(seg, columns)
            lo, hi = reach.get(c, (seg.x0, seg.x1))
            reach[c] = (min(lo, seg.x0), max(hi, seg.x1))
    spans = [reach[c] for c in sorted(reach)]
    if any(a[1] > b[0] + 1 for a, b in itertools.pairwise(spans)):
        return False
    for line in header:
        for seg in line.segments:
            lo, hi = reach.get(column_of(seg, columns), (seg.x0, seg.x1))
            if seg.x0 < lo - SETTINGS.snap or seg.x1 > hi + SETTINGS.snap:
                return False
    return True


def _has_vertical_rules(lines: list[TextLine], v_rules: list[Edge]) -> bool:
    x0, x1 = min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)
    top, bottom = lines[0].top, lines[-1].bottom
    return any(x0 < e["x0"] < x1 and e["bottom"] > top and e["top"] < bottom for e in v_rules)


def _grid_rows(lines: list[TextLine], rules: list[Edge], columns: list[Span]) -> list[list[str]]:
    """Header rows (wrapped lines joined, one row per level), then one row per record."""
    head = header_length(lines, columns)
    if head:
        # Headings span columns; the gaps between columns show in the values.
        columns = _within_rules(find_columns(lines[head:]), lines, rules, lines[:head])
        body = _group_rows(lines[head:], columns)
        return header_rows(lines[:head], columns) + [_row_texts(r, columns) for r in body]
    rows = _group_rows(lines, columns)
    h_rules = [e for e in rules if e["orientation"] == "h"]
    v_rules = [e for e in rules if e["orientation"] == "v"]
    if not _has_vertical_rules(lines, v_rules):
        head = _header_rule(lines, h_rules, columns)
        if head >= 2:
            header = lines[:head]
            rows = [header] + [r for r in rows if r[0] not in header]
    return [_row_texts(r, columns) for r in rows]


def body_rows(lines: list[TextLine], columns: list[Span]) -> list[list[str]]:
    """One row per record of body text lines in given columns."""
    return [_row_texts(r, columns) for r in _group_rows(lines, columns)]


def _within_rules(
    columns: list[Span], lines: list[TextLine], rules: list[Edge], header: list[TextLine]
) -> list[Span]:
    """Whitespace columns lying between the same two vertical rulings joined
    when the header gives the right one no heading of its own: a ruled column
    is one column even where its text leaves a wide gap (a value and its
    note's number), while sub-columns under a group heading ("Male", "Female")
    stay apart.  Only rulings that run the height of the lines count."""
    xs = _full_height_rules(lines, rules)
    snap = SETTINGS.snap
    joined: list[Span] = []
    for c0, c1 in columns:
        prev = joined[-1] if joined else None
        ruled = prev and any(a - snap <= prev[0] and c1 <= b + snap for a, b in xs)
        if prev and ruled and not _has_heading(header, prev[1], c0, c1):
            joined[-1] = (prev[0], c1)
        else:
            joined.append((c0, c1))
    return joined


def _has_heading(header: list[TextLine], left_end: float, c0: float, c1: float) -> bool:
    """A header segment over the column (c0, c1) that does not reach left of it."""
    return any(
        s.x0 > left_end and s.x0 < c1 and s.x1 > c0 for line in header for s in line.segments
    )


def _full_height_rules(lines: list[TextLine], rules: list[Edge]) -> list[Span]:
    """Pairs of neighbouring vertical rulings that cross the lines' whole height."""
    top, bottom = lines[0].top, lines[-1].bottom
    reach = SETTINGS.ruled_column_reach * (bottom - top)
    verticals = [e for e in rules if e["orientation"] == "v"]
    if not verticals:
        return []
    snap = SETTINGS.snap
    verticals = merge_edges(verticals, snap, snap, snap, snap)
    xs = [e["x0"] for e in verticals if min(e["bottom"], bottom) - max(e["top"], top) >= reach]
    pairs = itertools.pairwise(cluster_positions(xs, snap))
    # A shorter ruling between two (a header's) still divides what lies between.
    return [(a, b) for a, b in pairs if not any(a + snap < e["x0"] < b - snap for e in verticals)]


def block_table(lines: list[TextLine], rules: list[Edge], strict: bool) -> PageTable | None:
    columns = find_columns(lines)
    if len(columns) < 2:
        return None
    grid = trim(_grid_rows(lines, rules, columns))
    if len(grid) < 2 or len(grid[0]) < 2:
        return None
    if strict and is_prose(grid):
        return None
    bbox = (
        min(ln.x0 for ln in lines),
        lines[0].top,
        max(ln.x1 for ln in lines),
        lines[-1].bottom,
    )
    return PageTable(grid, bbox, "text", columns, row_edges=row_edges(lines, columns))


def row_edges(lines: list[TextLine], columns: list[Span]) -> list[float]:
    """Where each record's lines begin, then the block's bottom: the grid a person sees."""
    return [group[0].top for group in _group_rows(lines, columns)] + [lines[-1].bottom]


def find_text_tables(chars: list[Char], rules: list[Edge], whole: bool) -> list[PageTable]:
    """Whitespace tables among chars; `whole` treats all the text as one table."""
    # Inside a user's area every vertical ruling separates columns from top to
    # bottom, also where it is drawn only across the header.
    breaks = [e["x0"] for e in rules if e["orientation"] == "v"] if whole else []
    lines = text_lines(chars, breaks)
    if not lines:
        return []
    blocks = [lines] if whole else [_extend_up(b, lines) for b in find_blocks(lines)]
    tables = [block_table(below_caption(b), rules, strict=not whole) for b in blocks]
    return [t for t in tables if t is not None]
