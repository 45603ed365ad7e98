"""A selectbox whose choice lives in session state, so other pages can open an item in it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st


def remembered_selectbox(
    label: str,
    options: Sequence[Any],
    *,
    state_key: str,
    format_func: Callable[[Any], str],
    **kwargs: Any,
) -> Any:
    """Pick one of `options`; the choice is kept in st.session_state[state_key].

    The widget has a fixed key and is never given an index: a changing index (or a changing
    label) would make Streamlit build a new widget and drop the pick the user just made.
    Another page opens an item by setting state_key before switching here."""
    widget_key = f"{state_key}-picker"
    wanted = st.session_state.get(state_key)
    if wanted not in options:
        wanted = options[0]
    if st.session_state.get(widget_key) != wanted:
        st.session_state[widget_key] = wanted  # allowed: the widget is not drawn yet

    def remember() -> None:
        st.session_state[state_key] = st.session_state[widget_key]

    value = st.selectbox(
        label, options, key=widget_key, format_func=format_func, on_change=remember, **kwargs
    )
    st.session_state[state_key] = value
    return value
