"""Schedules: a bundle's form choice (BundleSchedule) beside the beat rows that fire it.

Once is a ClockedSchedule with one_off=True, one clocked row per task; every other
frequency is a CrontabSchedule with its zone set explicitly, one row per task too, so a
schedule's rows can be edited and deleted without touching anyone else's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, PeriodicTask, PeriodicTasks

from backend import task_names
from backend.access import bundle_to_change
from backend.errors import UserFixable
from backend.models import AuditEvent, Bundle, BundleSchedule, Run
from backend.scheduling.errors import ScheduleInvalid
from backend.scheduling.spec import NONE, BeatPlan, ScheduleSpec, plan_build, plan_fires
from backend.services.audit import audit_record
from backend.services.loads import load_enqueue

__all__ = ["ScheduleInvalid", "SchedulePreview"]


@dataclass(frozen=True)
class SchedulePreview:
    description: str
    next_runs: list[datetime]  # in the schedule's zone
    notes: tuple[str, ...]


def schedule_preview(*, spec: ScheduleSpec, now: datetime | None = None) -> SchedulePreview:
    """What the spec means and its next five runs as beat will fire them; ScheduleInvalid if
    it cannot run."""
    now = now or timezone.now()
    if spec.frequency == NONE:
        return SchedulePreview(description="not scheduled", next_runs=[], notes=())
    plan = plan_build(spec=spec, now=now)
    runs = [t.astimezone(plan.zone) for t in plan_fires(plan=plan, after=now, count=5)]
    return SchedulePreview(description=plan.description, next_runs=runs, notes=plan.notes)


THE_SCHEDULE = "the bundle's schedule"  # what a refusal names


class ScheduleGone(UserFixable):
    """The schedule was deleted since the page showed it."""


def schedule_save(
    *, bundle_id: int, owner: User, spec: ScheduleSpec, now: datetime | None = None
) -> BundleSchedule | None:
    """Create or update in place the bundle's schedule (None removes it); a running beat
    sees the change within a second and never fires it early or late because of the edit."""
    bundle = bundle_to_change(owner, bundle_id, THE_SCHEDULE)
    if spec.frequency == NONE:
        _delete(owner, bundle)
        return None
    _audit(owner, f"set the schedule of {bundle.name}: {spec.frequency} {spec.as_form()}")
    now = now or timezone.now()
    plan = plan_build(spec=spec, now=now)
    with transaction.atomic():
        schedule = BundleSchedule.objects.filter(bundle=bundle).first()
        schedule = schedule or BundleSchedule(bundle=bundle)
        schedule.owner = owner
        schedule.frequency = spec.frequency
        schedule.form = spec.as_form()
        schedule.timezone = spec.timezone
        task = schedule.periodic_task or PeriodicTask.objects.filter(name=_name(bundle)).first()
        schedule.periodic_task = _beat_write(task, plan, bundle, owner, now)
        schedule.save()
        transaction.on_commit(PeriodicTasks.update_changed)
    return schedule


def schedule_pause(*, by: User, bundle_id: int) -> BundleSchedule:
    """Stop firing the bundle's schedule until it is resumed; its choice is kept."""
    schedule = _schedule_to_change(by, bundle_id)
    _audit(by, f"paused the schedule of {schedule.bundle.name}")
    task = schedule.periodic_task
    if task is not None:
        with transaction.atomic():
            task.enabled = False  # save() also clears last_run_at
            task.save()
            transaction.on_commit(PeriodicTasks.update_changed)
    return schedule


def schedule_resume(*, by: User, bundle_id: int, now: datetime | None = None) -> BundleSchedule:
    """Fire again from now on, with no catch-up of runs missed while paused; a Once whose
    time has passed raises ScheduleInvalid."""
    schedule = _schedule_to_change(by, bundle_id)
    spec = schedule_spec(schedule=schedule)
    saved = schedule_save(bundle_id=bundle_id, owner=schedule.owner, spec=spec, now=now)
    assert saved is not None  # a paused schedule has a frequency
    return saved


def schedule_delete(*, by: User, bundle_id: int) -> None:
    """Remove the bundle's schedule with its beat rows; nothing is left to fire."""
    _delete(by, bundle_to_change(by, bundle_id, THE_SCHEDULE))


def schedule_run_now(*, bundle_id: int, owner: User) -> Run:
    """Queue the bundle's load at once as a manual run; the schedule itself is unchanged."""
    _schedule_to_change(owner, bundle_id)
    return load_enqueue(bundle_id=bundle_id, owner=owner, trigger=Run.Trigger.MANUAL)


def _schedule_to_change(by: User, bundle_id: int) -> BundleSchedule:
    bundle = bundle_to_change(by, bundle_id, THE_SCHEDULE)
    schedule = BundleSchedule.objects.select_related("bundle", "owner", "periodic_task")
    found = schedule.filter(bundle=bundle).first()
    if found is None:
        raise ScheduleGone(f"{bundle.name} has no schedule any more.")
    return found


def _delete(by: User, bundle: Bundle) -> None:
    _audit(by, f"deleted the schedule of {bundle.name}")
    # The post_delete receiver below removes the beat rows, also when a bundle's deletion
    # cascades here.
    BundleSchedule.objects.filter(bundle=bundle).delete()


def _audit(by: User, detail: str) -> None:
    audit_record(action=AuditEvent.Action.SCHEDULE_CHANGED, actor=by, detail=detail)


def schedule_spec(*, schedule: BundleSchedule) -> ScheduleSpec:
    """The form's choice as it was saved."""
    return ScheduleSpec.from_form(
        frequency=schedule.frequency, timezone=schedule.timezone, form=schedule.form
    )


def schedule_beat_rows_delete(sender, instance: BundleSchedule, **kwargs) -> None:
    """post_delete receiver: a removed schedule takes its PeriodicTask and clocked or
    crontab row with it, so beat never fires a load for a bundle that is gone."""
    task = (
        PeriodicTask.objects.select_related("clocked", "crontab")
        .filter(pk=instance.periodic_task_id)
        .first()
    )
    if task is None:
        return
    task.delete()
    for row in (task.clocked, task.crontab):
        if row is not None:
            row.delete()
    transaction.on_commit(PeriodicTasks.update_changed)


def _name(bundle: Bundle) -> str:
    return f"Load bundle {bundle.pk}: {bundle.name}"[:200]


def _beat_write(
    task: PeriodicTask | None, plan: BeatPlan, bundle: Bundle, owner: User, now: datetime
) -> PeriodicTask:
    task = task or PeriodicTask()
    stale = [task.clocked, task.crontab] if task.pk else []
    if plan.clocked_time is not None:
        _set_clocked(task, plan)
    else:
        _set_crontab(task, plan, now)
    # With start_time set and last_run_at null, beat puts last_run_at 30 years back and
    # fires at once; the form has no start date, so there is none.
    task.start_time = None
    task.name = _name(bundle)
    task.task = task_names.LOAD_TO_REDSHIFT
    task.kwargs = json.dumps({"bundle_id": bundle.pk, "username": owner.username})
    task.description = plan.description
    task.enabled = True
    task.save()
    for row in stale:
        if row is not None and row not in (task.clocked, task.crontab):
            row.delete()  # after the task moved off it, so the cascade cannot take the task
    return task


def _set_clocked(task: PeriodicTask, plan: BeatPlan) -> None:
    clocked = task.clocked or ClockedSchedule()  # this task's own row, never shared
    clocked.clocked_time = plan.clocked_time
    clocked.save()
    task.clocked, task.crontab, task.one_off = clocked, None, True
    # Beat disables a one-off whose count is above zero: an edited Once fires anew.
    task.total_run_count, task.last_run_at = 0, None


def _set_crontab(task: PeriodicTask, plan: BeatPlan, now: datetime) -> None:
    crontab = task.crontab or CrontabSchedule()  # this task's own row, never shared
    for column, value in (plan.crontab or {}).items():
        setattr(crontab, column, value)
    crontab.timezone = plan.zone  # the column's default is UTC, never what the form says
    crontab.save()
    task.clocked, task.crontab, task.one_off = None, crontab, False
    # Beat computes the next fire after last_run_at: "now" means the next slot after this
    # save, neither a catch-up of slots before it nor one skipped.
    task.last_run_at = now
