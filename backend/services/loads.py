"""Warehouse loads: a bundle's tables into its target table, all or nothing, once per version."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import NoReturn, cast

from django.conf import settings
from django.contrib.auth.models import User

from backend import task_names
from backend.access import AccessDenied, check_may_load, visible_bundle
from backend.errors import UserFixable
from backend.integrations.warehouse import (
    LoadProgress,
    LoadResult,
    Mode,
    S3Staging,
    SourceRow,
    WarehouseError,
)
from backend.models import AuditEvent, Bundle, BundleSchedule, Run, Table
from backend.selectors.bundle_schema import (
    BundleSchema,
    bundle_members,
    bundle_schema,
    member_rows,
)
from backend.selectors.table_versions import tables_unchecked
from backend.selectors.warehouse import configured_warehouse
from backend.services.audit import audit_record
from backend.services.runs import run_enqueue, run_finished, run_progress, run_started
from backend.services.tables import tables_profile_request
from backend.services.users import user_by_name

ProgressCallback = Callable[[str, int], None]
SWEEP_MARGIN_S = 600


logger = logging.getLogger(__name__)


class LoadFailed(Exception):
    """The load cannot succeed as things are; the message says what to fix."""


class WarehouseDown(Exception):
    """The warehouse did not answer; worth retrying later."""


class LoadRefused(UserFixable):
    """The bundle cannot load as it is; nothing was queued. The message says what to fix."""


def load_problems(*, bundle: Bundle) -> list[str]:
    """Why the bundle cannot load now (no tables, members that do not fit); empty if it can."""
    return bundle_schema(bundle=bundle).problems


class LoadNeedsConfirmation(LoadRefused):
    """Member tables are flagged for checking and no one checked them: load only when told."""


def load_enqueue(
    *,
    bundle_id: int,
    owner: User,
    trigger: str = Run.Trigger.MANUAL,
    retry_of: Run | None = None,
    confirmed_unchecked: bool = False,
) -> Run:
    """Queue a load of the bundle as it is now; the Run is visible at once.

    Raises LoadRefused, queuing nothing, when the bundle cannot load: such a run could only
    fail, and would count as a failure in the history. Raises LoadNeedsConfirmation when
    member tables are flagged for checking and unchecked, unless `confirmed_unchecked`."""
    bundle = visible_bundle(owner, bundle_id)
    schema = bundle_schema(bundle=bundle)
    if schema.problems:
        tables_profile_request(table_ids=schema.pending_ids)
        raise LoadRefused("The bundle cannot load: " + " ".join(schema.problems))
    unchecked = tables_unchecked(bundle=bundle)
    if unchecked and not confirmed_unchecked:
        names = ", ".join(t.name for t in unchecked)
        raise LoadNeedsConfirmation(
            f"{len(unchecked)} table(s) of the bundle are flagged and not checked: {names}. "
            "Check them on the Documents page, or confirm the load."
        )
    audit_record(
        action=AuditEvent.Action.LOAD, actor=owner, detail=f"queued a load of {bundle.name}"
    )
    return run_enqueue(
        kind=Run.Kind.LOAD,
        owner=owner,
        task_name=task_names.LOAD_TO_REDSHIFT,
        task_kwargs={"bundle_id": bundle.pk, "username": owner.username},
        trigger=trigger,
        bundle=bundle,
        retry_of=retry_of,
        target=bundle.target_table,
        bundle_name=bundle.name,
        inputs=load_inputs(bundle=bundle, trigger=trigger),
    )


def load_inputs(*, bundle: Bundle, trigger: str) -> dict:
    """What a load of the bundle is given, as it is now: version, mode, keys, member tables,
    and the schedule when one fired it."""
    schedule = BundleSchedule.objects.filter(bundle=bundle).first()
    fired_by = None
    if schedule is not None and trigger == Run.Trigger.SCHEDULE:
        fired_by = {
            "id": schedule.pk,
            "frequency": schedule.frequency,
            "timezone": schedule.timezone,
            "form": schedule.form,
        }
    return {
        "bundle_version": bundle.version,
        "load_mode": bundle.load_mode,
        "key_columns": list(bundle.key_columns),
        "target": bundle.target_table,
        "tables": [
            {
                "id": t.pk,
                "name": t.name,
                "n_rows": t.n_rows,
                "n_cols": t.n_cols,
                "version": t.version,
            }
            for t in bundle_members(bundle=bundle)
        ],
        "schedule": fired_by,
    }


def load_run(
    *, bundle_id: int, username: str, task_id: str, trigger: str, on_progress: ProgressCallback
) -> dict:
    """Load the bundle, recording the Run (created here when beat sent the task)."""
    owner = user_by_name(username=username)
    bundle = Bundle.objects.filter(pk=bundle_id).first()
    _run_for(task_id=task_id, owner=owner, bundle=bundle, trigger=trigger)
    run_started(task_id=task_id)
    if bundle is None:
        _fail(task_id, f"Bundle {bundle_id} no longer exists.")
    try:
        # Checked again here: a schedule outlives its owner's account or access.
        check_may_load(owner, bundle)
    except AccessDenied as exc:
        _fail(task_id, f"Nothing loaded: {exc}")
    schema = bundle_schema(bundle=bundle, read_rows=True)
    if schema.problems:
        _fail(task_id, "The bundle cannot load: " + " ".join(schema.problems))
    result = _publish(bundle, schema, task_id, on_progress)
    note = f"This version was already loaded on {result.loaded_at:%Y-%m-%d %H:%M}; nothing added."
    if result.schema_changes:
        note = "Changed the table: " + "; ".join(result.schema_changes) + "."
    run_finished(
        task_id=task_id,
        status=Run.Status.SUCCEEDED,
        rows_loaded=0 if result.skipped else result.rows,
        target=result.target,
        message=note[:255] if result.skipped or result.schema_changes else "",
        schema_changes=result.schema_changes,
    )
    return {"target": result.target, "rows": result.rows, "skipped": result.skipped}


def load_fail(*, task_id: str, message: str) -> None:
    """Close the load's Run as failed with a message a person can act on."""
    run_finished(task_id=task_id, status=Run.Status.FAILED, error=message)


def load_retrying(*, task_id: str, message: str) -> None:
    """Say on the Run that the load waits to try again."""
    run_progress(task_id=task_id, message=message)


def _run_for(*, task_id: str, owner: User, bundle: Bundle | None, trigger: str) -> Run:
    run, _ = Run.objects.get_or_create(
        task_id=task_id,
        defaults={
            "kind": Run.Kind.LOAD,
            "owner": owner,
            "bundle": bundle,
            "trigger": trigger,
            "target": bundle.target_table if bundle else "",
            "bundle_name": bundle.name if bundle else "",
            "inputs": load_inputs(bundle=bundle, trigger=trigger) if bundle else {},
        },
    )
    return run


def _fail(task_id: str, message: str) -> NoReturn:
    load_fail(task_id=task_id, message=message)
    raise LoadFailed(message)


def _publish(bundle: Bundle, schema: BundleSchema, task_id: str, on_progress) -> LoadResult:
    def report(progress: LoadProgress) -> None:
        logger.debug("bundle %s %s: %d rows", bundle.pk, progress.phase, progress.rows)
        run_progress(
            task_id=task_id,
            message=f"{progress.phase}: {progress.rows} rows",
            rows_loaded=progress.rows,
        )
        on_progress(progress.phase, progress.rows)

    try:
        with configured_warehouse() as warehouse:
            return warehouse.load(
                target=bundle.target_table,
                columns=schema.columns,
                rows=_source_rows(bundle_members(bundle=bundle), schema),
                mode=cast(Mode, bundle.load_mode),  # the model's choices are the modes
                keys=bundle.key_columns,
                load_id=f"bundle-{bundle.pk}-v{bundle.version}",
                on_progress=report,
                evolve=bundle.allow_schema_changes,
                longest=schema.longest(),
            )
    except WarehouseError as exc:
        if exc.retryable:
            raise WarehouseDown(str(exc)) from exc
        _fail(task_id, str(exc))


def _source_rows(tables: list[Table], schema: BundleSchema) -> Iterator[SourceRow]:
    for table in tables:
        source = source_label(table=table)
        for number, row in member_rows(table=table, schema=schema):
            yield SourceRow(row, number, source)


def source_label(*, table: Table) -> str:
    """How load errors name a member: the uploaded CSV's name, or the PDF and its page."""
    if table.document is None or table.first_page is None:
        return table.name
    last = table.last_page or table.first_page
    pages = (
        f"page {table.first_page}"
        if last == table.first_page
        else f"pages {table.first_page}-{last}"
    )
    return f"{table.document.name} {pages} ({table.name})"


def _s3_staging() -> S3Staging | None:
    return S3Staging.from_settings(settings.LOAD_S3_STAGING)


def load_staging_sweep() -> int:
    """Delete staged load files no running load can still need (a killed worker's); how many."""
    staging = _s3_staging()
    if staging is None:
        return 0
    from backend.integrations.warehouse.s3 import sweep_staged  # boto3 only where needed

    # Older than a load's hard time limit: the load that wrote them has ended, one way or another.
    age = timedelta(seconds=settings.LOAD_SOFT_TIME_LIMIT_S + 60 + SWEEP_MARGIN_S)
    return sweep_staged(staging, older_than=age)
