"""A worker killed with SIGKILL in the middle of a warehouse load: the bundle's rows are
published once, and the run ends."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from backend.integrations.warehouse.base import STAGING_PREFIX
from backend.models import Bundle, Run
from backend.services.bundles import bundle_create, table_create_from_csv
from backend.services.loads import load_enqueue
from tests.faults.support import BEAT, FAST_RECONCILE, kill, log_final, pool_pids
from tests.support.processes import celery_process, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

ROWS = 300_000  # several seconds of staging: long enough to be killed in the middle
TARGET = "orders"
FINAL = (Run.Status.SUCCEEDED, Run.Status.FAILED, Run.Status.REVOKED)


def orders_csv(rows: int) -> bytes:
    lines = ["order id,customer,amount"]
    lines += [f"{n},customer {n % 997},{n % 1000}.{n % 100:02d}" for n in range(1, rows + 1)]
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.fixture
def bundle(user) -> Bundle:
    bundle = bundle_create(owner=user, name="orders", target_table=TARGET, load_mode="append")
    table_create_from_csv(
        owner=user, name="orders.csv", content=orders_csv(ROWS), bundle_id=bundle.pk
    )
    bundle.refresh_from_db()
    return bundle


@pytest.fixture
def warehouse(tmp_path) -> Path:
    return tmp_path / "warehouse.sqlite3"


def staging(run: Run) -> Run | None:
    """The run once some of its rows, not all, are staged."""
    return Run.objects.filter(
        pk=run.pk, status=Run.Status.PROGRESS, rows_loaded__gt=0, rows_loaded__lt=ROWS
    ).first()


def final(run: Run) -> Run:
    ended = wait_for(
        lambda: Run.objects.filter(pk=run.pk, status__in=FINAL).first(),
        timeout_s=180,
        what="the load to end",
    )
    return log_final(ended)


def published(warehouse: Path) -> tuple[int, int]:
    """(rows, distinct order ids) in the target table."""
    with sqlite3.connect(warehouse) as conn:
        query = f"SELECT COUNT(*), COUNT(DISTINCT order_id) FROM {TARGET}"
        return conn.execute(query).fetchone()


def leftovers(warehouse: Path) -> list[str]:
    """Staging tables left behind in the warehouse."""
    with sqlite3.connect(warehouse) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    return [n for n in names if n.startswith(STAGING_PREFIX)]


def test_a_killed_pool_process_s_load_runs_again_and_publishes_once(
    user, bundle, warehouse, tmp_path
):
    args = ["worker", "-c", "1", "-n", "loadpool@%h", "--loglevel=INFO"]
    env = {"WAREHOUSE_URL": f"sqlite:///{warehouse}"}
    with celery_process(args, tmp_path / "worker.log", **env) as worker:
        run = load_enqueue(bundle_id=bundle.pk, owner=user)
        wait_for(lambda: staging(run), timeout_s=120, what="the load staging its rows")
        (child,) = pool_pids(worker)
        kill(child)
        run = final(run)
        assert worker.poll() is None, "the worker lives on"
    assert run.status == Run.Status.SUCCEEDED, run.error
    assert published(warehouse) == (ROWS, ROWS), "every row once"
    assert leftovers(warehouse) == []


def test_a_killed_worker_s_load_is_sent_again_by_the_reconciler_and_publishes_once(
    user, bundle, warehouse, tmp_path
):
    args = ["worker", "-c", "1", "-n", "loadmain@%h", "--loglevel=INFO"]
    env = {"WAREHOUSE_URL": f"sqlite:///{warehouse}", **FAST_RECONCILE}
    with celery_process(BEAT, tmp_path / "beat.log", **FAST_RECONCILE):
        with celery_process(args, tmp_path / "worker-1.log", **env) as worker:
            run = load_enqueue(bundle_id=bundle.pk, owner=user)
            wait_for(lambda: staging(run), timeout_s=120, what="the load staging its rows")
            children = pool_pids(worker)
            kill(worker.pid)  # the filesystem broker deleted the message when it was taken
            for pid in children:
                kill(pid)  # as when the machine goes
        with celery_process(args, tmp_path / "worker-2.log", **env):
            run = final(run)
    assert run.status == Run.Status.SUCCEEDED, run.error
    assert run.resends == 1, "sent again once, by the reconciler"
    assert published(warehouse) == (ROWS, ROWS), "every row once"
    assert leftovers(warehouse) == []
