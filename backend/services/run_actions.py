"""What a person can do to a run from its History detail: retry it, or cancel it."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django_celery_results.models import TaskResult

from backend import dispatch, task_names
from backend.access import check_owner, run_visible
from backend.errors import UserFixable
from backend.models import Document, Run
from backend.services import conversion, conversion_parts
from backend.services.documents import document_enqueue_conversion
from backend.services.loads import LoadRefused, load_enqueue
from backend.services.runs import run_revoke

RETRYABLE = (Run.Status.FAILED, Run.Status.REVOKED)


class RunActionRefused(UserFixable):
    """The action does not apply to the run as it is now; the message says why."""


def run_retry(*, run_id: int, owner: User, password: str = "") -> Run:
    """Queue the run's work again as a new Run whose retry_of is this one.

    Only a failed or revoked run is retried, and not while the same document or
    bundle has another run under way. A conversion may be given a (new) password."""
    run = run_visible(owner, run_id)
    if run.status not in RETRYABLE:
        raise RunActionRefused(f"Only failed or cancelled runs are retried; this one {run.status}.")
    subject = run.document if run.kind == Run.Kind.CONVERSION else run.bundle
    if subject is None:
        raise RunActionRefused(f"The run's {_subject_name(run)} has been deleted.")
    if Run.objects.filter(**{_subject_name(run): subject}, status__in=Run.ACTIVE).exists():
        raise RunActionRefused(f"The {_subject_name(run)} has a run under way already.")
    with transaction.atomic():
        if isinstance(subject, Document):
            return document_enqueue_conversion(
                document=subject, owner=owner, password=password, retry_of=run
            )
        try:
            # The load being retried was confirmed, or fired by its schedule.
            return load_enqueue(
                bundle_id=subject.pk, owner=owner, retry_of=run, confirmed_unchecked=True
            )
        except LoadRefused as exc:
            raise RunActionRefused(str(exc)) from None


def run_cancel(*, run_id: int, by: User) -> Run:
    """Stop a queued or running run: it ends revoked, its tasks are revoked (running ones
    terminated) and its partial outputs removed. Work a worker starts later is refused."""
    run = run_visible(by, run_id)
    check_owner(by, run, "the run")
    was_running = run.status != Run.Status.QUEUED
    # The Run is closed first: every step of its tasks checks it and gives up.
    if not run_revoke(task_id=run.task_id, message=f"Cancelled by {by.username}."):
        raise RunActionRefused("The run has already ended.")
    ids = run_task_ids(run=run)
    dispatch.revoke(ids, terminate=was_running)
    if run.kind == Run.Kind.CONVERSION:
        conversion_parts.conversion_parts_delete(run_task_id=run.task_id)
        if run.document is not None:
            conversion.conversion_cancelled(document=run.document)
    run.refresh_from_db()
    return run


def run_task_ids(*, run: Run) -> list[str]:
    """Every Celery task id that works for the run: its own, and a long conversion's
    parts and finishing step."""
    ids = [run.task_id]
    if run.kind == Run.Kind.CONVERSION:
        parts = conversion_parts.part_count(pages=run.pages_total or 0)
        ids += [task_names.part_task_id(run.task_id, n) for n in range(1, parts + 1)]
        # Parts that have started are on record whatever the workers' part size is.
        prefix = task_names.part_id_prefix(run.task_id)
        started = TaskResult.objects.filter(task_id__startswith=prefix)
        ids += sorted(set(started.values_list("task_id", flat=True)) - set(ids))
        ids.append(task_names.finish_task_id(run.task_id))
    return ids


def _subject_name(run: Run) -> str:
    return "document" if run.kind == Run.Kind.CONVERSION else "bundle"
