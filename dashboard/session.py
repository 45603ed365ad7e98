"""Who is using the dashboard: sign-in, the first-run screen, sign-out.

The session lives in Django's session table; the browser keeps only its key, in a cookie.
Streamlit reads cookies (st.context.cookies) but has no call to set one, so a one-line
script sets it (SameSite=Strict; Secure under HTTPS). A reload or a second tab sends the
cookie and finds the same server-side session; sign-out deletes that session, so every tab
that shares it is signed out at its next interaction.
"""

from __future__ import annotations

import json

import streamlit as st
from django.conf import settings
from django.contrib.auth.models import User

from backend.services.users import (
    SignInRefused,
    session_end,
    session_start,
    session_user,
    user_create_first_admin,
    user_from_identity,
    user_sign_in,
    users_exist,
)
from dashboard import state

COOKIE = "dataops_session"
USER = "signed_in_user"
SIGNED_OUT = "signed_out"


def client_address() -> str:
    """The client's address as the server sees it (a proxy's address behind a proxy)."""
    return st.context.ip_address or "localhost"


def _session_key() -> str:
    return st.session_state.get(state.SIGN_IN) or st.context.cookies.get(COOKIE, "")


def _write_cookie(value: str, max_age: int) -> None:
    """Set (or with max_age 0, remove) the session cookie in the browser."""
    cookie = f"{COOKIE}={value}; path=/; max-age={max_age}; SameSite=Strict"
    script = (
        f"<script>document.cookie = {json.dumps(cookie)}"
        " + (location.protocol === 'https:' ? '; Secure' : '');</script>"
    )
    st.html(script, unsafe_allow_javascript=True)


def oidc_configured() -> bool:
    """Whether the secrets (.streamlit/secrets.toml, or the files STREAMLIT_SECRETS_FILES
    names) give an OpenID Connect provider ([auth])."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def signed_in_user() -> User | None:
    """The user of this browser's session (remembered for this script run), or None."""
    key = _session_key()
    user = session_user(session_key=key)
    if user is None and oidc_configured() and st.user.is_logged_in:
        user = user_from_identity(email=str(st.user.email), name=str(st.user.get("name", "")))
        if user.is_active:
            key = session_start(user=user, client=client_address())
            user = session_user(session_key=key)
    if user is None:
        st.session_state.pop(state.SIGN_IN, None)
        if st.session_state.pop(SIGNED_OUT, False):
            _write_cookie("", 0)
        return None
    st.session_state[state.SIGN_IN] = key
    st.session_state[USER] = user
    if st.context.cookies.get(COOKIE) != key:
        _write_cookie(key, settings.SESSION_COOKIE_AGE)
    return user


def current_user() -> User:
    """The signed-in user; the app stops before any page when nobody is signed in."""
    user = st.session_state.get(USER)
    if user is None:
        st.stop()
    return user


def sign_out() -> None:
    """End the session (in every tab); the next run removes the cookie and asks to sign in."""
    session_end(session_key=_session_key(), client=client_address())
    st.session_state.clear()
    st.session_state[SIGNED_OUT] = True
    if oidc_configured() and st.user.is_logged_in:
        st.logout()


def render_sign_in() -> None:
    """The first-run screen when there is no user yet, else the sign-in form."""
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        if not users_exist():
            _first_run()
        elif oidc_configured():
            st.title("Sign in")
            st.button("Sign in with your company account", on_click=st.login, type="primary")
        else:
            _sign_in_form()


def _sign_in_form() -> None:
    st.title("Sign in")
    with st.form("sign-in"):
        username = st.text_input("User name")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in", type="primary")
    minutes = settings.SIGN_IN_LOCKOUT_S // 60
    st.caption(
        f"After {settings.SIGN_IN_MAX_FAILURES} failed sign-ins, sign-in for that user name"
        f" or from that address is locked for {minutes} minutes."
    )
    if submitted:
        try:
            key = user_sign_in(username=username, password=password, client=client_address())
        except SignInRefused as exc:
            st.error(str(exc), icon=":material/lock:")
            return
        st.session_state[state.SIGN_IN] = key
        st.rerun()


def _first_run() -> None:
    st.title("Welcome")
    st.write("No account exists yet. Create the first administrator; they add everyone else.")
    with st.form("first-admin"):
        username = st.text_input("Administrator's user name")
        password = st.text_input("Password", type="password")
        again = st.text_input("Password again", type="password")
        submitted = st.form_submit_button("Create administrator", type="primary")
    if not submitted:
        return
    if password != again:
        st.error("The two passwords differ.")
        return
    if not username.strip():
        st.error("Give a user name.")
        return
    try:
        user = user_create_first_admin(
            username=username, password=password, client=client_address()
        )
    except SignInRefused as exc:
        st.error(str(exc))
        return
    st.session_state[state.SIGN_IN] = session_start(user=user, client=client_address())
    st.rerun()
