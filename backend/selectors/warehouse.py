"""Reads of the configured warehouse for the Warehouse page (read only).

A member sees the tables their visible bundles load into (their own and those shared with
their groups), with the loads they may see; an administrator sees every table."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Max, QuerySet

from backend.access import AccessDenied, bundles_visible, is_admin, runs_visible
from backend.integrations.warehouse import S3Staging, Warehouse, WarehouseError, connect_warehouse
from backend.models import Run


def configured_warehouse() -> AbstractContextManager[Warehouse]:
    """The warehouse WAREHOUSE_URL names (a relative path from the project folder), staging
    through S3 when LOAD_S3_STAGING sets it: the one place a connection is made."""
    staging = S3Staging.from_settings(settings.LOAD_S3_STAGING)
    return connect_warehouse(settings.WAREHOUSE_URL, base_dir=settings.BASE_DIR, s3_staging=staging)


def _may_see(user: User) -> Callable[[str], bool]:
    """Whether a warehouse table is the target of a bundle the user may see now (any table,
    for an administrator). Past loads do not count: someone who left a bundle's group no
    longer reads its table, even one they loaded themselves."""
    if is_admin(user):
        return lambda name: True
    targets = bundles_visible(user).values_list("target_table", flat=True)
    lowered = {t.lower() for t in targets if t}
    return lambda name: name.lower() in lowered


@dataclass(frozen=True)
class LastLoad:
    """The load that last wrote a warehouse table."""

    run_id: int
    bundle: str
    by: str
    at: datetime | None
    rows: int


@dataclass(frozen=True)
class WarehouseTable:
    name: str
    rows: int
    columns: list[dict[str, str]]  # name, type: rows for a grid
    last_load: LastLoad | None  # None: not loaded by this dashboard (or by a run not visible)


@dataclass(frozen=True)
class WarehouseListing:
    error: str  # why the warehouse could not be read; empty when it answered
    tables: list[WarehouseTable]


@dataclass(frozen=True)
class WarehousePreview:
    columns: list[str]
    rows: list[list[Any]]


def warehouse_tables(*, by: User) -> WarehouseListing:
    """The tables the user may see, with row counts and columns, and the bundle and run
    (of those the user may see) that last loaded each."""
    visible = _may_see(by)
    try:
        with configured_warehouse() as warehouse:
            tables = [t for t in warehouse.list_tables() if visible(t.name)]
    except WarehouseError as exc:
        return WarehouseListing(error=str(exc), tables=[])
    last = _last_loads(runs_visible(by), [t.name for t in tables])
    listed = [
        WarehouseTable(
            name=t.name,
            rows=t.row_count,
            columns=[{"name": c.name, "type": c.sql_type} for c in t.columns],
            last_load=last.get(t.name),
        )
        for t in tables
    ]
    return WarehouseListing(error="", tables=listed)


def warehouse_preview(*, by: User, table: str, limit: int = 100) -> WarehousePreview:
    """The first rows of a warehouse table the user may see; AccessDenied for any other."""
    if not _may_see(by)(table):
        raise AccessDenied(f"No warehouse table {table} of yours.")
    with configured_warehouse() as warehouse:
        preview = warehouse.preview(table, limit)
    return WarehousePreview(columns=list(preview.columns), rows=[list(r) for r in preview.rows])


def _last_loads(runs: QuerySet[Run], targets: list[str]) -> dict[str, LastLoad]:
    # A load that added nothing (a repeat of a loaded version) did not write the table.
    loads = runs.filter(
        kind=Run.Kind.LOAD, status=Run.Status.SUCCEEDED, target__in=targets, rows_loaded__gt=0
    )
    latest = loads.values("target").annotate(last=Max("finished_at"))
    found: dict[str, LastLoad] = {}
    for row in latest:
        run = (
            loads.filter(target=row["target"], finished_at=row["last"])
            .select_related("bundle", "owner")
            .first()
        )
        if run is None:  # deleted between the two reads
            continue
        bundle = run.bundle.name if run.bundle else f"{run.bundle_name} (deleted bundle)"
        found[row["target"]] = LastLoad(
            run.pk, bundle, run.owner.username, run.finished_at, run.rows_loaded
        )
    return found
