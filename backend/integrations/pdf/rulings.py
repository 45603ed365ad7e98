"""Rulings: the visible horizontal and vertical strokes a table is drawn with.

Sources are stroked lines, thin filled rectangles (many producers draw rules
as 0.5pt-high boxes), and the sides of stroked rectangles.  The sides of a
filled, unstroked rectangle are not rulings: it is a cell's background.  A
stroke in white counts only where it sits on a coloured fill (rulings in the
background colour of a shaded table); white on white paper is invisible and
often left over by the producer, so it must not split a table.
"""

from __future__ import annotations

from typing import Any

from .settings import SETTINGS

Edge = dict[str, Any]
Box = tuple[float, float, float, float]


def _is_white(color: Any) -> bool:
    if color is None:
        return False
    values = color if isinstance(color, (tuple, list)) else (color,)
    try:
        nums = [float(v) for v in values]
    except (TypeError, ValueError):
        return False
    if len(nums) == 4:  # CMYK: no ink at all is white
        return all(v <= 0.02 for v in nums)
    return bool(nums) and all(v >= 0.98 for v in nums)


def _edge(x0: float, top: float, x1: float, bottom: float, kind: str) -> Edge:
    return {
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "width": x1 - x0,
        "height": bottom - top,
        "orientation": kind,
    }


def _box_edges(obj: dict[str, Any]) -> list[Edge]:
    x0, top, x1, bottom = obj["x0"], obj["top"], obj["x1"], obj["bottom"]
    if bottom - top < SETTINGS.thin_rule:  # horizontal rule drawn as a box: use its centre line
        y = (top + bottom) / 2
        return [_edge(x0, y, x1, y, "h")]
    if x1 - x0 < SETTINGS.thin_rule:
        x = (x0 + x1) / 2
        return [_edge(x, top, x, bottom, "v")]
    return [
        _edge(x0, top, x1, top, "h"),
        _edge(x0, bottom, x1, bottom, "h"),
        _edge(x0, top, x0, bottom, "v"),
        _edge(x1, top, x1, bottom, "v"),
    ]


def _rect_edges(obj: dict[str, Any]) -> list[Edge]:
    """Rulings a rectangle draws: a thin one is a rule, a stroked one its outline.

    A filled rectangle that is neither is a background (a shaded cell, or an
    inset box in the paper's colour): its sides are no ruling, or every
    shaded cell would add phantom columns beside the real rules.
    """
    thin = (
        obj["bottom"] - obj["top"] < SETTINGS.thin_rule
        or obj["x1"] - obj["x0"] < SETTINGS.thin_rule
    )
    return _box_edges(obj) if thin or obj.get("stroke") else []


def _line_edges(obj: dict[str, Any]) -> list[Edge]:
    x0, top, x1, bottom = obj["x0"], obj["top"], obj["x1"], obj["bottom"]
    if bottom - top < SETTINGS.thin_rule:
        y = (top + bottom) / 2
        return [_edge(x0, y, x1, y, "h")]
    if x1 - x0 < SETTINGS.thin_rule:
        x = (x0 + x1) / 2
        return [_edge(x, top, x, bottom, "v")]
    return []  # diagonal strokes never delimit cells


def _on_coloured_fill(edge: Edge, fills: list[Box]) -> bool:
    cx, cy = (edge["x0"] + edge["x1"]) / 2, (edge["top"] + edge["bottom"]) / 2
    return any(x0 - 1 <= cx <= x1 + 1 and t - 1 <= cy <= b + 1 for x0, t, x1, b in fills)


def _rect_colour(rect: dict[str, Any]) -> Any:
    if rect.get("fill"):
        return rect.get("non_stroking_color")
    return rect.get("stroking_color")


def collect_rulings(
    lines: list[dict[str, Any]], rects: list[dict[str, Any]], curves: list[dict[str, Any]]
) -> list[Edge]:
    """Visible horizontal/vertical rulings of a page, in displayed coordinates."""
    fills = [
        (r["x0"], r["top"], r["x1"], r["bottom"])
        for r in rects + curves
        if r.get("fill")
        and not _is_white(r.get("non_stroking_color"))
        and r["x1"] - r["x0"] >= SETTINGS.thin_rule
        and r["bottom"] - r["top"] >= SETTINGS.thin_rule
    ]
    edges: list[Edge] = []
    sources = [(obj, _line_edges(obj), obj.get("stroking_color")) for obj in lines]
    sources += [(obj, _rect_edges(obj), _rect_colour(obj)) for obj in rects]
    for obj, obj_edges, colour in sources:
        if obj.get("fill") is False and obj.get("stroke") is False:
            continue  # neither filled nor stroked: an invisible clipping/marking path
        white = _is_white(colour)
        for e in obj_edges:
            if max(e["width"], e["height"]) < SETTINGS.min_rule_length:
                continue
            if white and not _on_coloured_fill(e, fills):
                continue
            edges.append(e)
    return edges


def clip_edges(edges: list[Edge], area: Box) -> list[Edge]:
    """Edges cut to an area; edges outside it are dropped."""
    ax0, atop, ax1, abottom = area
    out = []
    for e in edges:
        x0, x1 = max(e["x0"], ax0), min(e["x1"], ax1)
        top, bottom = max(e["top"], atop), min(e["bottom"], abottom)
        if x0 <= x1 and top <= bottom:
            out.append(_edge(x0, top, x1, bottom, e["orientation"]))
    return out


def normalise(edge: Edge) -> Edge:
    """Rebuild an edge so width/height agree with its box (after reframing)."""
    return _edge(edge["x0"], edge["top"], edge["x1"], edge["bottom"], edge["orientation"])
