"""Words the product uses in several rooms, each defined once (no Django, so the PDF engine
and the pages can share them)."""

from __future__ import annotations

# How tables are found on a page, and what the pages call each way.
STRATEGY_LABELS = {
    "auto": "Automatic (per page)",
    "lines": "Ruled lines",
    "text": "Whitespace layout",
}
STRATEGIES = tuple(STRATEGY_LABELS)
# A person who draws a table's area picks one way; "auto" is for whole pages.
DRAWN_STRATEGIES = ("lines", "text")
