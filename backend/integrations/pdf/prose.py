"""What is laid out like a table but is not one: prose, lists, charts' labels, captions.

Whitespace tables are found from aligned gaps; running text, bullet lists and
the letters of a chart's axis title have aligned gaps too.  These checks, each
from a measured failure class on whole pages, set such blocks apart.
"""

from __future__ import annotations

import re
from statistics import median

from .header import is_value
from .layout import TextLine
from .settings import SETTINGS


def is_prose(grid: list[list[str]]) -> bool:
    """Text laid out in columns that is not a table: prose, lists, sparse rows."""
    words = [len(c.split()) for r in grid for c in r if c.strip()]
    if not words or median(words) > SETTINGS.prose_words_per_cell:
        return True
    multi = sum(1 for r in grid if sum(1 for c in r if c.strip()) >= 2)
    if multi < SETTINGS.prose_multi_cell_rows * len(grid):
        return True  # mostly one-cell rows: running text with a stray aligned line
    return _runs_on(grid) or _letters(grid) or _has_bullet_column(grid) or _is_list(grid)


def _runs_on(grid: list[list[str]]) -> bool:
    """Justified prose split at its wide spaces: most cells after the first
    column carry on a sentence in lower case, which table cells rarely do."""
    cells = [c.strip() for r in grid for c in r[1:] if len(c.strip()) >= 3 and not is_value(c)]
    lower = sum(1 for c in cells if c[0].islower())
    enough = len(cells) >= SETTINGS.prose_min_cells
    return enough and lower > SETTINGS.prose_lower_share * len(cells)


def _letters(grid: list[list[str]]) -> bool:
    """Mostly lone letters, and many different ones: a chart's axis title set
    letter by letter.  (A table's check marks are lone letters too, but one
    letter over and over.)"""
    cells = [c.replace(" ", "") for r in grid for c in r if c.strip()]
    lone = [c for c in cells if len(c) <= 2 and c.isalpha()]
    varied = len(set(lone)) >= SETTINGS.prose_letter_kinds
    return varied and len(lone) > SETTINGS.prose_letter_share * len(cells)


def _has_bullet_column(grid: list[list[str]]) -> bool:
    """A column of nothing but bullets: lists set side by side."""
    width = max(len(r) for r in grid)
    for c in range(width):
        marks = [r[c].strip() for r in grid if c < len(r) and r[c].strip()]
        if len(marks) >= 2 and all(_is_bullet(m) for m in marks):
            return True
    return False


_ENUMERATOR = re.compile(r"^[(\[]?([0-9]{1,3}|[a-zA-Z]|[ivxIVX]{1,4})([.)\]]|\.[0-9]{1,3})*[.)]?$")


_BULLETS = set("\u2022\u00b7-\u2013\u2014*\u25aa\u25e6\u25a0\u25cf\u25cb\u25ba\u27a2\u2713\u2714o")


def _is_bullet(mark: str) -> bool:
    """A bullet sign, or one dingbat glyph (Symbol and Wingdings fonts map their
    bullets and ticks into Unicode's private use area)."""
    return mark in _BULLETS or (len(mark) == 1 and "\ue000" <= mark <= "\uf8ff")


def _is_list(grid: list[list[str]]) -> bool:
    """Numbered or bulleted items (and numbered headings) are lists, not tables."""
    if len(grid[0]) != 2:
        return False
    marks = [r[0].strip() for r in grid if r[0].strip()]
    bullets = all(_is_bullet(m) or _ENUMERATOR.match(m) for m in marks)
    texts = [len(r[1].split()) for r in grid if r[1].strip()]
    return bullets and bool(texts) and median(texts) >= SETTINGS.list_item_words


# A caption names the table ("Table 5:", "Fig. 2", "Tableau 3"); it sits above
# the table and is no row of it.  Tabula's detection (Nurminen 2013) uses the
# same labels to tell tables from other text.
_CAPTION = re.compile(
    r"(table|tab\.|figure|fig\.|exhibit|chart|tabelle|tableau|tabla|cuadro)\s*[:.]?\s*"
    r"([0-9]+|[ivxlc]+)\b",
    re.IGNORECASE,
)


def below_caption(block: list[TextLine]) -> list[TextLine]:
    """The block without a caption at its top (and what is above it)."""
    for i, line in enumerate(block[:3]):
        if _CAPTION.match(line.segments[0].text):
            rest = block[i + 1 :]
            while rest and len(rest[0].segments) == 1:  # the caption's wrapped lines
                rest = rest[1:]
            return rest or block
    return block
