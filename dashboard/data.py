"""Cached reads for the pages: the only module that uses st.cache_*.

Caches hold plain data (dicts, lists, DataFrames), never QuerySets or connections.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from backend.selectors import system


@st.cache_data(ttl=10, max_entries=1, show_spinner=False)
def workers_alive() -> list[dict[str, Any]]:
    """Workers answering a ping; cached because a ping is a broadcast to all of them."""
    return system.system_workers(timeout_s=1.0)


@st.cache_data(ttl=5, max_entries=1, show_spinner=False)
def broker_status() -> dict[str, Any]:
    return system.system_broker(timeout_s=2.0)
