"""Completing ruled tables whose outer frame was not drawn.

Many producers draw only inner rulings (or only row rules plus inner column
rules): the outermost column then has no closing vertical line and a grid
finder loses it.  Where the horizontal rulings of a connected group end on a
line that no vertical ruling covers (or covers with gaps), we add the missing
side or its missing stretches; likewise for the top and bottom.
"""

from __future__ import annotations

from .rulings import Edge
from .settings import SETTINGS


def _touches(h: Edge, v: Edge) -> bool:
    return (
        h["x0"] - SETTINGS.frame_touch <= v["x0"] <= h["x1"] + SETTINGS.frame_touch
        and v["top"] - SETTINGS.frame_touch <= h["top"] <= v["bottom"] + SETTINGS.frame_touch
    )


def _groups(edges: list[Edge]) -> list[list[Edge]]:
    """Connected groups of rulings (union-find over crossing pairs)."""
    parent = list(range(len(edges)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    hs = [i for i, e in enumerate(edges) if e["orientation"] == "h"]
    vs = [i for i, e in enumerate(edges) if e["orientation"] == "v"]
    for i in hs:
        for j in vs:
            if _touches(edges[i], edges[j]):
                parent[find(i)] = find(j)
    groups: dict[int, list[Edge]] = {}
    for i, e in enumerate(edges):
        groups.setdefault(find(i), []).append(e)
    return list(groups.values())


def _v(x: float, top: float, bottom: float) -> Edge:
    return {
        "x0": x,
        "x1": x,
        "top": top,
        "bottom": bottom,
        "width": 0,
        "height": bottom - top,
        "orientation": "v",
    }


def _h(y: float, x0: float, x1: float) -> Edge:
    return {
        "x0": x0,
        "x1": x1,
        "top": y,
        "bottom": y,
        "width": x1 - x0,
        "height": 0,
        "orientation": "h",
    }


def _missing_sides(group: list[Edge]) -> list[Edge]:
    hs = [e for e in group if e["orientation"] == "h"]
    vs = [e for e in group if e["orientation"] == "v"]
    if not hs or not vs or len(hs) + len(vs) < 4:
        return []
    touch = SETTINGS.frame_touch
    left, right = min(h["x0"] for h in hs), max(h["x1"] for h in hs)
    top, bottom = min(v["top"] for v in vs), max(v["bottom"] for v in vs)
    added = []
    for x, ends in (
        (left, [h["top"] for h in hs if h["x0"] <= left + touch]),
        (right, [h["top"] for h in hs if h["x1"] >= right - touch]),
    ):
        added += [
            _v(x, a, b)
            for a, b in _uncovered(
                ends, [(v["top"], v["bottom"]) for v in vs if abs(v["x0"] - x) <= touch]
            )
        ]
    for y, ends in (
        (top, [v["x0"] for v in vs if v["top"] <= top + touch]),
        (bottom, [v["x0"] for v in vs if v["bottom"] >= bottom - touch]),
    ):
        added += [
            _h(y, a, b)
            for a, b in _uncovered(
                ends, [(h["x0"], h["x1"]) for h in hs if abs(h["top"] - y) <= touch]
            )
        ]
    return added


def _uncovered(ends: list[float], drawn: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Stretches of a side, from the first to the last ruling ending on it,
    that no drawn ruling covers: the side the producer left out, or its gaps
    (a section row drawn without its right side)."""
    if len(ends) < 2:
        return []
    start, stop = min(ends), max(ends)
    gaps, at = [], start
    for a, b in sorted(drawn):
        if a - at > SETTINGS.frame_overhang:
            gaps.append((at, min(a, stop)))
        at = max(at, b)
    if stop - at > SETTINGS.frame_overhang:
        gaps.append((at, stop))
    return [(a, b) for a, b in gaps if b > a]


def complete_frames(edges: list[Edge]) -> list[Edge]:
    """Edges plus the outer sides that connected groups of rulings imply."""
    extra: list[Edge] = []
    for group in _groups(edges):
        extra.extend(_missing_sides(group))
    return edges + extra
