"""Our DatabaseScheduler: a real beat fires a one-off clocked schedule to a real worker, and
each fire is written as it is sent, so a later edit is never overwritten."""

from __future__ import annotations

import datetime
import json
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, PeriodicTask
from django_celery_beat.schedulers import ModelEntry
from django_celery_results.models import TaskResult

from backend.beat import DatabaseScheduler
from backend.celery_app import app
from backend.models import Heartbeat
from backend.scheduling.spec import ScheduleSpec
from backend.services.schedules import schedule_save
from backend.task_names import PING
from backend.vocabulary import BEAT_HEARTBEAT
from tests.support.factories import make_bundle_row
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
        # A heartbeat written well after the fire means beat has looped on since (it loops
        # at least once a second): a second, wrong, fire would have been sent by then, and
        # beat writes every fire as it sends it.
        wait_for(
            lambda: Heartbeat.objects.filter(
                name=BEAT_HEARTBEAT, beat_at__gt=fired.date_created + timedelta(seconds=2)
            ).exists(),
            timeout_s=60,
            what="beat to loop on after the fire",
            process=beat,
        )
        task.refresh_from_db()
        assert task.total_run_count == 1
        assert TaskResult.objects.filter(periodic_task_name=task.name).count() == 1

    assert fired.date_created >= fire_at
    task.refresh_from_db()
    assert task.enabled is False  # a one-off disables itself after firing


@pytest.mark.django_db(transaction=True)
def test_a_fire_is_persisted_at_once_and_a_later_edit_survives_the_next_sync():
    owner = User.objects.create(username="ana")
    bundle = make_bundle_row(owner, name="Sales")
    spec = ScheduleSpec("hourly", "UTC", minute=15)
    schedule_save(bundle_id=bundle.pk, owner=owner, spec=spec)
    # A queue no worker reads: the sent message must not reach another test's worker.
    PeriodicTask.objects.update(queue=f"nowhere-{uuid.uuid4().hex[:8]}")
    scheduler = DatabaseScheduler(app=app, lazy=True)
    entry = ModelEntry(PeriodicTask.objects.get(), app=app)

    fired = scheduler.reserve(entry)  # as beat's tick does: reserve, then send
    scheduler.apply_async(entry, producer=scheduler.producer, advance=False)
    row = PeriodicTask.objects.get()
    assert row.last_run_at == fired.last_run_at and row.total_run_count == 1
    assert not scheduler._dirty  # nothing left for a later sync to write

    schedule_save(
        bundle_id=bundle.pk,
        owner=owner,
        spec=ScheduleSpec("daily", "UTC", run_time=datetime.time(7)),
    )
    edited = PeriodicTask.objects.get().last_run_at
    scheduler._schedule = {entry.name: fired}
    scheduler.sync()  # what beat does when it notices the edit
    assert PeriodicTask.objects.get().last_run_at == edited
