"""Bundles loaded by a real worker into each warehouse: SQLite, and Redshift over PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from django.db import transaction
from psycopg import sql

from backend.celery_app import app
from backend.integrations.warehouse import connect_warehouse
from backend.models import Bundle, Run
from backend.scheduling.spec import ScheduleSpec
from backend.services.bundles import (
    bundle_set_schema,
    bundle_update,
    table_create_from_csv,
)
from backend.services.loads import LoadRefused, load_enqueue, load_inputs
from backend.services.schedules import schedule_save
from tests.support.factories import make_bundle
from tests.support.processes import celery_process, wait_for
from tests.support.redshift_shim import RedshiftShim
from tests.support.services import require_service

PG_DSN = "host=127.0.0.1 port=5432 dbname=postgres user=postgres"
ORDERS = "order id,customer,amount,paid on\r\n1,Ada,10.50,2024-01-02\r\n2,Bob,7.25,2024-01-03\r\n"
MORE = "Order ID;Customer;Amount;Paid on\r\n3;Cé;1,5;2024-02-01\r\n".encode("cp1252")


@pytest.fixture(scope="module", params=["sqlite", "redshift"])
def warehouse_url(request, tmp_path_factory) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('wh') / 'warehouse.sqlite3'}"
        return
    require_service("postgresql")
    schema = f"loads_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    with RedshiftShim(upstream=("127.0.0.1", 5432)) as shim:
        yield f"redshift://postgres:unused@127.0.0.1:{shim.port}/postgres?ssl=false&schema={schema}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture(scope="module")
def load_worker(warehouse_url, django_db_setup, tmp_path_factory):
    log = tmp_path_factory.mktemp("load-worker") / "worker.log"
    env = {"WAREHOUSE_URL": warehouse_url}
    with celery_process(["worker", "-c", "1", "-n", "loads@%h"], log, **env) as proc:
        wait_for(
            lambda: app.control.ping(timeout=0.5), timeout_s=60, what="the worker", process=proc
        )
        yield proc


def load_and_wait(bundle: Bundle, user) -> Run:
    run = load_enqueue(bundle_id=bundle.pk, owner=user)
    return wait_for(
        lambda: Run.objects.filter(pk=run.pk, status__in=["succeeded", "failed"]).first(),
        timeout_s=60,
        what=f"the load of {bundle.name}",
    )


def contents(url: str, table: str) -> list[tuple]:
    with connect_warehouse(url) as warehouse:
        if not warehouse.table_exists(table):
            return []
        return sorted(tuple(str(v) for v in row) for row in warehouse.preview(table, 1000).rows)


def test_a_bundle_of_two_csvs_loads_once_per_version(load_worker, warehouse_url, user):
    bundle = make_bundle(user, ORDERS.encode(), MORE)
    run = load_and_wait(bundle, user)
    assert run.status == "succeeded", run.error
    assert (run.rows_loaded, run.target, run.trigger) == (3, bundle.target_table, "manual")
    loaded = contents(warehouse_url, bundle.target_table)
    assert [r[1] for r in loaded] == ["Ada", "Bob", "Cé"]

    again = load_and_wait(bundle, user)
    assert again.status == "succeeded"
    assert "already loaded" in again.message
    assert contents(warehouse_url, bundle.target_table) == loaded, "no duplicate rows"


def test_a_member_that_does_not_fit_is_explained_and_nothing_is_queued(user):
    bundle = make_bundle(user, ORDERS.encode(), b"order id,customer\r\n9,Zed\r\n")
    with pytest.raises(LoadRefused, match=r"part2\.csv: has 2 columns, the bundle has 4"):
        load_enqueue(bundle_id=bundle.pk, owner=user)
    assert not Run.objects.filter(bundle=bundle).exists()


def test_an_empty_bundle_is_refused_with_what_to_do(user):
    bundle = make_bundle(user)
    with pytest.raises(LoadRefused, match="no tables yet"):
        load_enqueue(bundle_id=bundle.pk, owner=user)
    assert not Run.objects.filter(bundle=bundle).exists()


def test_a_member_that_stops_fitting_after_queueing_fails_the_load_and_loads_nothing(
    load_worker, warehouse_url, user
):
    bundle = make_bundle(user, ORDERS.encode())
    with transaction.atomic():  # the task is sent once the misfit is in the bundle
        run = load_enqueue(bundle_id=bundle.pk, owner=user)
        table_create_from_csv(
            owner=user,
            name="late.csv",
            content=b"order id,customer\r\n9,Zed\r\n",
            bundle_id=bundle.pk,
        )
    run = wait_for(
        lambda: Run.objects.filter(pk=run.pk, status__in=["succeeded", "failed"]).first(),
        timeout_s=60,
        what="the load",
    )
    assert run.status == "failed"
    assert "late.csv: has 2 columns, the bundle has 4" in run.error
    assert contents(warehouse_url, bundle.target_table) == []


def test_a_load_records_what_it_ran_and_keeps_it_after_the_bundle_changes(user):
    bundle = make_bundle(user, ORDERS.encode())
    first_name = bundle.name
    run = load_enqueue(bundle_id=bundle.pk, owner=user)
    bundle_update(
        by=bundle.owner,
        bundle_id=bundle.pk,
        name="renamed",
        target_table="elsewhere",
        load_mode="replace",
        key_columns=[],
    )
    bundle.delete()
    run.refresh_from_db()
    assert run.bundle_id is None
    assert run.bundle_name == first_name
    assert run.inputs["bundle_version"] == 2  # created, then its CSV added
    assert run.inputs["load_mode"] == "append"
    assert [t["name"] for t in run.inputs["tables"]] == ["part1.csv"]
    assert run.inputs["schedule"] is None


def test_a_value_that_does_not_fit_names_where_it_is_and_changes_nothing(
    load_worker, warehouse_url, user
):
    target = f"orders_{uuid.uuid4().hex[:8]}"
    first = make_bundle(user, ORDERS.encode(), target=target)
    assert load_and_wait(first, user).status == "succeeded"
    before = contents(warehouse_url, target)
    bad = make_bundle(
        user, b"order id,customer,amount,paid on\r\n3,Cy,lots,2024-01-04\r\n", target=target
    )
    bundle_set_schema(
        by=bad.owner,
        bundle_id=bad.pk,
        columns=[
            {"name": "order_id", "type": "BIGINT"},
            {"name": "customer", "type": "VARCHAR(20)"},
            {"name": "amount", "type": "NUMERIC(10,2)"},
            {"name": "paid_on", "type": "DATE"},
        ],
    )
    run = load_and_wait(bad, user)
    assert run.status == "failed"
    for part in ("part1.csv", "row 2", "amount", "'lots'"):
        assert part in run.error, (part, run.error)
    assert contents(warehouse_url, target) == before


def test_an_existing_table_with_another_schema_is_refused(load_worker, warehouse_url, user):
    target = f"orders_{uuid.uuid4().hex[:8]}"
    assert (
        load_and_wait(make_bundle(user, ORDERS.encode(), target=target), user).status == "succeeded"
    )
    before = contents(warehouse_url, target)
    other = make_bundle(user, b"sku,qty\r\nA-1,3\r\n", target=target)
    run = load_and_wait(other, user)
    assert run.status == "failed"
    assert "different schema" in run.error
    assert contents(warehouse_url, target) == before


def test_a_scheduled_load_records_the_schedule_that_fired_it(user):
    bundle = make_bundle(user, ORDERS.encode())
    schedule_save(bundle_id=bundle.pk, owner=user, spec=ScheduleSpec("hourly", "UTC", minute=5))
    fired = load_inputs(bundle=bundle, trigger=Run.Trigger.SCHEDULE)["schedule"]
    assert (fired["frequency"], fired["timezone"], fired["form"]) == (
        "hourly",
        "UTC",
        {"minute": 5},
    )
    assert load_inputs(bundle=bundle, trigger=Run.Trigger.MANUAL)["schedule"] is None
