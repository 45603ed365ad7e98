"""Loads that need a worker of their own: an unreachable warehouse, a cancel mid-load."""

from __future__ import annotations

import pytest

from backend.celery_app import app
from backend.integrations.warehouse import connect_warehouse
from backend.models import Run
from backend.services.loads import load_enqueue
from backend.services.run_actions import run_cancel
from tests.backend.services.test_loads import ORDERS, load_and_wait
from tests.support.factories import make_bundle
from tests.support.processes import celery_process, wait_for


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_an_unreachable_warehouse_is_retried_with_backoff_then_fails_clearly(user, tmp_path):
    env = {
        "WAREHOUSE_URL": "redshift://loader:s3cret-pw@127.0.0.1:9/dev?ssl=false",
        "LOAD_RETRY_BASE_S": "0.2",
        "LOAD_MAX_RETRIES": "2",
    }
    with celery_process(["worker", "-c", "1", "-n", "down@%h"], tmp_path / "worker.log", **env):
        run = load_and_wait(make_bundle(user, ORDERS.encode()), user)
    assert run.status == "failed"
    assert "did not answer after 3 tries" in run.error
    assert "s3cret-pw" not in run.error
    assert "s3cret-pw" not in (tmp_path / "worker.log").read_text()


def worker_idle(prefix: str) -> bool:
    active = app.control.inspect(timeout=0.5).active() or {}
    return any(name.startswith(prefix) and not tasks for name, tasks in active.items())


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_a_running_load_cancelled_leaves_the_warehouse_as_it_was(user, tmp_path):
    warehouse = tmp_path / "warehouse.sqlite3"
    rows = "".join(
        f"{i},customer {i},{i % 97}.25,2024-01-{1 + i % 28:02d}\r\n" for i in range(400_000)
    )
    bundle = make_bundle(user, (ORDERS + rows).encode())
    env = {"WAREHOUSE_URL": f"sqlite:///{warehouse}"}
    with celery_process(
        ["worker", "-c", "1", "-n", "cancel@%h"], tmp_path / "worker.log", **env
    ) as proc:
        run = load_enqueue(bundle_id=bundle.pk, owner=user)
        wait_for(
            lambda: Run.objects.filter(pk=run.pk, status=Run.Status.PROGRESS).exists(),
            timeout_s=60,
            what="the load to be staging rows",
            process=proc,
        )
        run_cancel(run_id=run.pk, by=user)
        # Once the worker runs nothing, the warehouse can no longer change.
        wait_for(
            lambda: worker_idle("cancel@"), timeout_s=30, what="the load to stop", process=proc
        )
        assert proc.poll() is None, "the worker survives"
    run.refresh_from_db()
    assert run.status == Run.Status.REVOKED
    with connect_warehouse(f"sqlite:///{warehouse}") as opened:
        assert not opened.table_exists(bundle.target_table)
        assert [t.name for t in opened.list_tables()] == []
