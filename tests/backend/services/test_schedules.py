"""The schedule service writes the beat tables so that beat fires what the form said."""

from __future__ import annotations

import json
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, PeriodicTask, PeriodicTasks
from django_celery_beat.schedulers import ModelEntry

from backend.models import BundleSchedule, Run
from backend.scheduling.spec import ScheduleSpec
from backend.selectors.schedules import schedule_calendar, schedules_list
from backend.services.bundles import table_create_from_csv
from backend.services.schedules import (
    ScheduleInvalid,
    schedule_delete,
    schedule_pause,
    schedule_resume,
    schedule_run_now,
    schedule_save,
)
from backend.task_names import LOAD_TO_REDSHIFT
from tests.support.factories import make_bundle_row, make_run
from tests.support.users import user_default

pytestmark = pytest.mark.django_db
DAILY = ScheduleSpec(frequency="daily", timezone="Europe/Berlin", run_time=time(6, 0))


@pytest.fixture
def owner():
    return User.objects.create(username="ana")


@pytest.fixture
def bundle(owner):
    return make_bundle_row(owner, name="Sales")


def once(at, zone="UTC") -> ScheduleSpec:
    local = at.astimezone(ZoneInfo(zone))
    return ScheduleSpec(
        frequency="once", timezone=zone, run_date=local.date(), run_time=local.time()
    )


def test_a_daily_schedule_is_a_crontab_in_its_zone_that_does_not_fire_at_once(bundle, owner):
    before = timezone.now()
    schedule = schedule_save(bundle_id=bundle.pk, owner=owner, spec=DAILY)
    task = schedule.periodic_task
    assert task.task == LOAD_TO_REDSHIFT
    assert json.loads(task.kwargs) == {"bundle_id": bundle.pk, "username": "ana"}
    assert task.name == f"Load bundle {bundle.pk}: Sales"
    assert str(task.crontab.timezone) == "Europe/Berlin"
    assert (task.crontab.minute, task.crontab.hour) == ("0", "6")
    assert task.one_off is False and task.enabled is True
    assert task.start_time is None and task.last_run_at >= before
    assert task.description == "every day at 06:00, Europe/Berlin"
    assert schedule.form == {"run_time": "06:00:00"}
    # What beat builds from the row: not due now, due at the next 06:00 in Berlin.
    due, wait_s = ModelEntry(task).is_due()
    assert due is False
    assert 0 < wait_s <= 24 * 3600


def test_once_schedules_never_share_a_clocked_row(owner, bundle):
    other = make_bundle_row(owner, name="Stock")
    at = timezone.now() + timedelta(hours=2)
    first = schedule_save(bundle_id=bundle.pk, owner=owner, spec=once(at)).periodic_task
    second = schedule_save(bundle_id=other.pk, owner=owner, spec=once(at)).periodic_task
    assert first.one_off and second.one_off
    assert first.clocked_id != second.clocked_id
    assert first.clocked.clocked_time == second.clocked.clocked_time
    assert first.crontab is None


def test_editing_updates_in_place_and_drops_the_old_schedule_row(owner, bundle):
    task = schedule_save(bundle_id=bundle.pk, owner=owner, spec=DAILY).periodic_task
    crontab_id = task.crontab_id
    weekly = ScheduleSpec(
        frequency="weekly", timezone="UTC", weekdays=("mon",), run_time=time(7, 0)
    )
    edited = schedule_save(bundle_id=bundle.pk, owner=owner, spec=weekly).periodic_task
    assert (edited.pk, edited.crontab_id) == (task.pk, crontab_id)
    assert edited.crontab.day_of_week == "1" and str(edited.crontab.timezone) == "UTC"

    switched = schedule_save(
        bundle_id=bundle.pk, owner=owner, spec=once(timezone.now() + timedelta(days=1))
    ).periodic_task
    assert switched.pk == task.pk and switched.crontab is None and switched.one_off
    assert not CrontabSchedule.objects.filter(pk=crontab_id).exists()

    back = schedule_save(bundle_id=bundle.pk, owner=owner, spec=DAILY).periodic_task
    assert back.clocked is None and not ClockedSchedule.objects.exists()
    assert BundleSchedule.objects.count() == PeriodicTask.objects.count() == 1


def test_an_edited_once_fires_anew(owner, bundle):
    schedule = schedule_save(
        bundle_id=bundle.pk, owner=owner, spec=once(timezone.now() + timedelta(hours=1))
    )
    PeriodicTask.objects.filter(pk=schedule.periodic_task_id).update(
        enabled=False, total_run_count=1
    )
    task = schedule_save(
        bundle_id=bundle.pk, owner=owner, spec=once(timezone.now() + timedelta(hours=3))
    ).periodic_task
    assert task.enabled and task.total_run_count == 0


def test_every_change_tells_beat(owner, bundle):
    marks = []
    schedule = schedule_save(bundle_id=bundle.pk, owner=owner, spec=DAILY)
    marks.append(PeriodicTasks.last_change())
    schedule_pause(by=schedule.owner, bundle_id=schedule.bundle_id)
    marks.append(PeriodicTasks.last_change())
    schedule_resume(by=schedule.owner, bundle_id=schedule.bundle_id)
    marks.append(PeriodicTasks.last_change())
    assert None not in marks and marks == sorted(marks) and len(set(marks)) == 3


def test_pause_and_resume_without_catch_up(owner, bundle):
    schedule = schedule_save(bundle_id=bundle.pk, owner=owner, spec=DAILY)
    schedule_pause(by=schedule.owner, bundle_id=schedule.bundle_id)
    task = PeriodicTask.objects.get()
    assert task.enabled is False
    before = timezone.now()
    schedule_resume(by=schedule.owner, bundle_id=schedule.bundle_id)
    task.refresh_from_db()
    assert task.enabled is True and task.last_run_at >= before and task.start_time is None


def test_a_once_whose_time_passed_cannot_resume(owner, bundle):
    schedule = schedule_save(
        bundle_id=bundle.pk, owner=owner, spec=once(timezone.now() + timedelta(minutes=5))
    )
    schedule_pause(by=schedule.owner, bundle_id=schedule.bundle_id)
    with pytest.raises(ScheduleInvalid, match="in the past"):
        schedule_resume(
            by=schedule.owner,
            bundle_id=schedule.bundle_id,
            now=timezone.now() + timedelta(minutes=10),
        )


def test_none_and_delete_remove_every_row(owner, bundle):
    schedule_save(bundle_id=bundle.pk, owner=owner, spec=DAILY)
    assert schedule_save(bundle_id=bundle.pk, owner=owner, spec=ScheduleSpec("none", "UTC")) is None
    assert not (PeriodicTask.objects.exists() or CrontabSchedule.objects.exists())
    schedule_save(bundle_id=bundle.pk, owner=owner, spec=once(timezone.now() + timedelta(hours=1)))
    schedule_delete(by=bundle.owner, bundle_id=bundle.pk)
    assert not (PeriodicTask.objects.exists() or ClockedSchedule.objects.exists())
    assert not BundleSchedule.objects.exists()


@pytest.mark.parametrize("spec", [DAILY, once(timezone.now() + timedelta(days=2))])
def test_deleting_the_bundle_removes_its_beat_rows(owner, bundle, spec):
    schedule_save(bundle_id=bundle.pk, owner=owner, spec=spec)
    bundle.delete()
    assert not BundleSchedule.objects.exists()
    assert not PeriodicTask.objects.filter(task=LOAD_TO_REDSHIFT).exists()
    assert not (ClockedSchedule.objects.exists() or CrontabSchedule.objects.exists())


def test_deleting_the_owner_removes_the_beat_rows_too(owner, bundle):
    schedule_save(bundle_id=bundle.pk, owner=owner, spec=DAILY)
    owner.delete()
    assert not PeriodicTask.objects.filter(task=LOAD_TO_REDSHIFT).exists()


def test_run_now_queues_a_manual_load(owner, bundle):
    table_create_from_csv(
        owner=owner, name="sales.csv", content=b"day,sum\n1,2\n", bundle_id=bundle.pk
    )
    schedule = schedule_save(bundle_id=bundle.pk, owner=owner, spec=DAILY)
    run = schedule_run_now(bundle_id=schedule.bundle_id, owner=owner)
    assert (run.kind, run.trigger, run.status) == ("load", "manual", "queued")
    assert run.bundle == bundle


def test_list_and_calendar_merge_plans_with_runs(owner, bundle):
    now = timezone.now()
    schedule_save(bundle_id=bundle.pk, owner=owner, spec=DAILY)
    states = {"succeeded": now - timedelta(days=2), "failed": now - timedelta(days=1)}
    for i, (status, at) in enumerate(states.items()):
        run = make_run(
            kind="load",
            owner=owner,
            bundle=bundle,
            task_id=f"t{i}",
            status=status,
            trigger="schedule",
        )
        Run.objects.filter(pk=run.pk).update(queued_at=at, started_at=at)
    [row] = schedules_list(by=user_default(), now=now)
    assert row.state == "active" and row.next_run is not None and row.next_run > now
    assert row.last_run is not None and row.last_run.status == "failed"
    events = schedule_calendar(
        by=user_default(), start=now - timedelta(days=3), end=now + timedelta(days=3), now=now
    )
    assert [e.state for e in events[:2]] == ["succeeded", "failed"]
    planned = [e for e in events if e.state == "planned"]
    assert 2 <= len(planned) <= 4 and all(e.at > now for e in planned)
    assert (
        schedule_calendar(
            by=user_default(), start=now, end=now + timedelta(days=1), username="nobody"
        )
        == []
    )


def test_a_fired_once_shows_as_done_and_a_paused_one_as_paused(owner, bundle):
    at = timezone.now() + timedelta(minutes=30)
    schedule = schedule_save(bundle_id=bundle.pk, owner=owner, spec=once(at))
    schedule_pause(by=schedule.owner, bundle_id=schedule.bundle_id)
    assert schedules_list(by=user_default())[0].state == "paused"
    later = at + timedelta(minutes=5)
    make_run(kind="load", owner=owner, bundle=bundle, task_id="fired", trigger="schedule")
    Run.objects.filter(task_id="fired").update(queued_at=at + timedelta(seconds=1))
    assert schedules_list(by=user_default(), now=later)[0].state == "done"
