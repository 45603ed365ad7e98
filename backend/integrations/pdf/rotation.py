"""Reading orientation of a page's text.

Tables are sometimes typeset sideways (text drawn rotated by 90 degrees, or a
page /Rotate combined with rotated text).  pdfplumber gives coordinates in the
displayed orientation, so such a table would come out transposed.  We detect
the dominant reading direction and map every object into a "reading frame"
where text runs left-to-right and lines top-to-bottom; the table logic only
ever sees upright text, and bounding boxes are mapped back for callers.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from typing import Any

from .settings import SETTINGS

Box = tuple[float, float, float, float]  # x0, top, x1, bottom

# Direction in which consecutive characters advance, in displayed coordinates.
LTR, TTB, BTT, RTL = "ltr", "ttb", "btt", "rtl"


@dataclass(frozen=True)
class Frame:
    """Maps displayed page coordinates to the reading frame and back."""

    direction: str
    width: float  # displayed page width
    height: float  # displayed page height

    @property
    def size(self) -> tuple[float, float]:
        """Width and height of the page in the reading frame."""
        if self.direction in (TTB, BTT):
            return self.height, self.width
        return self.width, self.height

    def to_reading(self, box: Box) -> Box:
        x0, top, x1, bottom = box
        w, h = self.width, self.height
        if self.direction == BTT:  # text read bottom-to-top: turn page clockwise
            return (h - bottom, x0, h - top, x1)
        if self.direction == TTB:  # text read top-to-bottom: turn page anticlockwise
            return (top, w - x1, bottom, w - x0)
        if self.direction == RTL:  # upside down
            return (w - x1, h - bottom, w - x0, h - top)
        return box

    def to_display(self, box: Box) -> Box:
        x0, top, x1, bottom = box
        w, h = self.width, self.height
        if self.direction == BTT:
            return (top, h - x1, bottom, h - x0)
        if self.direction == TTB:
            return (w - bottom, x0, w - top, x1)
        if self.direction == RTL:
            return (w - x1, h - bottom, w - x0, h - top)
        return box


def _advance(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    """Direction from char a to the next char b, if they look like neighbours."""
    dx = (b["x0"] + b["x1"] - a["x0"] - a["x1"]) / 2
    dy = (b["top"] + b["bottom"] - a["top"] - a["bottom"]) / 2
    reach = SETTINGS.neighbour_reach * max(a["width"], a["height"], 1.0)
    if abs(dx) > reach or abs(dy) > reach or (dx == 0 and dy == 0):
        return None
    if abs(dx) >= abs(dy):
        return LTR if dx > 0 else RTL
    return TTB if dy > 0 else BTT


def detect_direction(chars: list[dict[str, Any]]) -> str:
    """Dominant reading direction of the text (LTR for ordinary pages)."""
    if not chars:
        return LTR
    upright = sum(1 for c in chars if c.get("upright", True))
    if upright >= SETTINGS.upright_share * len(chars):
        return LTR  # fast path: most text is horizontal and upright
    votes: Counter[str] = Counter()
    for a, b in itertools.pairwise(chars):
        if a["text"].strip() and b["text"].strip():
            step = _advance(a, b)
            if step:
                votes[step] += 1
    return votes.most_common(1)[0][0] if votes else LTR


def reframe(obj: dict[str, Any], frame: Frame) -> dict[str, Any]:
    """Copy of a char/edge dict with its box in the reading frame."""
    if frame.direction == LTR:
        return obj
    x0, top, x1, bottom = frame.to_reading((obj["x0"], obj["top"], obj["x1"], obj["bottom"]))
    new = dict(obj, x0=x0, top=top, x1=x1, bottom=bottom, doctop=top, upright=True)
    new["width"], new["height"] = x1 - x0, bottom - top
    if frame.direction in (TTB, BTT):
        if "orientation" in obj:
            new["orientation"] = "v" if obj["orientation"] == "h" else "h"
        if "size" in obj:  # pdfminer's size of sideways text is its displayed width
            new["size"] = bottom - top
    return new
