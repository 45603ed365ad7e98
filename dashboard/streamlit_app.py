"""The dashboard's entry point: boots Django, then routes to one page per screen."""

from __future__ import annotations

import streamlit as st

from dashboard.boot import boot

boot()
st.set_page_config(page_title="Data loading", page_icon=":material/table_view:", layout="wide")

from backend.access import AccessDenied, is_admin  # noqa: E402  (Django is set up by boot())
from dashboard.session import render_sign_in, sign_out, signed_in_user  # noqa: E402

user = signed_in_user()
if user is None:
    # Every page is behind this: until someone signs in, the only page is the sign-in one.
    st.navigation([st.Page(render_sign_in, title="Sign in")], position="hidden").run()
    st.stop()

with st.sidebar:
    role = "administrator" if is_admin(user) else "member"
    st.caption(f"Signed in as **{user.username}** ({role})")
    st.button("Sign out", icon=":material/logout:", on_click=sign_out)

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
    ],
}
if is_admin(user):
    PAGES["Operations"].append(
        st.Page("app_pages/system.py", title="System", icon=":material/monitor_heart:")
    )
    PAGES["Administration"] = [
        st.Page("app_pages/users.py", title="Users", icon=":material/group:"),
    ]

try:
    st.navigation(PAGES).run()
except AccessDenied as refused:
    # The services and selectors refuse what this user may not see or do; say so plainly.
    st.error(str(refused), icon=":material/block:")
