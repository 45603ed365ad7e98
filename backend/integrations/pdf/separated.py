"""A table read with the column separators a person placed: their area, their columns.

The engine's own column finding is skipped: each text line is cut between the
words on either side of a separator, and each piece falls in the column where
most of it lies (a word straddling a separator stays whole).  Wrapped lines
join their record as in a whitespace table.
"""

from __future__ import annotations

import itertools

from .cells import Box, PageTable, center_in
from .layout import Char, text_lines
from .text import body_rows, row_edges


def separated_table(chars: list[Char], area: Box, separators: list[float]) -> PageTable | None:
    """The one table inside `area` (x0, top, x1, bottom), columns split at `separators`."""
    inside = [c for c in chars if center_in(c, area)]
    cuts = sorted(x for x in separators if area[0] < x < area[2])
    lines = text_lines(inside, cuts)
    if not lines:
        return None
    columns = list(itertools.pairwise([area[0], *cuts, area[2]]))
    rows = [row for row in body_rows(lines, columns) if any(cell.strip() for cell in row)]
    if not rows:
        return None
    return PageTable(rows, area, "text", columns, row_edges=row_edges(lines, columns))
