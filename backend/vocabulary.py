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

# Beat writes this heartbeat every HEARTBEAT_EVERY_S seconds; the System page reads it.
BEAT_HEARTBEAT = "beat"
HEARTBEAT_EVERY_S = 5.0

# A Run's message while the broker cannot take its task; the System page counts these.
WAITING_FOR_QUEUE = "Waiting for the queue: the broker does not answer; sent when it is back."
