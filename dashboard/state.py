"""Every session key the dashboard keeps, its pages, and the moves from one page to another.

A page that opens another on a given document, bundle or schedule goes through these
functions, so the key it writes is the one the other page reads. Keys made per item (a
widget's key, a table's drawing) are built where they are used, from the item's id.
"""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage

DOCUMENT = "document_id"  # Documents page: the document shown
BUNDLE = "bundle_id"  # Bundles page: the bundle shown
SCHEDULE_BUNDLE = "schedule_bundle"  # Schedules page: the bundle its form edits
SIGN_IN = "session_key"  # the signed-in person's server-side session

UPLOAD_DUPLICATES = "duplicates"  # Upload: files identical to earlier uploads, asked about
UPLOAD_DISMISSED = "upload_dismissed"  # Upload: cards the person dismissed
UPLOAD_SHOWN = "upload_shown"  # Upload: how many cards are listed
RAW_DOWNLOADS = "downloads-raw"  # Documents: downloads without the formula guard
CSV_PENDING = "csv-pending"  # Bundles: uploaded CSVs waiting for the person's answers
CONFIRM_LOAD = "confirm-load"  # Bundles: a load waiting for "load unchecked tables anyway"
SCHEDULE_FLASH = "schedule_flash"  # Schedules: what the last list action did
SCHEDULE_CHANGED = "schedule_changed"  # Schedules: the list changed, read it again
SCHEDULE_SAVED = "schedule_saved"  # Schedules: the form's last save, shown once
CALENDAR_ANCHOR = "calendar_anchor"  # Schedules: the month the calendar shows
HISTORY_RUN = "history_run"  # History: the run whose detail is open
HISTORY_SELECTION = "history_selection"  # History: the table's selected rows
HISTORY_FILTERS = "history_filters"  # History: the filters the pages were read with
HISTORY_CURSORS = "history_cursors"  # History: where each page of runs starts
HISTORY_LINKED = "history_linked"  # History: the ?run= link already opened


# The pages. Built on each call: st.Page reads the running script's folder, so it cannot be
# made once at import. Two calls give pages Streamlit takes as the same one.


def upload_page() -> StreamlitPage:
    # The first page is served at /; its own path name must differ from the /upload link's.
    return st.Page(
        "app_pages/upload.py",
        title="Upload",
        icon=":material/upload_file:",
        default=True,
        url_path="start",
    )


def documents_page() -> StreamlitPage:
    return st.Page("app_pages/documents.py", title="Documents", icon=":material/description:")


def bundles_page() -> StreamlitPage:
    return st.Page("app_pages/bundles.py", title="Bundles", icon=":material/inventory_2:")


def warehouse_page() -> StreamlitPage:
    return st.Page("app_pages/warehouse.py", title="Warehouse", icon=":material/database:")


def schedules_page() -> StreamlitPage:
    return st.Page("app_pages/schedules.py", title="Schedules", icon=":material/schedule:")


def history_page() -> StreamlitPage:
    return st.Page("app_pages/history.py", title="History", icon=":material/history:")


def system_page() -> StreamlitPage:
    return st.Page("app_pages/system.py", title="System", icon=":material/monitor_heart:")


def users_page() -> StreamlitPage:
    return st.Page("app_pages/users.py", title="Users", icon=":material/group:")


def every_page() -> list[StreamlitPage]:
    """Every page any person may see, each once."""
    return [
        upload_page(),
        documents_page(),
        bundles_page(),
        warehouse_page(),
        schedules_page(),
        history_page(),
        system_page(),
        users_page(),
    ]


def open_document(document_id: int) -> None:
    st.session_state[DOCUMENT] = document_id
    st.switch_page(documents_page())


def open_bundle(bundle_id: int) -> None:
    st.session_state[BUNDLE] = bundle_id
    st.switch_page(bundles_page())


def open_schedule(bundle_id: int) -> None:
    """The Schedules page with its form on this bundle's schedule."""
    st.session_state[SCHEDULE_BUNDLE] = bundle_id
    st.switch_page(schedules_page())
