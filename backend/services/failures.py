"""Closing a Run that failed outside its service's own error handling."""

from __future__ import annotations

from backend.models import Run
from backend.services import conversion
from backend.services.runs import run_finished, run_mark_system_failure


def run_fail(*, task_id: str, message: str) -> None:
    """Mark an active run failed (and its document, for a conversion); a closed run stays.
    Such a failure is the system's: the service did not see it coming."""
    run = Run.objects.filter(task_id=task_id).only("kind", "status").first()
    if run is None or run.status not in Run.ACTIVE:
        return
    if run.kind == Run.Kind.CONVERSION:
        conversion.conversion_fail(task_id=task_id, message=message)
    else:
        run_finished(task_id=task_id, status=Run.Status.FAILED, error=message)
    run_mark_system_failure(task_id=task_id)
