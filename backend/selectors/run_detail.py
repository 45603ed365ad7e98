"""One run in full, for the History page's detail: arguments, outcome, timing, links."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q
from django_celery_results.models import TaskResult

from backend import task_names
from backend.access import runs_visible
from backend.models import BundleSchedule, Run, Table
from backend.selectors.runs import waited_s

SECRET_NAME = re.compile(r"password|passwd|secret|token|(^|_|-)?key$", re.IGNORECASE)
SECRET_IN_TEXT = re.compile(
    r"""(['"]?\w*(?:password|passwd|secret|token|key)['"]?\s*[:=]\s*)(['"]?)[^,'"}\s]+\2""",
    re.IGNORECASE,
)
REDACTED = "••••••"


def redact(value: Any) -> Any:
    """The value with anything named like a secret (password, secret, token, *key) masked."""
    if isinstance(value, dict):
        return {
            k: REDACTED if SECRET_NAME.search(str(k)) and v not in ("", None) else redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def redact_text(text: str) -> str:
    """Mask `name=value` and `'name': 'value'` pairs whose name looks like a secret."""
    return SECRET_IN_TEXT.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}{m.group(2)}", text)


@dataclass(frozen=True)
class Named:
    id: int
    name: str


@dataclass(frozen=True)
class FiredBy:
    """The schedule that fired a run, and whether it still exists."""

    id: int
    frequency: str
    exists: bool


@dataclass(frozen=True)
class RunLinks:
    document: Named | None
    bundle: Named | None
    bundle_deleted: str | None  # the name of a bundle deleted since the run
    schedule: FiredBy | None
    tables: Sequence[Mapping[str, Any]]  # the tables it found or loaded, as rows for a grid
    retry_of: int | None
    retries: list[int]


@dataclass(frozen=True)
class TaskRecord:
    """The run's Celery task as django-celery-results stored it, secrets masked."""

    task_id: str
    task_name: str | None
    status: str
    worker: str | None
    kwargs: Any
    result: Any
    traceback: str
    date_created: datetime
    date_done: datetime | None


@dataclass(frozen=True)
class RunDetail:
    id: int
    kind: Run.Kind
    status: Run.Status
    trigger: Run.Trigger
    owner: str
    task_id: str
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    waited_s: float | None
    duration_s: float | None
    pages_done: int
    pages_total: int | None
    tables_found: int
    rows_loaded: int
    message: str
    error: str
    target: str
    arguments: dict[str, Any]  # what it was given, secrets masked
    links: RunLinks
    task: TaskRecord | None
    subtasks: list[dict[str, Any]]  # its parts' task results, as rows for a grid


def run_detail(*, by: User, run_id: int) -> RunDetail | None:
    """Everything known about one run, secrets masked; None if there is no such run or the
    user may not see it."""
    visible = runs_visible(by).select_related("owner", "document", "bundle", "retry_of")
    run = visible.filter(pk=run_id).first()
    if run is None:
        return None
    return RunDetail(
        id=run.pk,
        kind=Run.Kind(run.kind),
        status=Run.Status(run.status),
        trigger=Run.Trigger(run.trigger),
        owner=run.owner.username,
        task_id=run.task_id,
        queued_at=run.queued_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        waited_s=waited_s(run.queued_at, run.started_at),
        duration_s=run.duration_s,
        pages_done=run.pages_done,
        pages_total=run.pages_total,
        tables_found=run.tables_found,
        rows_loaded=run.rows_loaded,
        message=run.message,
        error=run.error,
        target=run.target,
        arguments=_arguments(run),
        links=_links(run),
        task=_task_result(run.task_id),
        subtasks=_subtasks(run.task_id),
    )


def _arguments(run: Run) -> dict[str, Any]:
    if run.kind == Run.Kind.CONVERSION:
        options = run.document.options if run.document else {}
        return redact({"document_id": run.document_id, "options": options})
    # What the run was given when queued; never the bundle as it is today.
    given = {k: v for k, v in run.inputs.items() if k not in ("tables", "schedule")}
    return redact({"bundle_id": run.bundle_id, "bundle": run.bundle_name, **given})


def _links(run: Run) -> RunLinks:
    document = run.document
    bundle = run.bundle
    if run.kind == Run.Kind.CONVERSION:
        tables = Table.objects.filter(document=document) if document else Table.objects.none()
        made = list(tables.order_by("id").values("id", "name", "n_rows", "n_cols")[:200])
    else:
        made = list(run.inputs.get("tables", []))
    return RunLinks(
        document=Named(document.pk, document.name) if document else None,
        bundle=Named(bundle.pk, bundle.name) if bundle else None,
        bundle_deleted=run.bundle_name if bundle is None and run.bundle_name else None,
        schedule=_schedule(run),
        tables=made,
        retry_of=run.retry_of_id,
        retries=list(run.retries.order_by("queued_at").values_list("id", flat=True)),
    )


def _schedule(run: Run) -> FiredBy | None:
    """The schedule that fired the run; a manual run has none."""
    fired_by = run.inputs.get("schedule")
    if not fired_by:
        return None
    exists = BundleSchedule.objects.filter(pk=fired_by["id"]).exists()
    return FiredBy(id=fired_by["id"], frequency=fired_by["frequency"], exists=exists)


def _task_result(task_id: str) -> TaskRecord | None:
    row = TaskResult.objects.filter(task_id=task_id).first()
    if row is None:
        return None
    return TaskRecord(
        task_id=row.task_id,
        task_name=row.task_name,
        status=row.status,
        worker=row.worker,
        kwargs=_decoded(row.task_kwargs),
        result=_decoded(row.result),
        traceback=redact_text(row.traceback or ""),
        date_created=row.date_created,
        date_done=row.date_done,
    )


def _subtasks(task_id: str) -> list[dict[str, Any]]:
    rows = TaskResult.objects.filter(
        Q(task_id__startswith=task_names.part_id_prefix(task_id))
        | Q(task_id=task_names.finish_task_id(task_id))
    ).order_by("date_created")
    return [
        {"task_id": r.task_id, "status": r.status, "worker": r.worker, "date_done": r.date_done}
        for r in rows
    ]


def _decoded(stored: str | None) -> Any:
    """A TaskResult field (JSON, often of a Python repr) as data, secrets masked."""
    if not stored:
        return None
    try:
        value = json.loads(stored)
        if isinstance(value, str):
            value = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return redact_text(str(stored))
    return redact(value)
