"""Each page test starts with empty caches: the pages' st.cache_data lives as long as the
process, and another test's tables or runs must not show."""

from __future__ import annotations

import pytest
import streamlit as st


@pytest.fixture(autouse=True)
def empty_page_caches():
    st.cache_data.clear()
