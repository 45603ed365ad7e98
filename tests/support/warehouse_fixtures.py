"""Fixtures for the warehouse scenario tests: each test runs on both backends, SQLite in a
temp file, and Redshift through the real redshift-connector and the wire shim into a
PostgreSQL schema made for the test.

"Unchanged" is checked by comparing the full contents (every table, its columns and all
rows, plus any staging table left behind) read through an independent connection.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import psycopg
import pytest
from psycopg import sql

from backend.integrations.warehouse import (
    Warehouse,
    connect_warehouse,
)
from backend.integrations.warehouse.schema import infer_column_types, normalize_identifiers
from tests.support.redshift_shim import RedshiftShim, redshift_shim  # noqa: F401 (fixture)

PG_DSN = "host=127.0.0.1 port=5432 dbname=postgres user=postgres"
HEADER = normalize_identifiers(["ID", "Name", "Amount", "Active", "Day", "Seen at"])
ROWS = [
    ["1", "Ada", "10.50", "true", "2024-01-01", "2024-01-01 10:00:00"],
    ["2", "Bob", "", "no", "2024-01-02", ""],
    ["3", "Cy", "7.25", "yes", "", "2024-01-03 12:30:00"],
]
COLUMNS = infer_column_types(HEADER, ROWS)


@dataclass
class Backend:
    name: str
    url: str
    snapshot: Callable[[], dict]
    shim: RedshiftShim | None = None


def sqlite_snapshot(path: str) -> dict:
    with sqlite3.connect(path) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            name: (
                conn.execute(f'PRAGMA table_info("{name}")').fetchall(),
                sorted(map(repr, conn.execute(f'SELECT * FROM "{name}"'))),
            )
            for name in names
        }


def pg_snapshot(schema: str) -> dict:
    with psycopg.connect(PG_DSN) as conn:
        names = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [schema]
        ).fetchall()
        result = {
            "(staging left)": conn.execute(
                r"SELECT relname FROM pg_class WHERE relname LIKE '\_stg\_%'"
            ).fetchall()
        }
        for (name,) in names:
            columns = conn.execute(
                "SELECT column_name, data_type, character_maximum_length, numeric_precision, "
                "numeric_scale FROM information_schema.columns WHERE table_schema = %s "
                "AND table_name = %s ORDER BY ordinal_position",
                [schema, name],
            ).fetchall()
            query = sql.SQL("SELECT * FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(name)
            )
            result[name] = (columns, sorted(map(repr, conn.execute(query))))
        return result


@pytest.fixture(params=["sqlite", "redshift"])
def backend(request: pytest.FixtureRequest, tmp_path) -> Iterator[Backend]:
    if request.param == "sqlite":
        path = str(tmp_path / "warehouse.sqlite3")
        yield Backend("sqlite", f"sqlite:///{path}", lambda: sqlite_snapshot(path))
        return
    shim: RedshiftShim = request.getfixturevalue("redshift_shim")
    schema = f"wh_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    url = f"redshift://postgres:unused@127.0.0.1:{shim.port}/postgres?ssl=false&schema={schema}"
    try:
        yield Backend("redshift", url, lambda: pg_snapshot(schema), shim)
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def warehouse(backend: Backend) -> Iterator[Warehouse]:
    with connect_warehouse(backend.url) as opened:
        opened.chunk_rows = 16  # small loads still go through several chunks...
        if backend.shim is not None:
            opened.stager.segment_rows = 32  # ...and several line-table segments
        yield opened


def staging_tables(warehouse: Warehouse) -> list[str]:
    """Staging tables this connection can still see (SQLite's TEMP tables are per connection)."""
    if warehouse.dialect == "sqlite":
        sql = "SELECT name FROM temp.sqlite_master WHERE type = 'table'"
    else:
        sql = r"SELECT relname FROM pg_class WHERE relname LIKE '\_stg\_%'"
    return [name for (name,) in warehouse._query(sql)]  # type: ignore[attr-defined]


def canon(value: object) -> object:
    """Backend-neutral value: SQLite keeps booleans as 0/1, dates as text, NUMERIC as REAL."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def contents(warehouse: Warehouse, table: str) -> list[tuple]:
    rows = warehouse.preview(table, limit=10_000).rows
    return sorted((tuple(canon(v) for v in row) for row in rows), key=repr)


def load(warehouse: Warehouse, rows: list, load_id: str, **kwargs) -> object:
    kwargs.setdefault("columns", COLUMNS)
    return warehouse.load(target="people", rows=rows, load_id=load_id, **kwargs)


EXPECTED = [
    (1, "Ada", 10.5, 1, "2024-01-01", "2024-01-01 10:00:00"),
    (2, "Bob", None, 0, "2024-01-02", None),
    (3, "Cy", 7.25, 1, None, "2024-01-03 12:30:00"),
]
