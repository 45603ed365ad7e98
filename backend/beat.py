"""django-celery-beat's DatabaseScheduler with a heartbeat and every fire written as it is sent."""

from __future__ import annotations

import logging
from time import monotonic

from django.db import DatabaseError
from django_celery_beat import schedulers
from django_celery_beat.models import PeriodicTask

from backend.services.heartbeats import heartbeat_write
from backend.vocabulary import BEAT_HEARTBEAT, HEARTBEAT_EVERY_S

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
        # The stock scheduler marks the entry dirty and writes last_run_at at its next
        # sync, which also runs when a schedule is edited: the old fire time would then
        # overwrite the edit's last_run_at, and the edited schedule could fire at once for
        # a slot before the edit. apply_async writes each fire as it is sent instead.
        return next(entry)

    def apply_async(self, entry, *args, **kwargs):
        result = super().apply_async(entry, *args, **kwargs)
        # After the send: a beat killed in between sends it again when restarted (a load
        # is idempotent per bundle version) rather than never.
        try:
            _record_fire(entry.model)
        except DatabaseError:
            logger.exception("fire of %s not written; kept for the next sync", entry.name)
            self._dirty.add(entry.name)
        return result


def _record_fire(model: PeriodicTask) -> None:
    fields = {"last_run_at": model.last_run_at, "total_run_count": model.total_run_count}
    if model.one_off:
        # Kept in memory only, "has run" would be lost by a beat restarted before its
        # next sync, and the one-off would fire again.
        fields["enabled"] = False
    PeriodicTask.objects.filter(pk=model.pk).update(**fields)
