"""django-celery-beat's DatabaseScheduler with a heartbeat and durable one-off fires."""

from __future__ import annotations

import logging
from time import monotonic

from django.db import DatabaseError
from django.utils import timezone
from django_celery_beat import schedulers
from django_celery_beat.models import PeriodicTask

from backend.services.heartbeats import heartbeat_write

BEAT_HEARTBEAT = "beat"
HEARTBEAT_EVERY_S = 5.0
logger = logging.getLogger(__name__)


class DatabaseScheduler(schedulers.DatabaseScheduler):
    """The stock scheduler, plus three guarantees the dashboard relies on."""

    _last_heartbeat = float("-inf")

    def tick(self, *args, **kwargs):
        # Written from inside the scheduling loop, so it stops when beat hangs.
        now = monotonic()
        if now - self._last_heartbeat >= HEARTBEAT_EVERY_S:
            self._last_heartbeat = now
            try:
                heartbeat_write(name=BEAT_HEARTBEAT)
            except DatabaseError:
                # A missed heartbeat must never stop the schedules from firing.
                logger.exception("beat heartbeat not written")
        return super().tick(*args, **kwargs)

    def reserve(self, entry):
        # The stock scheduler writes last_run_at at its next sync, which also runs when a
        # schedule is edited: it would write the old fire time over the edit's last_run_at,
        # and the edited schedule could fire at once for a slot before the edit. Written
        # now instead, the stored value only ever moves forward.
        new_entry = next(entry)
        try:
            PeriodicTask.objects.filter(pk=new_entry.model.pk).update(
                last_run_at=new_entry.last_run_at, total_run_count=new_entry.total_run_count
            )
        except DatabaseError:
            logger.exception("last run of %s not written; kept for the next sync", entry.name)
            self._dirty.add(new_entry.name)
        return new_entry

    def apply_async(self, entry, *args, **kwargs):
        result = super().apply_async(entry, *args, **kwargs)
        if entry.model.one_off:
            _retire_one_off(entry.name)
        return result


def _retire_one_off(name: str) -> None:
    # The stock scheduler keeps "has run" in memory until its next sync, so a beat
    # restarted in between fires a one-off again. Persist it as soon as it is sent.
    # (reserve() has already counted the fire.)
    PeriodicTask.objects.filter(name=name).update(enabled=False, last_run_at=timezone.now())
