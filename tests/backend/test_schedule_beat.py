"""Schedules set through the service, fired by a real beat to a real worker."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_results.models import TaskResult

from backend.models import Bundle, Heartbeat, Run
from backend.scheduling.spec import ScheduleSpec
from backend.services.schedules import schedule_save
from backend.vocabulary import BEAT_HEARTBEAT
from tests.support.factories import make_bundle_row
from tests.support.processes import beat_ticked_after, celery_process, wait_for, workers_idle

BEAT = ["beat", "--scheduler", "backend.beat:DatabaseScheduler", "--loglevel=INFO"]
WORKER = ["worker", "--pool=solo", "--loglevel=INFO", "-n", "schedules@%h"]

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.processes]


@pytest.fixture
def owner():
    return User.objects.create(username="ana")


@pytest.fixture
def bundle(owner):
    # Empty: its load fails fast with a clear message, but it starts and records its Run.
    return make_bundle_row(owner, name="Sales")


def once(at: datetime, zone: str = "Europe/Berlin") -> ScheduleSpec:
    local = at.astimezone(ZoneInfo(zone))
    return ScheduleSpec("once", zone, run_date=local.date(), run_time=local.time())


def scheduled_runs(bundle: Bundle):
    return Run.objects.filter(bundle=bundle, trigger=Run.Trigger.SCHEDULE)


def beat_alive(proc) -> bool:
    return Heartbeat.objects.filter(name=BEAT_HEARTBEAT, detail__pid=proc.pid).exists()


def logged(log: Path, text: str) -> bool:
    return log.exists() and text in log.read_text(errors="replace")


def settled(beat, since: datetime) -> None:
    """Wait until a second fire, had beat wrongly sent one by now, would have left its Run:
    beat has ticked past `since` and the worker has run whatever was sent."""
    beat_ticked_after(since, process=beat)
    wait_for(workers_idle, timeout_s=60, what="the worker to run what was sent")


def test_a_once_fires_exactly_once_also_when_beat_is_killed_right_after(tmp_path, owner, bundle):
    at = timezone.now() + timedelta(seconds=6)
    task = schedule_save(bundle_id=bundle.pk, owner=owner, spec=once(at)).periodic_task
    first_log = tmp_path / "beat-1.log"
    with celery_process(WORKER, tmp_path / "worker.log"):
        with celery_process(BEAT, first_log) as beat:
            wait_for(
                lambda: logged(first_log, f"Sending due task {task.name}"),
                timeout_s=60,
                what=f"beat to decide to fire the one-off (logs in {tmp_path})",
                process=beat,
            )
            # Killed with no shutdown sync, just before or just after the message went
            # out: only what beat wrote to the database at once survives.
            beat.kill()
            beat.wait()
        with celery_process(BEAT, tmp_path / "beat-2.log") as again:
            run = wait_for(
                lambda: scheduled_runs(bundle).filter(started_at__isnull=False).first(),
                timeout_s=60,
                what="the load to start",
            )
            wait_for(lambda: beat_alive(again), timeout_s=60, what="beat to start again")
            settled(again, timezone.now())
    assert scheduled_runs(bundle).count() == 1
    assert TaskResult.objects.filter(periodic_task_name=task.name).count() == 1
    run.refresh_from_db()  # read when it started; the load has finished since
    assert run.started_at >= at  # not early
    assert run.status == Run.Status.FAILED and "cannot load" in run.error
    assert PeriodicTask.objects.get(pk=task.pk).enabled is False


def test_a_running_beat_picks_up_an_edit_without_restart(tmp_path, owner, bundle):
    daily = ScheduleSpec(
        "daily", "America/New_York", run_time=(timezone.now() + timedelta(hours=6)).time()
    )
    schedule_save(bundle_id=bundle.pk, owner=owner, spec=daily)
    with (
        celery_process(WORKER, tmp_path / "worker.log"),
        celery_process(BEAT, tmp_path / "beat.log") as beat,
    ):
        wait_for(lambda: beat_alive(beat), timeout_s=60, what="beat to start")
        at = timezone.now() + timedelta(seconds=4)
        schedule_save(bundle_id=bundle.pk, owner=owner, spec=once(at, zone="America/New_York"))
        run = wait_for(
            lambda: scheduled_runs(bundle).filter(started_at__isnull=False).first(),
            timeout_s=60,
            what=f"the edited schedule to fire (logs in {tmp_path})",
            process=beat,
        )
        settled(beat, timezone.now())
    assert scheduled_runs(bundle).count() == 1
    assert run.started_at >= at


def test_a_deleted_bundle_leaves_nothing_for_beat_to_fire(tmp_path, owner, bundle):
    at = timezone.now() + timedelta(seconds=5)
    task = schedule_save(bundle_id=bundle.pk, owner=owner, spec=once(at)).periodic_task
    with (
        celery_process(WORKER, tmp_path / "worker.log"),
        celery_process(BEAT, tmp_path / "beat.log") as beat,
    ):
        wait_for(lambda: beat_alive(beat), timeout_s=60, what="beat to start")
        bundle.delete()
        beat_ticked_after(at, process=beat)
    assert not PeriodicTask.objects.filter(pk=task.pk).exists()
    assert not logged(tmp_path / "beat.log", f"Sending due task {task.name}")
    assert not Run.objects.filter(kind=Run.Kind.LOAD).exists()


def test_a_cron_fires_on_its_minute_not_when_saved_and_records_a_scheduled_run(
    tmp_path, owner, bundle
):
    saved_at = timezone.now()
    task = schedule_save(
        bundle_id=bundle.pk,
        owner=owner,
        spec=ScheduleSpec("cron", "Asia/Kolkata", cron="* * * * *"),
    ).periodic_task
    with (
        celery_process(WORKER, tmp_path / "worker.log"),
        celery_process(BEAT, tmp_path / "beat.log") as beat,
    ):
        run = wait_for(
            lambda: scheduled_runs(bundle).filter(started_at__isnull=False).first(),
            timeout_s=90,
            what=f"the cron to fire (logs in {tmp_path})",
            process=beat,
        )
    next_minute = saved_at.replace(second=0, microsecond=0) + timedelta(minutes=1)
    assert run.started_at >= next_minute  # the first slot after saving, never at once
    assert run.trigger == Run.Trigger.SCHEDULE and run.owner == owner
    result = TaskResult.objects.get(task_id=run.task_id)
    assert result.periodic_task_name == task.name
