"""The embedded SQLite warehouse: one file on the laptop, the default for local use.

Types are declared as in Redshift (BIGINT, NUMERIC(p,s), VARCHAR(n)...) so schemas compare
the same way; SQLite stores them by affinity (NUMERIC values as exact as a REAL allows,
dates and timestamps as ISO text, booleans as 0/1). VARCHAR widths are enforced on load.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path

from .batching import batches
from .chunks import ChunkEncoder, per_value_encoder
from .coercion import converter_for, to_text
from .columns import ColumnSpec, parse_sql_type
from .errors import WarehouseError, WarehouseUnreachable
from .plan import LoadPlan
from .schema import ddl_for, quote_ident
from .sql import SqlWarehouse

SCHEMA = "main"
_ADAPT: dict[str, Callable[[object], object]] = {
    "BOOLEAN": int,
    "NUMERIC": lambda value: format(value, "f") if isinstance(value, Decimal) else value,
    "DATE": to_text,
    "TIMESTAMP": to_text,
}


def _encoder(column: ColumnSpec) -> Callable[[object], object]:
    """Raw value -> the Python value SQLite stores; raises CoercionError."""
    convert, adapt = converter_for(column), _ADAPT.get(column.kind)
    if adapt is None:
        return convert

    def encode(value: object) -> object:
        converted = convert(value)
        return None if converted is None else adapt(converted)

    return encode


def _sizes(rows: list[Sequence[object]]) -> list[int]:
    """Approximate size of each row: text length, 8 bytes for anything else."""
    return [sum(len(v) if isinstance(v, str) else 8 for v in row) for row in rows]


class SqliteWarehouse(SqlWarehouse):
    dialect = "sqlite"
    param = "?"
    max_batch_rows = 8192
    driver_errors = (sqlite3.Error, OSError)

    def __init__(self, path: str | Path, *, timeout_s: float = 30.0) -> None:
        self.path = str(path)
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: this class opens every transaction itself, explicitly.
            self._conn = sqlite3.connect(self.path, timeout=timeout_s, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise self._translate(exc) from None

    def __repr__(self) -> str:
        return f"SqliteWarehouse({self.path!r})"

    def close(self) -> None:
        self._conn.close()

    # -- primitives -------------------------------------------------------------------------
    @property
    def _schema(self) -> str:
        return SCHEMA

    def _execute(self, sql: str, params: Sequence[object] | None = None) -> None:
        self._conn.execute(sql, params or ())

    def _query(self, sql: str, params: Sequence[object] | None = None) -> list[tuple]:
        return self._conn.execute(sql, params or ()).fetchall()

    def _commit(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("COMMIT")

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def _translate(self, exc: BaseException) -> WarehouseError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return WarehouseUnreachable(
                f"The SQLite warehouse {self.path} is locked by another process ({text}); "
                "the load will be retried."
            )
        return WarehouseError(f"The SQLite warehouse {self.path} failed: {text}.")

    def _table(self, name: str) -> str:
        return f"{quote_ident(SCHEMA)}.{quote_ident(name)}"

    def _table_names(self) -> list[str]:
        sql = "SELECT name FROM main.sqlite_master WHERE type = 'table' ORDER BY name"
        return [name for (name,) in self._query(sql) if not name.startswith("sqlite_")]

    def _describe(self, table: str) -> list[ColumnSpec] | None:
        found = self._query(f"PRAGMA {quote_ident(SCHEMA)}.table_info({quote_ident(table)})")
        return [parse_sql_type(row[1], row[2]) for row in found] or None

    # -- staging ----------------------------------------------------------------------------
    def _chunk_encoder(self, columns: list[ColumnSpec]) -> ChunkEncoder:
        return per_value_encoder([c.name for c in columns], [_encoder(c) for c in columns])

    def _create_staging(self, staging: str, columns: list[ColumnSpec]) -> None:
        # The staging transaction touches only the temp database, so it takes no lock on
        # the warehouse file; the write lock is taken at publish time only.
        self._execute("BEGIN")
        self._execute(ddl_for(staging, columns, self.dialect).replace("CREATE", "CREATE TEMP", 1))

    def _stage(
        self, staging: str, columns: list[ColumnSpec], chunks: Iterator[list], on_batch: Callable
    ) -> int:
        sql = f"INSERT INTO {staging} VALUES ({', '.join('?' * len(columns))})"
        count = 0
        groups = batches(
            chunks, max_rows=self.max_batch_rows, max_bytes=self.max_batch_bytes, sizes=_sizes
        )
        for group in groups:
            self._conn.executemany(sql, group)
            count += len(group)
            on_batch(count)
        return count

    def _end_staging(self) -> None:
        self._commit()

    # -- publishing -------------------------------------------------------------------------
    def _begin_publish(self) -> None:
        self._execute("BEGIN IMMEDIATE")  # the file's write lock, held until commit
        self._ensure_ledger()

    def _staged(self, staging: str, column: ColumnSpec) -> str:
        return f"{staging}.{quote_ident(column.name)}"

    def _delete_matching(self, plan: LoadPlan, staging: str) -> str:
        target = quote_ident(plan.target)
        match = " AND ".join(
            f"{staging}.{quote_ident(k)} = {target}.{quote_ident(k)}" for k in plan.keys
        )
        return (
            f"DELETE FROM {self._table(plan.target)} "
            f"WHERE EXISTS (SELECT 1 FROM {staging} WHERE {match})"
        )
