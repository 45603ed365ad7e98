"""PDF conversion tasks: thin wrappers over backend.services.conversion."""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from backend import task_names
from backend.services import conversion, conversion_parts
from backend.services.failures import run_fail
from backend.services.runs import run_mark_system_failure
from tasks.base import RunTask, progress_reporter

SOFT_LIMIT_S = settings.CONVERSION_SOFT_TIME_LIMIT_S
LIMITS = {"soft_time_limit": SOFT_LIMIT_S, "time_limit": settings.CONVERSION_HARD_TIME_LIMIT_S}
# Safe to run again: a part rewrites its own file and the finishing step replaces the
# document's tables. A worker lost mid-task (killed, out of memory) sends the task again,
# at most CONVERSION_MAX_RETRIES times, so a file that kills every worker ends failed.
REDELIVERED = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "retry_on_worker_lost": True,
    "max_retries": settings.CONVERSION_MAX_RETRIES,
    "default_retry_delay": 1,
}


@shared_task(
    bind=True,
    base=RunTask,
    name=task_names.CONVERT_PDF,
    throws=(conversion.ConversionFailed,),
    **LIMITS,
    **REDELIVERED,
)
def convert_pdf(self, *, document_id: int) -> dict:
    """Convert a document's PDF into Tables, reporting progress page by page."""
    try:
        return conversion.document_convert(
            document_id=document_id, task_id=self.request.id, on_progress=progress_reporter(self)
        )
    except SoftTimeLimitExceeded:
        conversion.conversion_fail(task_id=self.request.id, message=conversion.too_slow_message())
        run_mark_system_failure(task_id=self.request.id)
        raise


class PartTask(RunTask):
    """A part's unexpected failure names the part's pages."""

    def failure_message(self, exc: BaseException, kwargs: dict) -> str:
        message = super().failure_message(exc, kwargs)
        return conversion_parts.parts_failure_message(pages=kwargs.get("pages"), error=message)


@shared_task(
    bind=True,
    base=PartTask,
    name=task_names.CONVERT_PDF_PART,
    throws=(conversion.ConversionFailed,),
    **LIMITS,
    **REDELIVERED,
)
def convert_pdf_part(self, *, document_id: int, run_task_id: str, pages: list[int]) -> str:
    """Convert some pages of a long document, for finish_conversion to join."""
    try:
        return conversion.document_convert_part(
            document_id=document_id,
            run_task_id=run_task_id,
            pages=pages,
            on_progress=progress_reporter(self),
        )
    except SoftTimeLimitExceeded:
        conversion.conversion_fail(task_id=run_task_id, message=conversion.too_slow_message())
        run_mark_system_failure(task_id=run_task_id)
        raise


@shared_task(bind=True, base=RunTask, name=task_names.FINISH_CONVERSION, **LIMITS, **REDELIVERED)
def finish_conversion(self, part_files: list[str], *, document_id: int, run_task_id: str) -> dict:
    """Join a long document's parts into its Tables."""
    return conversion.document_finish_parts(
        document_id=document_id, run_task_id=run_task_id, part_files=part_files
    )


@shared_task(name=task_names.CONVERSION_PARTS_FAILED)
def conversion_parts_failed(request, exc, traceback, *, document_id: int, run_task_id: str):
    """A part failed, so the chord will not finish: close the Run naming the part's pages.
    The other parts' files are kept for converting the document again."""
    run_fail(
        task_id=run_task_id,
        message=conversion_parts.parts_failure_message(
            document_id=document_id,
            run_task_id=run_task_id,
            error=exc,
            failed_task_id=getattr(request, "id", "") or "",
        ),
    )
