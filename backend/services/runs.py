"""Runs: every long job is a row from the moment it is queued until it ends."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from backend.celery_app import app
from backend.models import Run

ProgressCallback = Callable[..., None]


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
    transaction.on_commit(lambda: app.send_task(task_name, kwargs=task_kwargs, task_id=run.task_id))
    return run


def run_started(*, task_id: str) -> Run:
    """Mark the run started (idempotent: a redelivered task starts it again)."""
    run = Run.objects.get(task_id=task_id)
    run.status = Run.Status.STARTED
    run.started_at = timezone.now()
    run.error = ""
    run.save(update_fields=["status", "started_at", "error"])
    return run


def run_progress(*, task_id: str, message: str, **counters: int) -> None:
    """Record progress counters (pages_done, pages_total, tables_found, rows_loaded)."""
    Run.objects.filter(task_id=task_id).update(
        status=Run.Status.PROGRESS, message=message[:255], **counters
    )


def run_finished(*, task_id: str, status: str, error: str = "", **fields: Any) -> None:
    """Close the run with its outcome and duration."""
    run = Run.objects.get(task_id=task_id)
    now = timezone.now()
    run.status = status
    run.error = error
    run.finished_at = now
    run.duration_s = (now - (run.started_at or run.queued_at)).total_seconds()
    for name, value in fields.items():
        setattr(run, name, value)
    run.save()
