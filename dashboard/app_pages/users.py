import pandas as pd
import streamlit as st

from backend.access import AccessDenied
from backend.selectors.users import audit_events, users_list
from backend.services.users import (
    SignInRefused,
    user_create,
    user_set_active,
    user_set_admin,
    user_set_password,
)
from dashboard.components.outcomes import outcome_add, outcomes_render, outcomes_start
from dashboard.session import client_address, current_user

user = current_user()
st.title("Users")
outcomes_render("users")

try:
    people = users_list(by=user)
except AccessDenied as exc:
    st.error(str(exc), icon=":material/block:")
    st.stop()


def _act(action, **kwargs) -> None:
    """Run one account change and keep what happened on screen."""
    outcomes_start("users")
    try:
        changed = action(by=user, client=client_address(), **kwargs)
    except (SignInRefused, AccessDenied) as exc:
        outcome_add("users", "error", str(exc))
    else:
        outcome_add("users", "success", f"Saved: {changed.username}.")
    st.rerun()


st.dataframe(
    pd.DataFrame(people).drop(columns=["id"]),
    hide_index=True,
    column_config={"last_sign_in": st.column_config.DatetimeColumn("last sign-in")},
)

create, change = st.columns(2)
with create.form("user-create", clear_on_submit=True):
    st.subheader("Create an account")
    name = st.text_input("User name")
    password = st.text_input("Password", type="password")
    admin = st.checkbox("Administrator")
    if st.form_submit_button("Create", type="primary"):
        _act(user_create, username=name, password=password, admin=admin)

with change.container(border=True):
    st.subheader("Change an account")
    by_name = {p["username"]: p for p in people}
    picked = by_name[st.selectbox("Account", list(by_name), key="users-pick")]
    active, admin_col = st.columns(2)
    if active.button("Reactivate" if not picked["active"] else "Deactivate"):
        _act(user_set_active, user_id=picked["id"], active=not picked["active"])
    if admin_col.button("Make member" if picked["administrator"] else "Make administrator"):
        _act(user_set_admin, user_id=picked["id"], admin=not picked["administrator"])
    with st.form("user-password", clear_on_submit=True):
        new_password = st.text_input("New password", type="password")
        if st.form_submit_button("Reset password"):
            _act(user_set_password, user_id=picked["id"], password=new_password)

st.subheader("Audit trail")
st.caption("Sign-ins, sign-outs, failed sign-ins, account changes, loads and schedule changes.")
st.dataframe(pd.DataFrame(audit_events(by=user)), hide_index=True)
