"""The dashboard's entry point: boots Django, then routes to one page per screen."""

from __future__ import annotations

import streamlit as st

from dashboard.boot import boot

boot()
st.set_page_config(page_title="Data loading", page_icon=":material/table_view:", layout="wide")

# The first page is served at /; its own path name must differ from the /upload link's.
UPLOAD = st.Page(
    "app_pages/upload.py",
    title="Upload",
    icon=":material/upload_file:",
    default=True,
    url_path="start",
)


def upload_link() -> None:
    """/upload opens Upload, which as the first page is served at /."""
    st.switch_page(UPLOAD)


PAGES = {
    "Data": [
        UPLOAD,
        st.Page(upload_link, title="Upload", url_path="upload", visibility="hidden"),
        st.Page("app_pages/documents.py", title="Documents", icon=":material/description:"),
        st.Page("app_pages/bundles.py", title="Bundles", icon=":material/inventory_2:"),
        st.Page("app_pages/warehouse.py", title="Warehouse", icon=":material/database:"),
    ],
    "Operations": [
        st.Page("app_pages/schedules.py", title="Schedules", icon=":material/schedule:"),
        st.Page("app_pages/history.py", title="History", icon=":material/history:"),
        st.Page("app_pages/system.py", title="System", icon=":material/monitor_heart:"),
    ],
}

st.navigation(PAGES).run()
