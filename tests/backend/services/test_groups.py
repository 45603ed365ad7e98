"""Groups and shared bundles: administrators make groups and choose members; an owner shares a
bundle with a group; its members view and load it and see its runs, and change nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from backend.access import AccessDenied
from backend.models import AuditEvent, Run
from backend.selectors.bundles import bundle_recent_loads, bundles_of_owner
from backend.selectors.groups import groups_list, groups_to_share_with
from backend.selectors.run_detail import run_detail
from backend.selectors.runs import RunFilters, runs_page
from backend.services.bundles import (
    bundle_create,
    bundle_delete,
    bundle_update,
    table_create_from_csv,
)
from backend.services.groups import (
    GroupInvalid,
    bundle_share,
    group_create,
    group_delete,
    group_set_members,
)
from backend.services.loads import LoadFailed, load_enqueue, load_run
from backend.services.schedules import schedule_save
from tests.support.factories import make_run
from tests.support.users import member, user_default


@pytest.fixture
def team(transactional_db):
    """Ann's bundle shared with 'sales', of which Ann and Bob are members; Carol is not."""
    admin = user_default()
    ann, bob, carol = member("ann"), member("bob"), member("carol")
    sales = group_create(by=admin, name="sales")
    group_set_members(by=admin, group_id=sales.pk, user_ids=[ann.pk, bob.pk])
    bundle = bundle_create(owner=ann, name="q1", target_table="q1", load_mode="append")
    table_create_from_csv(owner=ann, name="q1.csv", content=b"a,b\n1,2\n", bundle_id=bundle.pk)
    bundle_share(by=ann, bundle_id=bundle.pk, group_ids=[sales.pk])
    return {"admin": admin, "ann": ann, "bob": bob, "carol": carol, "sales": sales, "q1": bundle}


def test_an_administrator_makes_a_group_and_chooses_its_members_and_each_change_is_recorded(team):
    admin, sales = team["admin"], team["sales"]
    (row,) = groups_list(by=admin)
    assert (row.name, row.members, row.bundles) == ("sales", ("ann", "bob"), 1)
    group_set_members(by=admin, group_id=sales.pk, user_ids=[team["bob"].pk, team["carol"].pk])
    assert groups_list(by=admin)[0].members == ("bob", "carol")
    details = list(AuditEvent.objects.values_list("detail", flat=True))
    for detail in ("created group sales", "added carol to group sales", "removed ann from"):
        assert any(d.startswith(detail) for d in details), detail


def test_a_group_name_must_be_new_and_not_empty(team):
    with pytest.raises(GroupInvalid, match="exists already"):
        group_create(by=team["admin"], name=" sales ")
    with pytest.raises(GroupInvalid, match="Give the group a name"):
        group_create(by=team["admin"], name="  ")
    with pytest.raises(GroupInvalid, match="at most 150"):
        group_create(by=team["admin"], name="x" * 151)
    assert list(Group.objects.values_list("name", flat=True)) == ["sales"]


def test_a_member_manages_no_group(team):
    bob, sales = team["bob"], team["sales"]
    with pytest.raises(AccessDenied):
        group_create(by=bob, name="mine")
    with pytest.raises(AccessDenied):
        group_set_members(by=bob, group_id=sales.pk, user_ids=[team["carol"].pk])
    with pytest.raises(AccessDenied):
        group_delete(by=bob, group_id=sales.pk)
    with pytest.raises(AccessDenied):
        groups_list(by=bob)
    assert groups_list(by=team["admin"])[0].members == ("ann", "bob")


def test_a_group_member_sees_loads_and_sees_the_runs_of_a_shared_bundle(team):
    bob, bundle = team["bob"], team["q1"]
    (row,) = bundles_of_owner(owner=bob)
    assert (row.name, row.owner, row.may_change) == ("q1", "ann", False)
    assert row.shared_with == {team["sales"].pk: "sales"}
    assert bundle_recent_loads(by=bob, bundle_id=bundle.pk) == []
    run = load_enqueue(bundle_id=bundle.pk, owner=bob)
    assert run.owner == bob
    anns_run = make_run(kind="load", owner=team["ann"], task_id="ann-1", bundle=bundle)
    seen = {r.id for r in runs_page(by=bob, filters=RunFilters()).rows}
    assert {run.pk, anns_run.pk} <= seen
    assert run_detail(by=bob, run_id=anns_run.pk) is not None


def test_only_the_owner_or_an_administrator_changes_a_shared_bundle(team):
    bob, bundle = team["bob"], team["q1"]
    with pytest.raises(AccessDenied):
        bundle_update(
            by=bob,
            bundle_id=bundle.pk,
            name="x",
            target_table="x",
            load_mode="append",
            key_columns=[],
        )
    with pytest.raises(AccessDenied):
        bundle_share(by=bob, bundle_id=bundle.pk, group_ids=[])
    with pytest.raises(AccessDenied):
        schedule_save(bundle_id=bundle.pk, owner=bob, spec=None)
    with pytest.raises(AccessDenied):
        bundle_delete(by=bob, bundle_id=bundle.pk)
    bundle.refresh_from_db()
    assert bundle.name == "q1" and bundle.shared_with.count() == 1
    assert bundles_of_owner(owner=team["admin"])[0].may_change is True
    bundle_delete(by=team["admin"], bundle_id=bundle.pk)


def test_someone_outside_the_group_neither_sees_nor_loads_the_bundle(team):
    carol, bundle = team["carol"], team["q1"]
    assert bundles_of_owner(owner=carol) == []
    with pytest.raises(AccessDenied):
        bundle_recent_loads(by=carol, bundle_id=bundle.pk)
    with pytest.raises(AccessDenied):
        load_enqueue(bundle_id=bundle.pk, owner=carol)


def test_leaving_the_group_ends_the_access_even_for_a_load_already_queued(team):
    admin, bob, bundle = team["admin"], team["bob"], team["q1"]
    run = load_enqueue(bundle_id=bundle.pk, owner=bob)
    group_set_members(by=admin, group_id=team["sales"].pk, user_ids=[team["ann"].pk])
    assert bundles_of_owner(owner=bob) == []
    with pytest.raises(LoadFailed):
        load_run(
            bundle_id=bundle.pk,
            username="bob",
            task_id=run.task_id,
            trigger=Run.Trigger.MANUAL,
            on_progress=lambda **_: None,
        )
    run.refresh_from_db()
    assert run.status == Run.Status.FAILED and run.error.startswith("Nothing loaded: bob may not")


def test_an_owner_shares_only_with_their_own_groups_and_keeps_an_administrators_choice(team):
    ann, admin, bundle = team["ann"], team["admin"], team["q1"]
    others = group_create(by=admin, name="finance")
    assert [g.name for g in groups_to_share_with(by=ann)] == ["sales"]
    assert [g.name for g in groups_to_share_with(by=admin)] == ["finance", "sales"]
    with pytest.raises(AccessDenied, match="only with groups you belong to"):
        bundle_share(by=ann, bundle_id=bundle.pk, group_ids=[others.pk])
    bundle_share(by=admin, bundle_id=bundle.pk, group_ids=[others.pk, team["sales"].pk])
    bundle_share(by=ann, bundle_id=bundle.pk, group_ids=[])  # unshares from sales only
    assert list(bundle.shared_with.values_list("name", flat=True)) == ["finance"]
    assert bundles_of_owner(owner=team["bob"]) == []


def test_deleting_a_group_unshares_its_bundles(team):
    group_delete(by=team["admin"], group_id=team["sales"].pk)
    assert team["q1"].shared_with.count() == 0
    assert bundles_of_owner(owner=team["bob"]) == []
