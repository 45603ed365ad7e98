"""What every task that works for a Run shares."""

from __future__ import annotations

from celery import Task
from celery.exceptions import Ignore, TimeLimitExceeded

from backend.logs import logging_for_run
from backend.services.failures import run_fail
from backend.services.runs import RunAlreadyFinal, RunRevoked, run_id_of


class RunTask(Task):
    """Closes the task's Run as failed on any error the service did not handle itself,
    including a hard time limit (Celery calls on_failure for those too).
    A cancelled run's task stops quietly and is recorded as revoked."""

    def __call__(self, *args, **kwargs):
        run_id = run_id_of(task_id=kwargs.get("run_task_id", self.request.id))
        with logging_for_run(run_id):
            return self._run_for(*args, **kwargs)

    def _run_for(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except RunRevoked:
            # Stored as Celery stores a revoke, so the result row agrees with the Run.
            self.backend.mark_as_revoked(
                self.request.id, reason="the run was cancelled", request=self.request
            )
            raise Ignore() from None
        except RunAlreadyFinal:
            raise Ignore() from None  # the result backend keeps the first delivery's outcome

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        run_fail(
            task_id=kwargs.get("run_task_id", task_id), message=self.failure_message(exc, kwargs)
        )

    def failure_message(self, exc: BaseException, kwargs: dict) -> str:
        if isinstance(exc, TimeLimitExceeded):
            return f"Stopped: the task ran past its hard time limit ({exc.args[0]} s)."
        if isinstance(exc, MemoryError):
            return "Stopped: the file needs more memory than a conversion may use."
        return f"Unexpected error: {type(exc).__name__}: {exc}"


def progress_reporter(task: Task):
    """A progress callback that publishes the task's state for Celery clients."""

    def report(done: int, total: int, found: int) -> None:
        task.update_state(
            state="PROGRESS", meta={"pages_done": done, "pages_total": total, "tables": found}
        )

    return report
