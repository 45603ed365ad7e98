"""The Warehouse page's reads, per person: a member sees the tables of the bundles they may
see (shared ones too) and nothing else; an administrator sees every table."""

from __future__ import annotations

import uuid

import pytest

from backend.access import AccessDenied
from backend.models import Run
from backend.selectors.warehouse import WarehouseListing, warehouse_preview, warehouse_tables
from backend.services.bundles import bundle_create, table_create_from_csv
from backend.services.groups import bundle_share, group_create, group_set_members
from backend.services.loads import load_run
from tests.support.users import member, user_default


def load_now(bundle, username: str) -> Run:
    """A load run in this process, as a worker would run it."""
    task_id = f"load-{uuid.uuid4().hex[:8]}"
    load_run(
        bundle_id=bundle.pk,
        username=username,
        task_id=task_id,
        trigger=Run.Trigger.MANUAL,
        on_progress=lambda *_: None,
    )
    return Run.objects.get(task_id=task_id)


@pytest.fixture
def loaded(transactional_db, own_warehouse):
    """Ann's and Dave's tables loaded into the warehouse; Bob shares a group with Ann."""
    admin, ann, bob, dave = user_default(), member("ann"), member("bob"), member("dave")
    tag = uuid.uuid4().hex[:6]
    tables = {}
    for owner in (ann, dave):
        target = f"{owner.username}_{tag}"
        bundle = bundle_create(owner=owner, name=target, target_table=target, load_mode="append")
        table_create_from_csv(owner=owner, name="t.csv", content=b"a,b\n1,2\n", bundle_id=bundle.pk)
        assert load_now(bundle, owner.username).status == Run.Status.SUCCEEDED
        tables[owner.username] = bundle
    return {"admin": admin, "ann": ann, "bob": bob, "dave": dave, "bundles": tables}


def names(listing: WarehouseListing) -> set[str]:
    assert listing.error == ""
    return {t.name for t in listing.tables}


def test_a_member_sees_only_the_tables_their_own_loads_wrote(loaded):
    ann_table = loaded["bundles"]["ann"].target_table
    dave_table = loaded["bundles"]["dave"].target_table
    seen = names(warehouse_tables(by=loaded["ann"]))
    assert ann_table in seen and dave_table not in seen
    (mine,) = [t for t in warehouse_tables(by=loaded["ann"]).tables if t.name == ann_table]
    assert mine.last_load is not None and mine.last_load.by == "ann" and mine.rows == 1
    assert warehouse_preview(by=loaded["ann"], table=ann_table).rows == [[1, 2]]
    with pytest.raises(AccessDenied, match=f"No warehouse table {dave_table} of yours"):
        warehouse_preview(by=loaded["ann"], table=dave_table)


def test_another_member_gets_an_empty_list_and_every_preview_refused(loaded):
    bob = loaded["bob"]
    assert names(warehouse_tables(by=bob)) == set()
    for owner in ("ann", "dave"):
        with pytest.raises(AccessDenied):
            warehouse_preview(by=bob, table=loaded["bundles"][owner].target_table)


def test_an_administrator_sees_every_table(loaded):
    admin = loaded["admin"]
    seen = names(warehouse_tables(by=admin))
    assert {b.target_table for b in loaded["bundles"].values()} <= seen
    dave_table = loaded["bundles"]["dave"].target_table
    assert warehouse_preview(by=admin, table=dave_table).rows == [[1, 2]]


def test_a_group_member_sees_the_table_of_a_bundle_shared_with_the_group(loaded):
    admin, bob, ann_bundle = loaded["admin"], loaded["bob"], loaded["bundles"]["ann"]
    team = group_create(by=admin, name="team")
    group_set_members(by=admin, group_id=team.pk, user_ids=[loaded["ann"].pk, bob.pk])
    bundle_share(by=loaded["ann"], bundle_id=ann_bundle.pk, group_ids=[team.pk])
    assert names(warehouse_tables(by=bob)) == {ann_bundle.target_table}
    assert warehouse_preview(by=bob, table=ann_bundle.target_table.upper()).rows == [[1, 2]]


def test_leaving_the_group_hides_the_table_even_from_someone_who_loaded_it(loaded):
    admin, bob, ann_bundle = loaded["admin"], loaded["bob"], loaded["bundles"]["ann"]
    team = group_create(by=admin, name="team")
    group_set_members(by=admin, group_id=team.pk, user_ids=[bob.pk])
    bundle_share(by=admin, bundle_id=ann_bundle.pk, group_ids=[team.pk])
    assert load_now(ann_bundle, "bob").status == Run.Status.SUCCEEDED
    assert names(warehouse_tables(by=bob)) == {ann_bundle.target_table}
    group_set_members(by=admin, group_id=team.pk, user_ids=[])
    assert names(warehouse_tables(by=bob)) == set()
    with pytest.raises(AccessDenied):
        warehouse_preview(by=bob, table=ann_bundle.target_table)
