"""Every Run reaches a final state: a run whose task no worker and no queue holds is sent
again (its tasks are idempotent) or, after RECONCILE_MAX_RESENDS sends, closed as failed.

Beat fires `runs_reconcile` every RECONCILE_EVERY_S. A run is judged lost only when two
looks at least RUN_LOST_AFTER_S apart both found its task nowhere, so a task moving
between the queue and a worker, or a send still in flight, is never taken for lost."""

from __future__ import annotations

import logging
from collections import Counter

from django.conf import settings
from django.utils import timezone

from backend import dispatch, task_names
from backend.models import Run
from backend.services.failures import run_fail

logger = logging.getLogger(__name__)


def runs_reconcile() -> dict[str, int]:
    """Send again or close the active runs whose task is lost; cheap when none is active."""
    active = list(Run.objects.filter(status__in=Run.ACTIVE).select_related("owner"))
    if not active:
        return {}
    held = dispatch.held_task_ids()
    if held is None:
        return {"undecided": len(active)}
    now = timezone.now()
    outcome: Counter[str] = Counter()
    for run in active:
        if _is_held(run, held):
            if run.unheld_since is not None:
                Run.objects.filter(pk=run.pk).update(unheld_since=None)
            outcome["held"] += 1
        elif run.unheld_since is None:
            Run.objects.filter(pk=run.pk, status__in=Run.ACTIVE).update(unheld_since=now)
            outcome["watched"] += 1
        elif (now - run.unheld_since).total_seconds() >= settings.RUN_LOST_AFTER_S:
            outcome[_recover(run)] += 1
    return dict(outcome)


def _is_held(run: Run, held: set[str]) -> bool:
    return any(task_names.works_for_run(task_id, run.task_id) for task_id in held)


def _recover(run: Run) -> str:
    at = timezone.localtime().strftime("%H:%M")
    what = "the worker running this stopped" if run.started_at else "its queue lost the task"
    sent = _resend_kwargs(run)
    if sent is None or run.resends >= settings.RECONCILE_MAX_RESENDS:
        tries = f" after {run.resends} sends again" if run.resends else ""
        run_fail(task_id=run.task_id, message=f"Closed at {at}: {what}{tries}.")
        return "closed"
    claimed = Run.objects.filter(pk=run.pk, status__in=Run.ACTIVE, resends=run.resends).update(
        status=Run.Status.QUEUED,
        unheld_since=None,
        resends=run.resends + 1,
        message=f"{what.capitalize()}; sent again at {at}.",
    )
    if not claimed:
        return "raced"  # another reconciler or the run itself moved on
    task_name, kwargs = sent
    dispatch.send(task_name, kwargs=kwargs, task_id=run.task_id)
    return "resent"


def _resend_kwargs(run: Run) -> tuple[str, dict] | None:
    """The task and kwargs that redo the run; None when what it worked on is gone."""
    if run.kind == Run.Kind.CONVERSION and run.document_id:
        return task_names.CONVERT_PDF, {"document_id": run.document_id}
    if run.kind == Run.Kind.LOAD and run.bundle_id:
        return task_names.LOAD_TO_REDSHIFT, {
            "bundle_id": run.bundle_id,
            "username": run.owner.username,
        }
    return None
