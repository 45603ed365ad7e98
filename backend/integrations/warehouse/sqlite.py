"""The embedded SQLite warehouse: one file on the laptop, the default for local use.

Types are declared as in Redshift (BIGINT, NUMERIC(p,s), VARCHAR(n)...) so schemas compare
the same way; SQLite stores them by affinity (dates and timestamps as ISO text, booleans as
0/1). VARCHAR widths are enforced on load. NUMERIC values are bound as numbers, never as
text: SQLite's own text-to-REAL conversion is not correctly rounded (0.609597 became
0.6095969999999999) and turns long decimals into lossy integers. NUMERIC(p,0) is stored as
an INTEGER; other NUMERIC values as the REAL Python's correctly rounded conversion gives,
which prints back as the same digits up to 15 significant digits (a REAL holds no more;
Redshift keeps all 38).
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
from pathlib import Path
from typing import cast

from .batching import batches
from .chunks import ChunkEncoder
from .columns import FLOAT_KINDS, INTEGER_KINDS, ColumnSpec, parse_sql_type
from .encoding import ColumnEncoder, encode_chunk
from .errors import WarehouseError, WarehouseUnreachable
from .evolution import SchemaChange
from .plan import LoadPlan
from .schema import ddl_for, quote_ident
from .sql import SqlWarehouse, statement_head

logger = logging.getLogger(__name__)
SCHEMA = "main"


def _column_adapter(column: ColumnSpec) -> Callable[[Sequence[str]], list[object]]:
    """Canonical texts of a column ('' for NULL) -> the values SQLite stores."""
    kind = column.kind
    if kind in INTEGER_KINDS or (kind == "NUMERIC" and not column.scale):
        read: Callable[[str], object] = int
    elif kind in FLOAT_KINDS or kind == "NUMERIC":
        read = float  # correctly rounded, unlike SQLite's own parsing of text (see above)
    elif kind == "BOOLEAN":
        read = {"true": 1, "false": 0}.__getitem__
    else:
        return lambda texts: [text or None for text in texts]
    return lambda texts: [read(text) if text else None for text in texts]


def _sizer(columns: list[ColumnSpec]) -> Callable[[list[Sequence[object]]], list[int]]:
    """Approximate size of each row: its text values' length, 8 bytes for any other value.
    Texts are picked by position, so the per-row work stays in C."""
    texts = [i for i, c in enumerate(columns) if c.kind in ("VARCHAR", "DATE", "TIMESTAMP")]
    fixed = 8 * (len(columns) - len(texts))
    if not texts:
        return lambda rows: [fixed] * len(rows)
    pick = itemgetter(*texts) if len(texts) > 1 else lambda row: (row[texts[0]],)
    return lambda rows: [fixed + len("".join(filter(None, pick(row)))) for row in rows]


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
        logger.debug("statement: %s", statement_head(sql))
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
        # Whole columns are checked at once as canonical text (as for Redshift), then turned
        # into the Python values SQLite stores, column by column.
        encoders = [ColumnEncoder(c) for c in columns]
        adapters = [_column_adapter(c) for c in columns]
        # Encoded columns hold canonical text only.
        return lambda rows: [
            adapt(cast(Sequence[str], texts))
            for adapt, texts in zip(adapters, encode_chunk(encoders, rows), strict=True)
        ]

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
            chunks,
            max_rows=self.max_batch_rows,
            max_bytes=self.max_batch_bytes,
            sizes=_sizer(columns),
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

    def _apply_changes(
        self, target: str, existing: list[ColumnSpec], changes: list[SchemaChange]
    ) -> None:
        """SQLite can add a column but not retype one: a widening rebuilds the table under
        its declared new type (copy, drop, rename), inside the publish transaction."""
        wider = {c.column.name: c.column for c in changes if c.action == "widen"}
        if wider:
            columns = [wider.get(c.name, c) for c in existing]
            rebuilt = f"_widen_{uuid.uuid4().hex[:12]}"
            self._execute(ddl_for(rebuilt, columns, self.dialect, schema=SCHEMA))
            self._execute(f"INSERT INTO {self._table(rebuilt)} SELECT * FROM {self._table(target)}")
            self._execute(f"DROP TABLE {self._table(target)}")
            self._execute(f"ALTER TABLE {self._table(rebuilt)} RENAME TO {quote_ident(target)}")
        for change in changes:
            if change.action == "add":
                self._execute(change.sql(self._table(target)))

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
