"""Completing ruled tables whose outer frame was not drawn.

Many producers draw only inner rulings (or only row rules plus inner column
rules): the outermost column then has no closing vertical line and a grid
finder loses it.  Where the horizontal rulings of a connected group reach
past its outermost vertical ruling (or vice versa), we add the missing side.
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
    added = []
    left, right = min(h["x0"] for h in hs), max(h["x1"] for h in hs)
    if min(v["x0"] for v in vs) - left > SETTINGS.frame_overhang:
        ends = [h for h in hs if h["x0"] <= left + SETTINGS.frame_touch]
        if len(ends) >= 2:
            added.append(_v(left, min(h["top"] for h in ends), max(h["top"] for h in ends)))
    if right - max(v["x0"] for v in vs) > SETTINGS.frame_overhang:
        ends = [h for h in hs if h["x1"] >= right - SETTINGS.frame_touch]
        if len(ends) >= 2:
            added.append(_v(right, min(h["top"] for h in ends), max(h["top"] for h in ends)))
    top, bottom = min(v["top"] for v in vs), max(v["bottom"] for v in vs)
    if min(h["top"] for h in hs) - top > SETTINGS.frame_overhang:
        ends = [v for v in vs if v["top"] <= top + SETTINGS.frame_touch]
        if len(ends) >= 2:
            added.append(_h(top, min(v["x0"] for v in ends), max(v["x0"] for v in ends)))
    if bottom - max(h["top"] for h in hs) > SETTINGS.frame_overhang:
        ends = [v for v in vs if v["bottom"] >= bottom - SETTINGS.frame_touch]
        if len(ends) >= 2:
            added.append(_h(bottom, min(v["x0"] for v in ends), max(v["x0"] for v in ends)))
    return added


def complete_frames(edges: list[Edge]) -> list[Edge]:
    """Edges plus the outer sides that connected groups of rulings imply."""
    extra: list[Edge] = []
    for group in _groups(edges):
        extra.extend(_missing_sides(group))
    return edges + extra
