"""A Redshift warehouse that stages through S3: the real driver, through the shim (which runs
COPY FROM S3 against the moto server), into a PostgreSQL schema made for the test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace

import psycopg
import pytest
from psycopg import sql

from backend.integrations.warehouse import S3Staging, Warehouse, connect_warehouse
from tests.support.redshift_shim import RedshiftShim
from tests.support.s3_server import new_bucket, object_keys, s3_server, staging_for
from tests.support.services import require_service
from tests.support.shim_copy import S3Copies
from tests.support.warehouse_fixtures import PG_DSN, pg_snapshot

__all__ = ["S3Backend", "s3_backend", "s3_server", "s3_shim"]


@pytest.fixture(scope="session")
def s3_shim(s3_server: str) -> Iterator[RedshiftShim]:
    """A Redshift shim whose COPY FROM 's3://...' reads from the session's moto server."""
    require_service("postgresql")
    with RedshiftShim(copies=S3Copies(s3_server, PG_DSN)) as shim:
        yield shim


@dataclass
class S3Backend:
    url: str
    staging: S3Staging
    endpoint: str
    shim: RedshiftShim
    schema: str

    @property
    def copies(self) -> S3Copies:
        assert self.shim.copies is not None
        return self.shim.copies

    def connect(self, **staging: object) -> Warehouse:
        return connect_warehouse(self.url, s3_staging=replace(self.staging, **staging))

    def snapshot(self) -> dict:
        return pg_snapshot(self.schema)

    def staged_keys(self) -> list[str]:
        return object_keys(self.endpoint, self.staging.bucket)


@pytest.fixture
def s3_backend(s3_shim: RedshiftShim, s3_server: str) -> Iterator[S3Backend]:
    schema = f"wh_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    url = f"redshift://postgres:unused@127.0.0.1:{s3_shim.port}/postgres?ssl=false&schema={schema}"
    staging = staging_for(s3_server, new_bucket(s3_server), part_mb=0.001)  # ~1 KB parts
    try:
        yield S3Backend(url, staging, s3_server, s3_shim, schema)
    finally:
        s3_shim.copies.on_copy = None  # type: ignore[union-attr]
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
