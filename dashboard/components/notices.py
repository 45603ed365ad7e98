"""Small shared notices."""

from __future__ import annotations

import streamlit as st


def render_not_built(*, what: str) -> None:
    """Say plainly that a screen is not there yet, and what it will do."""
    st.info(f"Not built yet. This page will {what}.", icon=":material/construction:")
