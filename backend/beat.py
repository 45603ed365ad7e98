"""django-celery-beat's DatabaseScheduler with a heartbeat and durable one-off fires."""

from __future__ import annotations

import logging
from time import monotonic

from django.db import DatabaseError
from django.db.models import F
from django.utils import timezone
from django_celery_beat import schedulers
from django_celery_beat.models import PeriodicTask

from backend.services.heartbeats import heartbeat_write

BEAT_HEARTBEAT = "beat"
HEARTBEAT_EVERY_S = 5.0
logger = logging.getLogger(__name__)


class DatabaseScheduler(schedulers.DatabaseScheduler):
    """The stock scheduler, plus two guarantees the dashboard relies on."""

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

    def apply_async(self, entry, *args, **kwargs):
        result = super().apply_async(entry, *args, **kwargs)
        if entry.model.one_off:
            _retire_one_off(entry.name)
        return result


def _retire_one_off(name: str) -> None:
    # The stock scheduler keeps "has run" in memory until its next sync, so a beat
    # restarted in between fires a one-off again. Persist it as soon as it is sent.
    PeriodicTask.objects.filter(name=name).update(
        enabled=False, last_run_at=timezone.now(), total_run_count=F("total_run_count") + 1
    )
