"""A load whose warehouse does not answer, with a worker of its own settings."""

from __future__ import annotations

import pytest

from tests.backend.services.test_loads import ORDERS, load_and_wait, make_bundle
from tests.support.processes import celery_process


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
