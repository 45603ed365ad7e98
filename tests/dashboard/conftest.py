"""Each page test starts with empty caches: the pages' st.cache_data lives as long as the
process, and another test's tables or runs must not show."""

from __future__ import annotations

import pytest
import streamlit as st


@pytest.fixture(autouse=True)
def empty_page_caches():
    st.cache_data.clear()


@pytest.fixture(autouse=True)
def signed_in(monkeypatch, transactional_db):
    """Every AppTest starts signed in as the administrator, through a real Django session."""
    from streamlit.testing.v1 import AppTest

    from backend.services.users import session_start
    from dashboard.state import SIGN_IN
    from tests.support.users import user_default

    original = AppTest.from_file

    def from_file(*args, **kwargs) -> AppTest:
        app = original(*args, **kwargs)
        app.session_state[SIGN_IN] = session_start(user=user_default())
        return app

    monkeypatch.setattr(AppTest, "from_file", staticmethod(from_file))
