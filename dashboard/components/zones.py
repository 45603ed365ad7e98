"""The zone times are shown in: the viewer's, on every page alike."""

from __future__ import annotations

import streamlit as st


def viewer_timezone(zones: list[str]) -> str:
    """The browser's zone when Streamlit knows it and offers it, else the product's default
    (the first of `zones`)."""
    browser = getattr(st.context, "timezone", None)
    return browser if browser in zones else zones[0]
