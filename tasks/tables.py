"""Re-extracting one table: a thin wrapper over backend.services.table_versions."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from backend import task_names
from backend.services import table_versions, tables
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


@shared_task(
    bind=True,
    name=task_names.PROFILE_TABLE,
    # Safe to run twice: it stores the same facts again.
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_LIMIT_S,
    time_limit=SOFT_LIMIT_S + 30,
)
def profile_table(self, *, table_id: int) -> bool:
    """Read a table's rows once and store its column facts, for its bundles' schemas."""
    return tables.table_profile_store(table_id=table_id)
