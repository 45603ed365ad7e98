"""Outcomes of an action that stay on screen until the user dismisses them or acts again.

A toast or an st.error drawn before st.rerun() is gone within a second; these are kept in
session state and drawn on every run of the page that owns them."""

from __future__ import annotations

import streamlit as st

from backend.errors import UserFixable

KINDS = {
    "success": (st.success, ":material/check_circle:"),
    "info": (st.info, ":material/info:"),
    "warning": (st.warning, ":material/warning:"),
    "error": (st.error, ":material/block:"),
}


def outcomes_start(area: str) -> None:
    """Forget the outcomes of the previous action in `area` (a new action begins)."""
    st.session_state[f"outcomes-{area}"] = []


def outcome_add(area: str, kind: str, text: str) -> None:
    """Keep one outcome (kind: success, info, warning or error) to show in `area`."""
    st.session_state.setdefault(f"outcomes-{area}", []).append((kind, text))


def show_refusal(refused: UserFixable, *, lead: str = "", area: str | None = None) -> None:
    """What a person must change, where they are looking: kept in `area`'s outcomes (for an
    action followed by a rerun), or drawn here. `lead` says what was not done."""
    text = f"{lead} {refused}".strip()
    if area is None:
        show, icon = KINDS["error"]
        show(text, icon=icon)
    else:
        outcome_add(area, "error", text)


def outcomes_render(area: str) -> None:
    """Draw the kept outcomes of `area` with one button that dismisses them all."""
    kept = st.session_state.get(f"outcomes-{area}") or []
    if not kept:
        return
    for kind, text in kept:
        show, icon = KINDS[kind]
        show(text, icon=icon)
    if st.button("Dismiss", key=f"dismiss-{area}", icon=":material/close:"):
        outcomes_start(area)
        st.rerun()
