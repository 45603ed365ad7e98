"""The warehouse interface the load service talks to, and the values it passes around."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Literal, NamedTuple, Protocol, runtime_checkable

from .columns import ColumnSpec

Mode = Literal["append", "replace", "upsert"]
MODES: tuple[Mode, ...] = ("append", "replace", "upsert")
LEDGER_TABLE = "_load_ledger"
STAGING_PREFIX = "_stg_"


@dataclass(frozen=True)
class TableInfo:
    name: str
    row_count: int
    columns: list[ColumnSpec] = field(default_factory=list)


@dataclass(frozen=True)
class Preview:
    columns: list[str]
    rows: list[tuple[object, ...]]


@dataclass(frozen=True)
class LoadResult:
    """What a published load did. `skipped` means this load_id had already been published:
    nothing was written and the figures are the recorded ones."""

    load_id: str
    target: str
    mode: str
    rows: int
    loaded_at: datetime
    skipped: bool = False
    schema_changes: list[str] = field(default_factory=list)  # what it changed in the table


@dataclass(frozen=True)
class LoadProgress:
    phase: Literal["staging", "publishing", "done"]
    rows: int  # rows staged so far (staging) or in the load (publishing, done)


class SourceRow(NamedTuple):
    """A row that knows where it came from, so errors can name the CSV file and line."""

    values: Sequence[object]
    row: int
    source: str = ""


ProgressCallback = Callable[[LoadProgress], None]


@runtime_checkable
class Warehouse(Protocol):
    """A place tables are loaded into. All errors raised are `errors.WarehouseError`s."""

    dialect: str

    def list_tables(self) -> list[TableInfo]:
        """User tables (not the ledger or staging tables) with row counts and columns."""
        ...

    def preview(self, table: str, limit: int = 50) -> Preview: ...

    def table_exists(self, table: str) -> bool: ...

    def table_columns(self, table: str) -> list[ColumnSpec] | None:
        """The table's columns and types, or None when it doesn't exist."""
        ...

    def load(
        self,
        *,
        target: str,
        columns: Sequence[ColumnSpec],
        rows: Iterable[Sequence[object] | SourceRow],
        mode: Mode = "append",
        keys: Sequence[str] = (),
        load_id: str,
        on_progress: ProgressCallback | None = None,
        first_row: int = 2,
        evolve: bool = False,
        longest: Mapping[str, int] | None = None,
    ) -> LoadResult:
        """Load rows into `target`, all or nothing, once per `load_id`.

        Rows are raw values (CSV text or Python values), converted to `columns`' types (or to
        the existing table's). Plain rows are numbered from `first_row` (the header is row 1)
        in error messages; SourceRow carries its own number and file name. With `evolve`, a
        text column too narrow for the longest value (`longest`, UTF-8 bytes per column) is
        widened and a new column added in the load's transaction (evolution.py); otherwise
        either is refused before anything is written.
        """
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Warehouse: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
