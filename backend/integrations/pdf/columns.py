"""Whitespace columns of a block of text lines.

Columns are the x-ranges covered by the segments of the lines that have two
or more segments; gaps are where (almost) no such segment reaches.  A small
tolerance lets a few spanning header segments ("Revenue" centred over two
columns) cross a gap without merging the columns below them.
"""

from __future__ import annotations

from .layout import Segment, TextLine
from .settings import SETTINGS

Span = tuple[float, float]


def _coverage_gaps(segments: list[list[Segment]], tolerance: int) -> list[Span]:
    """x-intervals crossed by at most `tolerance` of the given lines."""
    events: list[tuple[float, int]] = []
    for line in segments:
        for s in line:
            events.append((s.x0, 1))
            events.append((s.x1, -1))
    events.sort(key=lambda e: (e[0], e[1]))
    gaps: list[Span] = []
    depth, start = 0, None
    for x, step in events:
        before = depth
        depth += step
        if before > tolerance >= depth:
            start = x
        elif before <= tolerance < depth and start is not None:
            gaps.append((start, x))
            start = None
    return gaps


def find_columns(lines: list[TextLine]) -> list[Span]:
    """Column x-ranges, left to right, for a block of lines."""
    multi = [ln.segments for ln in lines if len(ln.segments) >= 2] or [ln.segments for ln in lines]
    tolerance = int(len(multi) * SETTINGS.column_crossing_share)
    all_segs = [s for ln in lines for s in ln.segments]
    left, right = min(s.x0 for s in all_segs), max(s.x1 for s in all_segs)
    gaps = [g for g in _coverage_gaps(multi, tolerance) if g[1] - g[0] > SETTINGS.min_column_gap]
    edges = [left] + [x for g in gaps for x in g] + [right]
    columns = [(edges[i], edges[i + 1]) for i in range(0, len(edges), 2)]
    columns = [c for c in columns if c[1] > c[0]]
    return _add_orphans(columns, all_segs)


def _add_orphans(columns: list[Span], segments: list[Segment]) -> list[Span]:
    """Segments lying wholly in a gap (sparse columns) become columns of their own."""
    extra: list[Span] = []
    for s in segments:
        if not any(s.x0 < c1 and s.x1 > c0 for c0, c1 in columns + extra):
            extra.append((s.x0, s.x1))
    return sorted(columns + extra)


def column_of(segment: Segment, columns: list[Span]) -> int:
    """Column with the widest overlap (a spanning cell goes where most of it sits)."""
    best, best_overlap = 0, float("-inf")
    for i, (c0, c1) in enumerate(columns):
        overlap = min(segment.x1, c1) - max(segment.x0, c0)
        if overlap > best_overlap:
            best, best_overlap = i, overlap
    return best
