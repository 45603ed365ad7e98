"""The load algorithm both backends share: stage, then publish once, in one transaction.

1. Refuse early: bad arguments, an already-published load_id (skip), a schema mismatch.
2. Stream converted rows into a temporary staging table, batch by batch.
3. Publish in ONE transaction: lock, re-check the ledger, create the target if needed,
   append / delete-all + insert / delete-matching + insert, record the load_id, commit.
Any failure rolls back and drops staging, so the target is exactly as it was.
"""

from __future__ import annotations

import contextlib
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from .base import (
    LEDGER_TABLE,
    STAGING_PREFIX,
    LoadProgress,
    LoadResult,
    Preview,
    ProgressCallback,
    SourceRow,
    TableInfo,
)
from .chunks import (
    CHUNK_ROWS,
    Assembler,
    ChunkEncoder,
    encoded_chunks,
    rarer_collections,
    transpose,
)
from .columns import ColumnSpec
from .errors import EmptyLoad, SchemaMismatch, TableNotFound, WarehouseError
from .evolution import SchemaChange, SchemaDiff, describe, schema_diff
from .plan import LEDGER_COLUMNS, LoadPlan, check_request, duplicate_key_error
from .schema import ddl_for, quote_ident

Encoder = Callable[[object], object]


def statement_head(sql: str) -> str:
    """The first words of a statement, for a log line: never its values or credentials."""
    return " ".join(sql.split(None, 3)[:3])


class SqlWarehouse(ABC):
    """Template for SQL backends; subclasses supply the dialect-specific primitives."""

    dialect = ""
    param = "?"
    max_batch_rows = 4096
    chunk_rows = CHUNK_ROWS  # rows read and encoded at a time
    max_batch_bytes = 16 * 1024 * 1024  # per staging statement; instances may lower it
    driver_errors: tuple[type[BaseException], ...] = (OSError,)  # translated to typed errors

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> SqlWarehouse:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- primitives -------------------------------------------------------------------------
    @abstractmethod
    def _execute(self, sql: str, params: Sequence[object] | None = None) -> None: ...

    @abstractmethod
    def _query(self, sql: str, params: Sequence[object] | None = None) -> list[tuple]: ...

    @abstractmethod
    def _commit(self) -> None: ...

    @abstractmethod
    def _rollback(self) -> None: ...

    @abstractmethod
    def _translate(self, exc: BaseException) -> WarehouseError:
        """The typed error for a driver exception."""

    @abstractmethod
    def _table(self, name: str) -> str:
        """The quoted, qualified name of a permanent table."""

    @abstractmethod
    def _table_names(self) -> list[str]: ...

    @abstractmethod
    def _describe(self, table: str) -> list[ColumnSpec] | None: ...

    @abstractmethod
    def _chunk_encoder(self, columns: list[ColumnSpec]) -> ChunkEncoder:
        """Raw rows -> encoded columns; raises CoercionErrors that say where."""

    def _assembler(self, columns: list[ColumnSpec]) -> Assembler:
        """Encoded columns -> the rows _stage inserts (by default, plain rows). Called once
        per load, before staging starts."""
        return transpose

    @abstractmethod
    def _create_staging(self, staging: str, columns: list[ColumnSpec]) -> None: ...

    @abstractmethod
    def _stage(
        self, staging: str, columns: list[ColumnSpec], chunks: Iterator[list], on_batch: Callable
    ) -> int:
        """Insert chunks of rows into staging; call on_batch(rows_so_far) as it goes."""

    @abstractmethod
    def _staged(self, staging: str, column: ColumnSpec) -> str:
        """SQL expression reading a staged column as the target's type."""

    @abstractmethod
    def _begin_publish(self) -> None:
        """Open the publish transaction, create the ledger if needed (_ensure_ledger) and take
        the write lock that serialises publishes."""

    @abstractmethod
    def _delete_matching(self, plan: LoadPlan, staging: str) -> str:
        """DELETE statement removing target rows whose keys appear in staging."""

    @abstractmethod
    def _end_staging(self) -> None:
        """Between staging and publishing (SQLite commits its temp-only transaction)."""

    # -- reading ----------------------------------------------------------------------------
    def list_tables(self) -> list[TableInfo]:
        with self._errors():
            return [
                TableInfo(name, self._count(name), self._describe(name) or [])
                for name in self._table_names()
                if name != LEDGER_TABLE and not name.startswith(STAGING_PREFIX)
            ]

    def preview(self, table: str, limit: int = 50) -> Preview:
        with self._errors():
            columns = self._describe(table)
            if columns is None:
                raise TableNotFound(f"Table {table!r} does not exist in the warehouse.")
            names = ", ".join(quote_ident(c.name) for c in columns)
            sql = f"SELECT {names} FROM {self._table(table)} LIMIT {int(limit)}"
            return Preview([c.name for c in columns], [tuple(r) for r in self._query(sql)])

    def table_exists(self, table: str) -> bool:
        return self.table_columns(table) is not None

    def table_columns(self, table: str) -> list[ColumnSpec] | None:
        with self._errors():
            return self._describe(table)

    def _count(self, table: str) -> int:
        return int(self._query(f"SELECT COUNT(*) FROM {self._table(table)}")[0][0])

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except self.driver_errors as exc:
            with contextlib.suppress(Exception):
                self._rollback()
            raise self._translate(exc) from None
        except Exception:
            # Not the warehouse's doing (e.g. the caller's row iterator failed): as is.
            with contextlib.suppress(Exception):
                self._rollback()
            raise

    # -- loading ----------------------------------------------------------------------------
    def load(
        self,
        *,
        target: str,
        columns: Sequence[ColumnSpec],
        rows: Iterable[Sequence[object] | SourceRow],
        mode: str = "append",
        keys: Sequence[str] = (),
        load_id: str,
        on_progress: ProgressCallback | None = None,
        first_row: int = 2,
        evolve: bool = False,
        longest: Mapping[str, int] | None = None,
    ) -> LoadResult:
        report = on_progress or (lambda progress: None)
        request = LoadPlan(target, list(columns), mode, list(keys), load_id, evolve, longest or {})
        with self._errors():
            plan = self._plan(request)
            if isinstance(plan, LoadResult):
                return plan
            staging = f"{STAGING_PREFIX}{uuid.uuid4().hex[:16]}"
            try:
                result = self._stage_and_publish(plan, staging, rows, report, first_row)
            except BaseException:
                self._abort(staging)
                raise
        report(LoadProgress("done", result.rows))
        return result

    def _plan(self, request: LoadPlan) -> LoadPlan | LoadResult:
        check_request(request.target, request.columns, request.mode, request.keys, request.load_id)
        done = self._ledger_entry(request.load_id)
        self._rollback()  # end the read transaction: nothing is held while staging
        if done is not None:
            return done
        existing = self._describe(request.target)
        if existing is None:
            return request
        diff = self._diff(request, existing)
        widened = self._widen_ahead(request.target, diff.changes)
        return replace(request, columns=diff.columns, widened=widened)

    def _widen_ahead(self, target: str, changes: list[SchemaChange]) -> list[str]:
        """Changes a backend must make before the load's transaction; described.  None here:
        widening happens inside the publish transaction."""
        return []

    def _diff(self, plan: LoadPlan, existing: list[ColumnSpec]) -> SchemaDiff:
        """The existing table against the data; raises SchemaMismatch saying what to do."""
        diff = schema_diff(existing, plan.columns, plan.longest)
        refusals = list(diff.refusals)
        if not plan.evolve:
            refusals += [change.refusal(self._table(plan.target)) for change in diff.changes]
        if refusals:
            raise SchemaMismatch(plan.target, refusals)
        return diff

    def _stage_and_publish(
        self, plan: LoadPlan, staging: str, rows: Iterable, report: ProgressCallback, first: int
    ) -> LoadResult:
        encode = self._chunk_encoder(plan.columns)
        assemble = self._assembler(plan.columns)
        encoded = encoded_chunks(plan, rows, encode, assemble, first, self.chunk_rows)
        head = next(encoded, None)
        if head is None:
            raise EmptyLoad(f"Nothing to load into {plan.target!r}: the data has no rows.")
        self._create_staging(staging, plan.columns)
        on_batch = lambda n: report(LoadProgress("staging", n))  # noqa: E731
        with rarer_collections():
            count = self._stage(staging, plan.columns, _prepend(head, encoded), on_batch)
        self._end_staging()
        report(LoadProgress("publishing", count))
        return self._publish(plan, staging, count)

    def _publish(self, plan: LoadPlan, staging: str, count: int) -> LoadResult:
        self._begin_publish()
        done = self._ledger_entry(plan.load_id)
        if done is not None:  # a concurrent attempt published while we were staging
            self._abort(staging)
            return done
        changes = plan.widened + self._ensure_target(plan)
        if plan.mode == "replace":
            self._execute(f"DELETE FROM {self._table(plan.target)}")
        elif plan.mode == "upsert":
            self._check_unique_keys(plan, staging)
            self._execute(self._delete_matching(plan, staging))
        names = ", ".join(quote_ident(c.name) for c in plan.columns)
        values = ", ".join(self._staged(staging, c) for c in plan.columns)
        target = self._table(plan.target)
        self._execute(f"INSERT INTO {target} ({names}) SELECT {values} FROM {staging}")
        loaded_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        self._record(plan, count, loaded_at)
        self._execute(f"DROP TABLE {staging}")
        self._commit()
        return LoadResult(plan.load_id, plan.target, plan.mode, count, loaded_at, False, changes)

    def _ensure_target(self, plan: LoadPlan) -> list[str]:
        """Create the target, or re-check it (it may have changed since the plan was made) and
        make the changes the plan allows; returns them, described."""
        existing = self._describe(plan.target)
        if existing is None:
            self._execute(ddl_for(plan.target, plan.columns, self.dialect, schema=self._schema))
            return []
        changes = self._diff(plan, existing).changes
        if changes:
            self._apply_changes(plan.target, existing, changes)
        return describe(changes)

    def _apply_changes(
        self, target: str, existing: list[ColumnSpec], changes: list[SchemaChange]
    ) -> None:
        """Widen and add columns inside the publish transaction (Redshift and PostgreSQL
        alter in place; SQLite overrides this)."""
        for change in changes:
            self._execute(change.sql(self._table(target)))

    def _check_unique_keys(self, plan: LoadPlan, staging: str) -> None:
        by_name = {c.name: c for c in plan.columns}
        keys = ", ".join(self._staged(staging, by_name[k]) for k in plan.keys)
        sql = f"SELECT {keys}, COUNT(*) FROM {staging} GROUP BY {keys} HAVING COUNT(*) > 1"
        duplicate = self._query(sql + " LIMIT 1")
        if duplicate:
            *values, times = duplicate[0]
            raise duplicate_key_error(plan, values, times)

    def _abort(self, staging: str) -> None:
        """Roll back and make sure staging is gone; the connection may already be dead."""
        with contextlib.suppress(Exception):
            self._rollback()
        with contextlib.suppress(Exception):
            self._execute(f"DROP TABLE IF EXISTS {staging}")
            self._commit()

    # -- ledger -----------------------------------------------------------------------------
    @property
    def _schema(self) -> str:
        return ""

    def _ensure_ledger(self) -> None:
        """Create the ledger inside the publish transaction: a load that fails leaves none."""
        ddl = ddl_for(LEDGER_TABLE, LEDGER_COLUMNS, self.dialect, schema=self._schema)
        self._execute(ddl.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS", 1))

    def _ledger_entry(self, load_id: str) -> LoadResult | None:
        if self._describe(LEDGER_TABLE) is None:
            return None
        sql = (
            f"SELECT target, mode, row_count, loaded_at FROM {self._table(LEDGER_TABLE)} "
            f"WHERE load_id = {self.param}"
        )
        found = self._query(sql, [load_id])
        if not found:
            return None
        target, mode, rows, loaded_at = found[0]
        if isinstance(loaded_at, str):
            loaded_at = datetime.fromisoformat(loaded_at)
        return LoadResult(load_id, target, mode, int(rows), loaded_at, skipped=True)

    def _record(self, plan: LoadPlan, count: int, loaded_at: datetime) -> None:
        marks = ", ".join([self.param] * 5)
        values = [plan.load_id, plan.target, plan.mode, count, loaded_at.isoformat(sep=" ")]
        self._execute(f"INSERT INTO {self._table(LEDGER_TABLE)} VALUES ({marks})", values)


def _prepend(head: list, rest: Iterator[list]) -> Iterator[list]:
    """The iterator again, with the item already taken from it in front."""
    yield head
    yield from rest
