"""How far an extracted table can be trusted, with the reasons a person can check.

Each check looks for a sign of a known failure class measured on the
development corpora: text that fell outside every cell (a lost column or a
clipped edge), columns that are almost empty (a phantom column between boxed
cells), a row holding only a lower-case tail (a wrapped line read as a record
of its own), cells holding several values each (rows without rules read as
one), and words cut by a column boundary.  The score starts at
1 and each sign takes off its share, so 1.0 means no sign was seen, not that
the table is right.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .lines import several_values
from .settings import SETTINGS


@dataclass(frozen=True)
class Quality:
    score: float = 1.0
    reasons: list[str] = field(default_factory=list)


def assess(rows: list[list[str]], region_chars: int, split_words: int = 0) -> Quality:
    """Quality of a table from its cells, the characters inside its region and
    the words its column boundaries cut."""
    found = [check(rows, region_chars) for check in _CHECKS] + [_split_words(split_words)]
    penalties = [p for p in found if p is not None]
    score = max(0.0, 1.0 - sum(p for p, _ in penalties))
    return Quality(round(score, 3), [reason for _, reason in penalties])


def combine(a: Quality, b: Quality) -> Quality:
    """Quality of a table joined from two parts: the weaker score, every reason."""
    return Quality(min(a.score, b.score), list(dict.fromkeys(a.reasons + b.reasons)))


def _lost_text(rows: list[list[str]], region_chars: int) -> tuple[float, str] | None:
    kept = sum(len("".join(cell.split())) for row in rows for cell in row)
    lost = region_chars - kept
    if region_chars == 0 or lost <= SETTINGS.quality_lost_text_share * region_chars:
        return None
    return SETTINGS.quality_penalty, f"{lost} characters inside the table are in no cell"


def _empty_columns(rows: list[list[str]], _: int) -> tuple[float, str] | None:
    if len(rows) < SETTINGS.quality_min_rows:
        return None
    width = max(len(r) for r in rows)
    sparse = [
        c + 1
        for c in range(width)
        if sum(1 for r in rows if c < len(r) and r[c].strip())
        <= SETTINGS.quality_empty_column_share * len(rows)
    ]
    if not sparse:
        return None
    listed = ", ".join(map(str, sparse))
    return SETTINGS.quality_penalty, f"column(s) {listed} are almost empty"


def _continuation_rows(rows: list[list[str]], _: int) -> tuple[float, str] | None:
    """Rows holding only a lower-case tail: a wrapped cell read as a record."""
    tails = [
        i + 1
        for i, row in enumerate(rows[1:], start=1)
        if len(filled := [c.strip() for c in row if c.strip()]) == 1 and filled[0][0].islower()
    ]
    if not tails:
        return None
    listed = ", ".join(map(str, tails[:5]))
    return SETTINGS.quality_penalty, f"row(s) {listed} look like the wrapped end of the row above"


def _stacked_rows(rows: list[list[str]], _: int) -> tuple[float, str] | None:
    """Rows whose cells hold several values each: rows without rules read as one."""
    stacked = [
        i + 1
        for i, row in enumerate(rows)
        if sum(1 for cell in row if several_values(cell)) >= SETTINGS.quality_stacked_cells
    ]
    if not stacked:
        return None
    listed = ", ".join(map(str, stacked[:5]))
    return SETTINGS.quality_penalty, f"row(s) {listed} hold several values per cell"


def _split_words(split_words: int) -> tuple[float, str] | None:
    if not split_words:
        return None
    return SETTINGS.quality_penalty, f"{split_words} word(s) are cut by a column boundary"


_CHECKS = (_lost_text, _empty_columns, _continuation_rows, _stacked_rows)
