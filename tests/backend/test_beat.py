"""A real beat (DatabaseScheduler) fires a one-off clocked schedule to a real worker."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, PeriodicTask
from django_celery_results.models import TaskResult

from backend.models import Heartbeat
from backend.task_names import PING
from backend.vocabulary import BEAT_HEARTBEAT
from tests.support.processes import celery_process, wait_for

BEAT = ["beat", "--scheduler", "backend.beat:DatabaseScheduler", "--loglevel=INFO"]


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_beat_fires_a_one_off_clocked_schedule_once(tmp_path):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    fire_at = timezone.now() + timedelta(seconds=5)
    task = PeriodicTask.objects.create(
        name=f"ping {queue}",
        task=PING,
        clocked=ClockedSchedule.objects.create(clocked_time=fire_at),
        one_off=True,
        kwargs=json.dumps({"sent_at": fire_at.timestamp()}),
        queue=queue,
    )
    worker_args = ["worker", "--pool=solo", "-Q", queue, "-n", f"{queue}@%h"]
    with (
        celery_process(worker_args, tmp_path / "worker.log") as worker,
        celery_process(BEAT, tmp_path / "beat.log") as beat,
    ):
        fired = wait_for(
            lambda: TaskResult.objects.filter(periodic_task_name=task.name).first(),
            timeout_s=60,
            what=f"the clocked task to fire (logs in {tmp_path})",
            process=beat,
        )
        assert worker.poll() is None
        time.sleep(3)  # long enough for a second, wrong, fire to show up
        assert TaskResult.objects.filter(periodic_task_name=task.name).count() == 1
        assert Heartbeat.objects.filter(name=BEAT_HEARTBEAT).exists()

    assert fired.date_created >= fire_at
    task.refresh_from_db()
    assert task.enabled is False  # a one-off disables itself after firing
