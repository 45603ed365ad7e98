"""Re-extracting one table: a thin wrapper over backend.services.table_versions."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from backend import task_names
from backend.services import table_versions
from tasks.base import RunTask

SOFT_LIMIT_S = settings.CONVERSION_SOFT_TIME_LIMIT_S


@shared_task(
    bind=True,
    base=RunTask,
    name=task_names.REEXTRACT_TABLE,
    throws=(table_versions.ReextractionFailed,),
    soft_time_limit=SOFT_LIMIT_S,
    time_limit=SOFT_LIMIT_S + 30,
)
def reextract_table(self, *, table_id: int) -> dict:
    """Read one table again from the area and columns its Run was given."""
    return table_versions.table_reextract(table_id=table_id, task_id=self.request.id)
