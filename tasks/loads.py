"""The warehouse load task: a thin wrapper over backend.services.loads."""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from backend import task_names
from backend.models import Run
from backend.services import loads
from backend.services.runs import run_mark_system_failure
from tasks.base import RunTask

SOFT_LIMIT_S = settings.LOAD_SOFT_TIME_LIMIT_S


def backoff_s(retries: int) -> float:
    """Seconds before the next try: doubling from the base, at most five minutes."""
    return min(settings.LOAD_RETRY_BASE_S * 2**retries, 300.0)


@shared_task(
    bind=True,
    base=RunTask,
    name=task_names.LOAD_TO_REDSHIFT,
    # Safe to redeliver: the warehouse's ledger publishes each bundle version once. A load
    # whose pool process was lost (killed, out of memory) is sent again, within max_retries.
    acks_late=True,
    reject_on_worker_lost=True,
    retry_on_worker_lost=True,
    default_retry_delay=1,  # a lost worker's load goes again at once (other retries back off)
    max_retries=settings.LOAD_MAX_RETRIES,
    soft_time_limit=SOFT_LIMIT_S,
    time_limit=settings.LOAD_HARD_TIME_LIMIT_S,
    throws=(loads.LoadFailed,),
)
def load_to_redshift(self, bundle_id: int, username: str) -> dict:
    """Load a bundle into the warehouse; beat sends this with the schedule's kwargs."""
    fired_by_beat = bool(getattr(self.request, "periodic_task_name", None))
    trigger = Run.Trigger.SCHEDULE if fired_by_beat else Run.Trigger.MANUAL
    try:
        return loads.load_run(
            bundle_id=bundle_id,
            username=username,
            task_id=self.request.id,
            trigger=trigger,
            on_progress=lambda phase, rows: self.update_state(
                state="PROGRESS", meta={"phase": phase, "rows": rows}
            ),
        )
    except loads.WarehouseDown as exc:
        tries = self.request.retries + 1
        if self.request.retries >= self.max_retries:
            message = f"The warehouse did not answer after {tries} tries: {exc}"
            loads.load_fail(task_id=self.request.id, message=message)
            run_mark_system_failure(task_id=self.request.id)
            raise loads.LoadFailed(message) from exc
        wait = backoff_s(self.request.retries)
        loads.load_retrying(
            task_id=self.request.id,
            message=f"warehouse unreachable, try {tries + 1} in {wait:.0f} s",
        )
        raise self.retry(exc=exc, countdown=wait) from exc
    except SoftTimeLimitExceeded:
        loads.load_fail(
            task_id=self.request.id,
            message=f"Stopped after the {SOFT_LIMIT_S} s time limit; nothing was published.",
        )
        run_mark_system_failure(task_id=self.request.id)
        raise


@shared_task(name=task_names.SWEEP_LOAD_STAGING, soft_time_limit=600, time_limit=660)
def sweep_load_staging() -> int:
    """Beat's periodic clean-up of staged load files that a killed worker left in S3."""
    return loads.load_staging_sweep()
