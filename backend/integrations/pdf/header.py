"""Column headers of whitespace tables: wrapped lines joined, levels kept apart.

The header is the run of lines above the first line that holds a number in a
value column (a stub column of labels is column 0).  Inside it, every segment
covers the columns it overlaps.  Segments stacked in the same columns at line
spacing are one wrapped heading; a heading over several columns (a spanning
group such as a year over "n" and "%") puts the headings below it one level
down.  Each heading lands in its level's row at its first column, so a
spanning heading's text sits in the span's top-left cell and the covered cells
stay empty.  This is the reading order of a header tree as described for
table understanding by Hurst (2000) and used by the ICDAR 2013 ground truth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .columns import Span, column_of
from .layout import Segment, TextLine
from .settings import SETTINGS

# A value cell: digits with the usual marks around them, or a placeholder for
# a missing value.
_NUMBER = re.compile(r"[*(+\-–−$€£¥]*\d[\d\s,.'\u00a0]*[%)*]*|[-–—]|n/?a|\(x\)", re.IGNORECASE)


def is_value(text: str) -> bool:
    return bool(_NUMBER.fullmatch(text.strip()))


@dataclass
class _Heading:
    first: int
    last: int
    top: float
    bottom: float
    size: float
    parts: list[str]


def header_length(lines: list[TextLine], columns: list[Span]) -> int:
    """How many leading lines form the header (0: the table has none to join)."""
    head = first_value_line(lines, columns)
    return head if SETTINGS.max_header_lines >= head >= 2 else 0


def first_value_line(lines: list[TextLine], columns: list[Span]) -> int:
    """Index of the first line of values (0 when none is found).

    A line of years followed by a line of words over the value columns is
    still header.
    """
    for i, line in enumerate(lines):
        if not _values(line, columns):
            continue
        after = next((ln for ln in lines[i + 1 :] if _in_value_columns(ln, columns)), None)
        if not (after and _words(after, columns)):
            return i
    return 0


def _in_value_columns(line: TextLine, columns: list[Span]) -> bool:
    return any(column_of(s, columns) > 0 for s in line.segments)


def _values(line: TextLine, columns: list[Span]) -> bool:
    """Most segments of the line in value columns (after the stub) are values."""
    cells = [s for s in line.segments if column_of(s, columns) > 0]
    values = [s for s in cells if is_value(s.text)]
    return bool(values) and len(values) >= SETTINGS.value_line_share * len(cells)


def _words(line: TextLine, columns: list[Span]) -> bool:
    """Words and no values over two or more value columns: a line of headings."""
    cells = [s for s in line.segments if column_of(s, columns) > 0]
    return len(cells) >= 2 and not any(is_value(s.text) for s in cells)


def _span(segment: Segment, columns: list[Span], below: list[Segment]) -> tuple[int, int]:
    """First and last column a heading covers.

    It covers the columns it overlaps by more than a sliver, and the columns of
    the headings below it that it overlaps when those are two or more: a group
    heading is often narrower than the columns it groups, as over right-aligned
    numbers.
    """
    reach = SETTINGS.header_span_overlap
    hit = [
        i
        for i, (c0, c1) in enumerate(columns)
        if min(segment.x1, c1) - max(segment.x0, c0) > reach * min(c1 - c0, segment.x1 - segment.x0)
    ] or [column_of(segment, columns)]
    under = {column_of(s, columns) for s in below if s.x0 < segment.x1 and segment.x0 < s.x1}
    if len(under) >= 2:
        hit += under
    return min(hit), max(hit)


def _headings(lines: list[TextLine], columns: list[Span]) -> list[_Heading]:
    """Headings of the header lines, wrapped lines joined.

    A segment continues the nearest heading above it when that heading covers
    the same columns, in the same font size, at line spacing: a heading that
    wraps keeps its columns and its type, whatever its neighbours do (headers
    are often aligned at the bottom, so headings start on different lines).
    """
    headings: list[_Heading] = []
    for i, line in enumerate(lines):
        below = [s for ln in lines[i + 1 :] for s in ln.segments]
        for seg in line.segments:
            first, last = _span(seg, columns, below)
            target = _continued(headings, first, last, seg)
            if target is None:
                headings.append(_Heading(first, last, seg.top, seg.bottom, seg.size, [seg.text]))
            else:
                target.parts.append(seg.text)
                target.bottom = seg.bottom
    return headings


def _continued(headings: list[_Heading], first: int, last: int, seg: Segment) -> _Heading | None:
    above = [h for h in headings if h.first <= last and first <= h.last]
    if not above:
        return None
    h = max(above, key=lambda h: h.bottom)
    same_size = abs(h.size - seg.size) <= SETTINGS.header_size_tolerance * h.size
    close = seg.top - h.bottom <= SETTINGS.header_wrap_gap * max(seg.bottom - seg.top, 1.0)
    return h if (h.first, h.last) == (first, last) and same_size and close else None


def header_rows(lines: list[TextLine], columns: list[Span]) -> list[list[str]]:
    """The header as rows: one row per level of headings."""
    headings = sorted(_headings(lines, columns), key=lambda h: h.top)
    levels: list[int] = []
    for i, h in enumerate(headings):
        above = [
            levels[j]
            for j, a in enumerate(headings[:i])
            if a.bottom <= h.top + 1 and a.first <= h.last and h.first <= a.last
        ]
        levels.append(max(above) + 1 if above else 0)
    rows = [[""] * len(columns) for _ in range(max(levels, default=-1) + 1)]
    for h, level in zip(headings, levels):
        cell = rows[level][h.first]
        rows[level][h.first] = f"{cell} {' '.join(h.parts)}".strip()
    return rows
