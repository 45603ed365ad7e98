"""The Bundles page for a bundle shared with a group: its members view and load it, with no
control that changes it; its owner shares it from the Settings tab."""

from __future__ import annotations

from backend.services.bundles import bundle_create, table_create_from_csv
from backend.services.groups import bundle_share, group_create, group_set_members
from backend.services.users import session_start
from dashboard.state import SIGN_IN
from tests.dashboard.test_data_pages import open_page
from tests.support.users import member, user_default


def shared_bundle():
    admin, ann, bob = user_default(), member("ann"), member("bob")
    sales = group_create(by=admin, name="sales")
    group_set_members(by=admin, group_id=sales.pk, user_ids=[ann.pk, bob.pk])
    bundle = bundle_create(owner=ann, name="q1", target_table="q1", load_mode="append")
    table_create_from_csv(owner=ann, name="q1.csv", content=b"a,b\n1,2\n", bundle_id=bundle.pk)
    bundle_share(by=ann, bundle_id=bundle.pk, group_ids=[sales.pk])
    return ann, bob, bundle


def labels(app) -> set[str]:
    return {b.label for b in app.button} | {b.label for b in app.get("form_submit_button")}


def test_a_group_member_sees_the_shared_bundle_read_only_and_may_load_it():
    _, bob, bundle = shared_bundle()
    app = open_page("bundles", **{SIGN_IN: session_start(user=bob)}, bundle_id=bundle.pk)
    assert [t.label for t in app.tabs] == ["Tables", "Schema", "Loads"]
    assert "Shared by **ann** with sales" in " ".join(i.value for i in app.info)
    assert "Load now" in labels(app)
    changes = {"Save tables", "Save schema", "Save settings", "Save sharing", "Schedule loads"}
    assert not labels(app) & changes
    assert "Yes, delete the bundle" not in labels(app)
    assert app.selectbox(key="bundle_id-picker").format_func(bundle.pk) == "q1 (ann)"
    assert "Columns and types" in " ".join(m.value for m in app.markdown)  # read, not edited


def test_the_owner_shares_from_the_settings_tab():
    ann, _, bundle = shared_bundle()
    app = open_page("bundles", **{SIGN_IN: session_start(user=ann)}, bundle_id=bundle.pk)
    assert [t.label for t in app.tabs] == ["Tables", "Schema", "Loads", "Settings"]
    assert {"Save tables", "Save sharing", "Schedule loads"} <= labels(app)
    (groups,) = [m for m in app.multiselect if m.label == "Groups"]
    assert [groups.format_func(v) for v in groups.value] == ["sales"]
