"""Health tasks the System page and the latency benchmark send to a worker."""

from __future__ import annotations

import time

from celery import shared_task

from backend.services.reconcile import runs_reconcile
from backend.services.users import sessions_clear_expired
from backend.task_names import CLEAR_EXPIRED_SESSIONS, PING, RECONCILE_RUNS


@shared_task(bind=True, name=PING, soft_time_limit=10, time_limit=20)
def ping(self, *, sent_at: float) -> dict:
    """Answer at once with when the task started, to time the queue."""
    return {"sent_at": sent_at, "started_at": time.time(), "worker": self.request.hostname}


@shared_task(name=RECONCILE_RUNS, soft_time_limit=60, time_limit=90)
def reconcile_runs() -> dict:
    """Beat's periodic look for runs whose task was lost: sent again, or closed."""
    return runs_reconcile()


@shared_task(name=CLEAR_EXPIRED_SESSIONS, soft_time_limit=60, time_limit=90)
def clear_expired_sessions() -> dict:
    """Beat's periodic removal of expired sign-ins from the session table."""
    return {"deleted": sessions_clear_expired()}
