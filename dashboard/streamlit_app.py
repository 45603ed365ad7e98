"""The dashboard's entry point: boots Django, then routes to one page per screen."""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from dashboard.boot import boot

boot()
st.set_page_config(page_title="Data loading", page_icon=":material/table_view:", layout="wide")

from backend.access import AccessDenied, is_admin  # noqa: E402  (Django is set up by boot())
from dashboard import state  # noqa: E402
from dashboard.session import render_sign_in, sign_out, signed_in_user  # noqa: E402

UPLOAD_LINK = "upload"  # /upload opens Upload, which as the first page is served at /


def sign_in_pages() -> list[StreamlitPage]:
    """The sign-in form at / and at every page's address. A link to a page (a run in
    History, a schedule) asks to sign in first, and the same address then opens that page,
    instead of "Page not found" over the form."""
    paths = [page.url_path for page in state.every_page() if page.url_path] + [UPLOAD_LINK]
    return [st.Page(render_sign_in, title="Sign in", default=True)] + [
        st.Page(render_sign_in, title="Sign in", url_path=path) for path in paths
    ]


user = signed_in_user()
if user is None:
    # Every page is behind this: until someone signs in, every address shows the sign-in form.
    st.navigation(sign_in_pages(), position="hidden").run()
    st.stop()

with st.sidebar:
    role = "administrator" if is_admin(user) else "member"
    st.caption(f"Signed in as **{user.username}** ({role})")
    st.button("Sign out", icon=":material/logout:", on_click=sign_out)


def upload_link() -> None:
    """/upload opens Upload, which as the first page is served at /."""
    st.switch_page(state.upload_page())


PAGES = {
    "Data": [
        state.upload_page(),
        st.Page(upload_link, title="Upload", url_path=UPLOAD_LINK, visibility="hidden"),
        state.documents_page(),
        state.bundles_page(),
        state.warehouse_page(),
    ],
    "Operations": [state.schedules_page(), state.history_page()],
}
if is_admin(user):
    PAGES["Operations"].append(state.system_page())
    PAGES["Administration"] = [state.users_page()]

try:
    st.navigation(PAGES).run()
except AccessDenied as refused:
    # The services and selectors refuse what this user may not see or do; say so plainly.
    st.error(str(refused), icon=":material/block:")
