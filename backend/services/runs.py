"""Runs: every long job is a row from the moment it is queued until it ends."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from backend import dispatch
from backend.models import Run
from backend.vocabulary import WAITING_FOR_QUEUE


def run_enqueue(
    *,
    kind: str,
    owner: User,
    task_name: str,
    task_kwargs: dict[str, Any],
    trigger: str = Run.Trigger.MANUAL,
    task_id: str | None = None,
    **links: Any,
) -> Run:
    """Write a queued Run and send its task once the surrounding transaction commits."""
    run = Run.objects.create(
        kind=kind,
        owner=owner,
        trigger=trigger,
        task_id=task_id or str(uuid.uuid4()),
        **links,
    )
    transaction.on_commit(lambda: _send(run, task_name, task_kwargs))
    return run


def _send(run: Run, task_name: str, task_kwargs: dict[str, Any]) -> None:
    try:
        dispatch.send(task_name, kwargs=task_kwargs, task_id=run.task_id)
    except dispatch.BROKER_DOWN:
        # The run is kept: the reconciler sends it once the broker answers again.
        Run.objects.filter(pk=run.pk).update(message=WAITING_FOR_QUEUE)
        run.message = WAITING_FOR_QUEUE


class RunRevoked(Exception):
    """The run was cancelled: its task stops without touching the run's outcome."""


class RunAlreadyFinal(Exception):
    """The run has ended already: a second delivery of its task does nothing."""


def run_id_of(*, task_id: str) -> int | None:
    """The id of the Run a task works for, for its log lines; None for a task of no Run."""
    return Run.objects.filter(task_id=task_id).values_list("pk", flat=True).first()


def run_started(*, task_id: str) -> Run:
    """Mark the run started (idempotent: a redelivered task starts it again).

    Raises RunRevoked for a cancelled run: a worker that never heard of the
    revoke (started later, or the revoke was lost) must not bring it back; and
    RunAlreadyFinal for a run that ended: a duplicate delivery does not redo it."""
    started = Run.objects.filter(task_id=task_id, status__in=Run.ACTIVE).update(
        status=Run.Status.STARTED, started_at=timezone.now(), error="", unheld_since=None
    )
    if not started:
        run = Run.objects.get(task_id=task_id)  # DoesNotExist for an unknown id, as before
        if run.status == Run.Status.REVOKED:
            raise RunRevoked(task_id)
        raise RunAlreadyFinal(task_id)
    return Run.objects.get(task_id=task_id)


def run_progress(*, task_id: str, message: str, **counters: int) -> None:
    """Record progress counters (pages_done, pages_total, tables_found, rows_loaded).

    Raises RunRevoked once the run is cancelled, so the work stops at the next report."""
    updated = Run.objects.filter(task_id=task_id, status__in=Run.ACTIVE).update(
        status=Run.Status.PROGRESS, message=message[:255], **counters
    )
    if not updated:
        run_raise_if_revoked(task_id=task_id)


def run_raise_if_revoked(*, task_id: str) -> None:
    """Raise RunRevoked when the run has been cancelled."""
    if Run.objects.filter(task_id=task_id, status=Run.Status.REVOKED).exists():
        raise RunRevoked(task_id)


def run_finished(*, task_id: str, status: str, error: str = "", **fields: Any) -> bool:
    """Close an active run with its outcome and duration; False if it had already ended
    (a cancelled run stays revoked whatever its task does afterwards)."""
    run = Run.objects.get(task_id=task_id)
    now = timezone.now()
    values = {
        "status": status,
        "error": error,
        "finished_at": now,
        "duration_s": (now - (run.started_at or run.queued_at)).total_seconds(),
        **fields,
    }
    return bool(Run.objects.filter(pk=run.pk, status__in=Run.ACTIVE).update(**values))


def run_mark_system_failure(*, task_id: str) -> None:
    """Say that the run failed for a reason of the system (crash, time limit, warehouse
    unreachable), not of its input: the System page lists those apart."""
    Run.objects.filter(task_id=task_id, status=Run.Status.FAILED).update(system_failure=True)


def run_revoke(*, task_id: str, message: str) -> bool:
    """Close an active run as revoked; False if it had already ended. A run revoked before
    it started has no duration: it never ran."""
    run = Run.objects.get(task_id=task_id)
    now = timezone.now()
    closed = Run.objects.filter(pk=run.pk, status__in=Run.ACTIVE).update(
        status=Run.Status.REVOKED,
        finished_at=now,
        duration_s=(now - run.started_at).total_seconds() if run.started_at else None,
        message=message[:255],
    )
    return bool(closed)
