"""Session keys that pages share, and the moves from one page to another.

A page that opens another on a given document, bundle or schedule goes through these
functions, so the key it writes is the one the other page reads.
"""

from __future__ import annotations

import streamlit as st

DOCUMENT = "document_id"  # Documents page: the document shown
BUNDLE = "bundle_id"  # Bundles page: the bundle shown
SCHEDULE_BUNDLE = "schedule_bundle"  # Schedules page: the bundle its form edits


def open_document(document_id: int) -> None:
    st.session_state[DOCUMENT] = document_id
    st.switch_page("app_pages/documents.py")


def open_bundle(bundle_id: int) -> None:
    st.session_state[BUNDLE] = bundle_id
    st.switch_page("app_pages/bundles.py")


def open_schedule(bundle_id: int) -> None:
    """The Schedules page with its form on this bundle's schedule."""
    st.session_state[SCHEDULE_BUNDLE] = bundle_id
    st.switch_page("app_pages/schedules.py")
