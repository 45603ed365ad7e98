"""Small helpers shared by both table strategies: cell text, grids, trimming."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from pdfplumber.utils import extract_text

from .settings import SETTINGS

Char = dict[str, Any]
Box = tuple[float, float, float, float]


def center_in(obj: dict[str, Any], box: Box) -> bool:
    cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return box[0] <= cx < box[2] and box[1] <= cy < box[3]


def chars_text(chars: list[Char]) -> str:
    """Text of a cell: words keep their spaces, lines are joined with newlines."""
    if not chars:
        return ""
    text = extract_text(
        chars, x_tolerance_ratio=SETTINGS.word_gap_em, y_tolerance=SETTINGS.line_tolerance
    )
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def cluster_positions(values: list[float], tolerance: float) -> list[float]:
    """Sorted representative positions: values closer than tolerance collapse."""
    result: list[float] = []
    for v in sorted(values):
        if result and v - result[-1] <= tolerance:
            continue
        result.append(v)
    return result


def nearest_index(positions: list[float], value: float) -> int:
    i = bisect_left(positions, value)
    if i == 0:
        return 0
    if i == len(positions):
        return len(positions) - 1
    return i if positions[i] - value < value - positions[i - 1] else i - 1


def trim(rows: list[list[str]]) -> list[list[str]]:
    """Drop rows and columns that are empty everywhere; pad rows to equal length."""
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows if any(c.strip() for c in r)]
    if not rows:
        return []
    keep = [c for c in range(width) if any(r[c].strip() for r in rows)]
    return [[r[c] for c in keep] for r in rows]


@dataclass
class PageTable:
    """A table found on one page, in the page's reading frame."""

    rows: list[list[str]]
    bbox: Box  # reading-frame bbox
    strategy: str
    columns: list[tuple[float, float]] = field(default_factory=list)  # x-extent per column
    split_words: int = 0  # words that a column boundary cuts in two
    row_edges: list[float] = field(default_factory=list)  # y of each row's top, then the bottom
