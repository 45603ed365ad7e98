"""Every session key the dashboard keeps, and the moves from one page to another.

A page that opens another on a given document, bundle or schedule goes through these
functions, so the key it writes is the one the other page reads. Keys made per item (a
widget's key, a table's drawing) are built where they are used, from the item's id.
"""

from __future__ import annotations

import streamlit as st

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
