"""Our DatabaseScheduler writes each fire as it is sent, so a later edit is never overwritten."""

from __future__ import annotations

import uuid
from datetime import time

import pytest
from django.contrib.auth.models import User
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import ModelEntry

from backend.beat import DatabaseScheduler
from backend.celery_app import app
from backend.scheduling.spec import ScheduleSpec
from backend.services.schedules import schedule_save
from tests.support.factories import make_bundle_row

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_fire_is_persisted_at_once_and_a_later_edit_survives_the_next_sync():
    owner = User.objects.create(username="ana")
    bundle = make_bundle_row(owner, name="Sales")
    spec = ScheduleSpec("hourly", "UTC", minute=15)
    schedule_save(bundle=bundle, owner=owner, spec=spec)
    # A queue no worker reads: the sent message must not reach another test's worker.
    PeriodicTask.objects.update(queue=f"nowhere-{uuid.uuid4().hex[:8]}")
    scheduler = DatabaseScheduler(app=app, lazy=True)
    entry = ModelEntry(PeriodicTask.objects.get(), app=app)

    fired = scheduler.reserve(entry)  # as beat's tick does: reserve, then send
    scheduler.apply_async(entry, producer=scheduler.producer, advance=False)
    row = PeriodicTask.objects.get()
    assert row.last_run_at == fired.last_run_at and row.total_run_count == 1
    assert not scheduler._dirty  # nothing left for a later sync to write

    schedule_save(bundle=bundle, owner=owner, spec=ScheduleSpec("daily", "UTC", run_time=time(7)))
    edited = PeriodicTask.objects.get().last_run_at
    scheduler._schedule = {entry.name: fired}
    scheduler.sync()  # what beat does when it notices the edit
    assert PeriodicTask.objects.get().last_run_at == edited
