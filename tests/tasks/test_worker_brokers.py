"""A real worker process runs a task end to end, on each broker the product supports."""

from __future__ import annotations

import time
import uuid

import pytest
from celery import Celery
from django_celery_results.models import TaskResult

from backend.celery_app import app
from backend.task_names import PING
from tests.support.processes import celery_process, wait_for
from tests.support.services import require_service

BROKERS = {
    "filesystem": None,
    "redis": "redis://127.0.0.1:6379/15",
    "rabbitmq": "amqp://guest:guest@127.0.0.1:5672//",
}


def _client(url: str | None) -> Celery:
    if url is None:
        return app  # the product's own app, on the embedded filesystem broker
    return Celery("client", broker=url, set_as_current=False)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("broker", list(BROKERS))
def test_worker_runs_a_task_and_stores_its_result(broker, tmp_path):
    url = BROKERS[broker]
    if url is not None:
        require_service(broker)
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {"CELERY_BROKER_URL": url} if url else {}
    args = ["worker", "--pool=solo", "-Q", queue, "-n", f"{queue}@%h", "--without-heartbeat"]
    with celery_process(args, tmp_path / "worker.log", **env) as worker:
        sent = _client(url).send_task(PING, kwargs={"sent_at": time.time()}, queue=queue)
        row = wait_for(
            lambda: TaskResult.objects.filter(task_id=sent.id, status="SUCCESS").first(),
            timeout_s=60,
            what=f"the ping task on {broker} (log: {tmp_path / 'worker.log'})",
            process=worker,
        )
    assert row.task_name == PING
    answer = row.result
    assert f'"worker": "{queue}@' in answer
    assert '"started_at"' in answer
