"""Reads of the configured warehouse for the Warehouse page (read only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Max

from backend.integrations.warehouse import WarehouseError, connect_warehouse
from backend.models import Run


def warehouse_tables() -> dict[str, Any]:
    """Tables with row counts and columns, and the bundle and run that last loaded each."""
    try:
        with connect_warehouse(settings.WAREHOUSE_URL, base_dir=settings.BASE_DIR) as warehouse:
            tables = warehouse.list_tables()
    except WarehouseError as exc:
        return {"error": str(exc), "tables": []}
    last = _last_loads([t.name for t in tables])
    return {
        "error": "",
        "tables": [
            {
                "name": t.name,
                "rows": t.row_count,
                "columns": [{"name": c.name, "type": c.sql_type} for c in t.columns],
                "last_load": last.get(t.name),
            }
            for t in tables
        ],
    }


def warehouse_preview(*, table: str, limit: int = 100) -> dict[str, Any]:
    """The first rows of a warehouse table."""
    with connect_warehouse(settings.WAREHOUSE_URL, base_dir=settings.BASE_DIR) as warehouse:
        preview = warehouse.preview(table, limit)
    return {"columns": preview.columns, "rows": [list(r) for r in preview.rows]}


def _last_loads(targets: list[str]) -> dict[str, dict[str, Any]]:
    # A load that added nothing (a repeat of a loaded version) did not write the table.
    loads = Run.objects.filter(
        kind=Run.Kind.LOAD, status=Run.Status.SUCCEEDED, target__in=targets, rows_loaded__gt=0
    )
    latest = loads.values("target").annotate(last=Max("finished_at"))
    found: dict[str, dict[str, Any]] = {}
    for row in latest:
        run = (
            loads.filter(target=row["target"], finished_at=row["last"])
            .select_related("bundle", "owner")
            .first()
        )
        if run is None:  # deleted between the two reads
            continue
        found[row["target"]] = {
            "run_id": run.pk,
            "bundle": run.bundle.name if run.bundle else f"{run.bundle_name} (deleted bundle)",
            "by": run.owner.username,
            "at": run.finished_at,
            "rows": run.rows_loaded,
        }
    return found
