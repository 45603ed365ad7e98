import pandas as pd
import streamlit as st

from backend.errors import UserFixable
from backend.selectors.groups import groups_list
from backend.selectors.users import audit_events, users_list
from backend.services.groups import group_create, group_delete, group_set_members
from backend.services.users import (
    user_create,
    user_set_active,
    user_set_admin,
    user_set_password,
)
from dashboard.components.outcomes import outcome_add, outcomes_render, outcomes_start, show_refusal
from dashboard.session import client_address, current_user

user = current_user()
st.title("Users")
outcomes_render("users")

try:
    people = users_list(by=user)
except UserFixable as refused:
    show_refusal(refused)
    st.stop()


def _act(action, **kwargs) -> None:
    """Run one account change and keep what happened on screen."""
    outcomes_start("users")
    try:
        changed = action(by=user, client=client_address(), **kwargs)
    except UserFixable as refused:
        show_refusal(refused, area="users")
    else:
        name = getattr(changed, "username", None) or getattr(changed, "name", "")
        outcome_add("users", "success", f"Saved: {name}." if name else "Saved.")
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
    by_name = {p.username: p for p in people}
    picked = by_name[st.selectbox("Account", list(by_name), key="users-pick")]
    active, admin_col = st.columns(2)
    if active.button("Reactivate" if not picked.active else "Deactivate"):
        _act(user_set_active, user_id=picked.id, active=not picked.active)
    if admin_col.button("Make member" if picked.administrator else "Make administrator"):
        _act(user_set_admin, user_id=picked.id, admin=not picked.administrator)
    with st.form("user-password", clear_on_submit=True):
        new_password = st.text_input("New password", type="password")
        if st.form_submit_button("Reset password"):
            _act(user_set_password, user_id=picked.id, password=new_password)

st.header("Groups")
st.caption(
    "A bundle's owner shares it with groups they belong to: the members may view and load it"
    " and see its runs; only the owner or an administrator changes it."
)
groups = groups_list(by=user)
if groups:
    st.dataframe(
        pd.DataFrame(
            {
                "group": [g.name for g in groups],
                "members": [", ".join(g.members) for g in groups],
                "bundles shared": [g.bundles for g in groups],
            }
        ),
        hide_index=True,
    )
new_group, edit_group = st.columns(2)
with new_group.form("group-create", clear_on_submit=True):
    st.subheader("Create a group")
    group_name = st.text_input("Group name")
    if st.form_submit_button("Create group", type="primary"):
        _act(group_create, name=group_name)

if groups:
    with edit_group.container(border=True):
        st.subheader("Change a group")
        by_id = {g.id: g for g in groups}
        group = by_id[st.selectbox("Group", list(by_id), format_func=lambda i: by_id[i].name)]
        with st.form(f"group-members-{group.id}"):
            chosen = st.multiselect(
                "Members",
                [p.id for p in people],
                default=[p.id for p in people if p.username in group.members],
                format_func=lambda i: next(p.username for p in people if p.id == i),
            )
            if st.form_submit_button("Save members"):
                _act(group_set_members, group_id=group.id, user_ids=chosen)
        # Deleting cannot be undone and unshares its bundles: ask first.
        with st.popover("Delete group", icon=":material/delete:"):
            st.markdown(f"Delete **{group.name}**? Bundles shared with it are no longer shared.")
            if st.button("Yes, delete the group", key=f"group-delete-{group.id}"):
                _act(group_delete, group_id=group.id)

st.subheader("Audit trail")
st.caption("Sign-ins, sign-outs, failed sign-ins, account changes, loads and schedule changes.")
st.dataframe(
    pd.DataFrame(audit_events(by=user)).rename(columns={"client": "from"}), hide_index=True
)
