"""A Redis broker without persistence restarted while conversions wait in its queue."""

from __future__ import annotations

import pytest

from backend.models import Run
from tests.backend.services.test_conversion import finished
from tests.faults.support import (
    BEAT,
    FAST_RECONCILE,
    broker_of_this_process,
    converting,
    kill,
    log_final,
    private_redis,
    slow_pdf,
    successes,
)
from tests.support.factories import upload_document
from tests.support.processes import celery_process, free_port, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def test_runs_queued_in_a_restarted_redis_all_end_and_none_is_converted_twice(
    user, corpus, tmp_path
):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    env = {"CELERY_BROKER_URL": url, **FAST_RECONCILE}
    pdf = slow_pdf(corpus, tmp_path / "doc.pdf", 8)
    log = tmp_path / "worker.log"
    worker_args = ["worker", "-c", "1", "-n", "redis-restart@%h", "--loglevel=INFO"]
    with (
        broker_of_this_process(url),
        private_redis(port, tmp_path / "redis.log") as redis,
        celery_process(worker_args, log, **env),
        celery_process(BEAT, tmp_path / "beat.log", **env),
    ):
        documents = [upload_document(user, pdf) for _ in range(6)]
        wait_for(lambda: converting(documents[0]), timeout_s=60, what="the first conversion")
        kill(redis.pid)  # every queued message goes with it
        redis.wait()
        with private_redis(port, tmp_path / "redis.log"):
            runs = [log_final(finished(document, timeout_s=120)) for document in documents]
    assert [run.status for run in runs] == [Run.Status.SUCCEEDED] * 6, [r.error for r in runs]
    assert all(successes(log, run.task_id) == 1 for run in runs), "each converted once"
    assert sum(run.resends for run in runs) >= 4, "the lost ones were sent again"
