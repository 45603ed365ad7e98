"""Warehouse loading: one small interface, an embedded SQLite backend and a Redshift one.

    with connect_warehouse("sqlite:///var/warehouse.sqlite3") as warehouse:
        warehouse.load(target="orders", columns=specs, rows=rows, load_id="bundle-7-v3")

Every error raised is a WarehouseError subclass (see errors.py).
"""

from __future__ import annotations

from pathlib import Path

from .base import (
    LoadProgress,
    LoadResult,
    Mode,
    Preview,
    ProgressCallback,
    SourceRow,
    TableInfo,
    Warehouse,
)
from .columns import ColumnSpec
from .errors import (
    CopyRejected,
    EmptyLoad,
    InvalidLoad,
    SchemaMismatch,
    TableNotFound,
    ValueDoesNotFit,
    WarehouseAuthError,
    WarehouseError,
    WarehouseUnreachable,
)
from .s3_staging import S3Staging
from .urls import WarehouseUrlError, parse_redshift_url, parse_sqlite_url

__all__ = [
    "ColumnSpec",
    "CopyRejected",
    "EmptyLoad",
    "InvalidLoad",
    "LoadProgress",
    "LoadResult",
    "Mode",
    "Preview",
    "ProgressCallback",
    "S3Staging",
    "SchemaMismatch",
    "SourceRow",
    "TableInfo",
    "TableNotFound",
    "ValueDoesNotFit",
    "Warehouse",
    "WarehouseAuthError",
    "WarehouseError",
    "WarehouseUnreachable",
    "WarehouseUrlError",
    "connect_warehouse",
]


def connect_warehouse(
    url: str, *, base_dir: Path | None = None, s3_staging: S3Staging | None = None
) -> Warehouse:
    """Open the warehouse a URL names: `sqlite:///path` or `redshift://...`.

    Relative SQLite paths are resolved against base_dir (default: the working directory).
    With s3_staging, Redshift loads go through S3 and COPY instead of INSERTs.
    Raises WarehouseUnreachable / WarehouseAuthError / WarehouseUrlError on connect.
    """
    scheme = url.split(":", 1)[0].lower()
    if scheme == "sqlite":
        from .sqlite import SqliteWarehouse

        settings = parse_sqlite_url(url, base_dir)
        return SqliteWarehouse(settings.path, timeout_s=settings.timeout_s)
    if scheme == "redshift":
        # Imported here so the SQLite path works where the Redshift driver isn't installed.
        from .copy_stager import S3CopyStager
        from .redshift import RedshiftWarehouse

        stager = S3CopyStager(s3_staging) if s3_staging else None
        return RedshiftWarehouse(parse_redshift_url(url), stager=stager)
    raise WarehouseUrlError("A warehouse URL starts with sqlite:/// or redshift://.")
