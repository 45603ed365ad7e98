"""Every Run reaches a final state: a run whose task no worker and no queue holds is sent
again (its tasks are idempotent) or, after RECONCILE_MAX_RESENDS sends, closed as failed.

Beat fires `runs_reconcile` every RECONCILE_EVERY_S. A run is judged lost only when two
looks at least RUN_LOST_AFTER_S apart both found its task nowhere, so a task moving
between the queue and a worker, or a send still in flight, is never taken for lost."""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from kombu.exceptions import KombuError, OperationalError

from backend import task_names
from backend.celery_app import app
from backend.models import Run
from backend.services.failures import run_fail

logger = logging.getLogger(__name__)


def runs_reconcile() -> dict[str, int]:
    """Send again or close the active runs whose task is lost; cheap when none is active."""
    active = list(Run.objects.filter(status__in=Run.ACTIVE).select_related("owner"))
    if not active:
        return {}
    held = held_task_ids()
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


def held_task_ids() -> set[str] | None:
    """Ids of the tasks a queue or a worker holds now; None when that cannot be told (the
    broker does not answer, or its queue cannot be read and is not empty). Looked at in
    the order a task travels, queue first, so one moving along is seen at least once."""
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1)
            held = _queued_task_ids(conn)
        if held is None:
            return None
        inspect = app.control.inspect(timeout=1.0)
        for look in (inspect.scheduled, inspect.reserved, inspect.active):
            for tasks in (look() or {}).values():
                held |= {(t.get("request") or t).get("id") for t in tasks}
    except (OperationalError, KombuError, OSError) as exc:
        logger.warning("runs not reconciled: the broker does not answer (%s)", exc)
        return None
    return held


def _queued_task_ids(conn) -> set[str] | None:
    queue = app.conf.task_default_queue
    channel = conn.default_channel
    if conn.transport.driver_type == "filesystem":
        return {_message_id(_read(p)) for p in Path(channel.data_folder_in).glob(f"*.{queue}.msg")}
    if conn.transport.driver_type == "redis":
        names = [channel._q_for_pri(queue, pri) for pri in channel.priority_steps]
        return {_message_id(m) for name in set(names) for m in channel.client.lrange(name, 0, -1)}
    # Other brokers (RabbitMQ) cannot be read without taking the messages: an empty queue
    # holds nothing; otherwise wait until it is.
    declared = channel.queue_declare(queue=queue, passive=True)
    return set() if declared.message_count == 0 else None


def _read(message: Path) -> bytes:
    try:
        return message.read_bytes()
    except FileNotFoundError:
        return b""  # taken by a worker meanwhile: the workers are asked next


def _message_id(raw: bytes | str) -> str:
    try:
        return json.loads(raw).get("headers", {}).get("id", "")
    except (ValueError, AttributeError):
        return ""


def _is_held(run: Run, held: set[str]) -> bool:
    # A long conversion's parts and finishing step carry ids that start with the run's.
    prefix = f"{run.task_id}-"
    return any(task_id == run.task_id or task_id.startswith(prefix) for task_id in held)


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
    app.send_task(task_name, kwargs=kwargs, task_id=run.task_id)
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
