"""Text layout primitives: words, text lines and segments.

A segment is a run of words on one text line separated by ordinary word
spacing; a wider gap starts a new segment.  Whitespace tables are found by
lining up the segments of consecutive lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from pdfplumber.utils import extract_words

from .settings import SETTINGS

Char = dict[str, Any]


@dataclass
class Segment:
    x0: float
    x1: float
    top: float
    bottom: float
    words: list[dict[str, Any]]

    @property
    def text(self) -> str:
        return " ".join(w["text"] for w in self.words)

    @property
    def size(self) -> float:
        return max(w["size"] for w in self.words)


@dataclass
class TextLine:
    top: float
    bottom: float
    segments: list[Segment] = field(default_factory=list)

    @property
    def x0(self) -> float:
        return self.segments[0].x0

    @property
    def x1(self) -> float:
        return self.segments[-1].x1

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def size(self) -> float:
        return median(s.size for s in self.segments)


def page_words(chars: list[Char]) -> list[dict[str, Any]]:
    words = extract_words(
        chars,
        x_tolerance_ratio=SETTINGS.word_gap_em,
        y_tolerance=SETTINGS.line_tolerance,
        extra_attrs=["size"],
    )
    return [w for w in words if w["text"].strip()]


def _group_lines(words: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Words on the same baseline band (vertical overlap of at least half a word)."""
    groups: list[tuple[float, float, list[dict[str, Any]]]] = []
    for w in sorted(words, key=lambda w: (w["top"], w["x0"])):
        placed = False
        for i in range(len(groups) - 1, max(-1, len(groups) - 4), -1):
            top, bottom, members = groups[i]
            overlap = min(bottom, w["bottom"]) - max(top, w["top"])
            if overlap >= SETTINGS.line_overlap * min(bottom - top, w["bottom"] - w["top"]):
                members.append(w)
                groups[i] = (min(top, w["top"]), max(bottom, w["bottom"]), members)
                placed = True
                break
        if not placed:
            groups.append((w["top"], w["bottom"], [w]))
    return [g[2] for g in sorted(groups, key=lambda g: g[0])]


def _pitch(words: list[dict[str, Any]]) -> float | None:
    """Character width of a line set in a fixed-pitch font, else None."""
    widths = [(w["x1"] - w["x0"]) / len(w["text"]) for w in words if len(w["text"]) >= 2]
    if len(widths) < 3:
        return None
    lo, hi = min(widths), max(widths)
    return median(widths) if hi - lo <= SETTINGS.fixed_pitch_spread * hi else None


def _segments(words: list[dict[str, Any]], breaks: list[float]) -> list[Segment]:
    words = sorted(words, key=lambda w: w["x0"])
    pitch = _pitch(words)
    segments: list[Segment] = []
    for w in words:
        last = segments[-1] if segments else None
        if last is not None and _joins(last, w, pitch, breaks):
            last.words.append(w)
            last.x1 = max(last.x1, w["x1"])
            last.top, last.bottom = min(last.top, w["top"]), max(last.bottom, w["bottom"])
        else:
            segments.append(Segment(w["x0"], w["x1"], w["top"], w["bottom"], [w]))
    return segments


def _joins(last: Segment, w: dict[str, Any], pitch: float | None, breaks: list[float]) -> bool:
    """Whether word w carries on the segment: a word space, not a cell gap."""
    if any(last.x1 <= x <= w["x0"] for x in breaks):
        return False
    size = max(w["size"], last.size)
    limit = SETTINGS.segment_gap_em * size
    if pitch is not None:
        limit = max(limit, SETTINGS.segment_gap_pitch * pitch)
    numbers = _NUMBER.fullmatch(last.words[-1]["text"]) and _NUMBER.fullmatch(w["text"])
    if numbers and not _DIGIT_GROUP.fullmatch(w["text"]) and not _NOTE.fullmatch(w["text"]):
        limit = min(limit, SETTINGS.segment_gap_numbers_em * size)
    return w["x0"] - last.x1 <= limit


# Two numbers side by side are two cells unless the second is a group of
# three digits carrying on the first ("13 951", a space as thousands mark)
# or a note's number.
_NUMBER = re.compile(r"[-+(]?[$€£]?\d[\d,.]*%?\)?")
_DIGIT_GROUP = re.compile(r"\d{3}([.,]\d+)?%?\)?")
# "10,000 (1)": a note's number in brackets after a value belongs to its cell.
_NOTE = re.compile(r"\(\d{1,2}\)")


def text_lines(chars: list[Char], breaks: list[float] = ()) -> list[TextLine]:  # type: ignore[assignment]
    """Text lines of the given chars, top to bottom, each split into segments;
    a segment also ends where a break (a vertical ruling's x) runs between words."""
    lines = []
    for group in _group_lines(page_words(chars)):
        segs = _segments(group, breaks)
        lines.append(TextLine(min(s.top for s in segs), max(s.bottom for s in segs), segs))
    return lines
