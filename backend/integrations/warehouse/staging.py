"""How rows reach Redshift's (typed, TEMP) staging table.

Rows travel as a few text "lines" each, one bind parameter per line, in multi-row INSERTs
into a TEMP line table; every segment of rows is then split and cast into the typed staging
table by one INSERT ... SELECT, and the line table is dropped. The server converts a segment
while Python encodes the next, and publishing is a plain copy from typed staging.

Measured against PostgreSQL: the driver's per-parameter cost and the server's cost of wide
VALUES lists both grow with parameters per row (12 parameters a row: ~20k rows/s at best,
even from psycopg; one line a row: 200k+ rows/s), so rows are packed into as few
VARCHAR(65535) lines as fit (usually one), fields joined by the US control character (0x1F)
and read back with SPLIT_PART. Narrow fields go first so SPLIT_PART scans little. A field
holding US or RS (0x1E) itself is escaped (RS+'d', RS+'e') and unescaped with REPLACE.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol, cast

from .batching import batches, text_sizes
from .chunks import Assembler
from .columns import MAX_VARCHAR_BYTES, ColumnSpec
from .copy_errors import Origins
from .errors import WarehouseError
from .schema import quote_ident
from .sender import Sender


class StagingTarget(Protocol):
    """What a stager uses of the warehouse it stages into (RedshiftWarehouse): its limits,
    its statements, its error translation and the load's target and row origins."""

    max_batch_rows: int
    max_batch_bytes: int
    _target: str
    _origins: Origins

    def _execute(self, sql: str, params: Sequence[object] | None = None) -> None: ...

    def _query(self, sql: str, params: Sequence[object] | None = None) -> list[tuple]: ...

    def _translate(self, exc: BaseException) -> WarehouseError: ...

    def _rollback(self) -> None: ...


US, RS = "\x1f", "\x1e"
MAX_BIND_PARAMS = 32767  # per statement, in Redshift and PostgreSQL alike
STAGED_TEXT_BYTES = 64  # canonical text of any number, date or timestamp fits
PLACEHOLDER_BYTES = 7 + 4  # "$32767," in the SQL text + the length word of each bound value


def staged_bytes(column: ColumnSpec) -> int:
    if column.kind == "VARCHAR":
        return column.length or MAX_VARCHAR_BYTES
    return STAGED_TEXT_BYTES


class StagingLayout:
    """Which columns share which staged line; tracks which fields needed escaping."""

    def __init__(self, columns: Sequence[ColumnSpec]) -> None:
        self.columns = list(columns)
        self.groups = _pack(self.columns)
        self.escaped: set[int] = set()

    def ddl(self, lines_table: str) -> str:
        lines = ", ".join(f"line_{n} VARCHAR({self._width(g)})" for n, g in enumerate(self.groups))
        return f"CREATE TEMP TABLE {lines_table} ({lines})"

    def convert(self, lines_table: str, staging: str) -> str:
        """INSERT ... SELECT moving a line table's rows into typed staging."""
        names = ", ".join(quote_ident(c.name) for c in self.columns)
        values = ", ".join(self._typed(lines_table, c) for c in self.columns)
        return f"INSERT INTO {staging} ({names}) SELECT {values} FROM {lines_table}"

    def _typed(self, lines_table: str, column: ColumnSpec) -> str:
        value = f"NULLIF({self.expression(lines_table, column)}, '')"
        return value if column.kind == "VARCHAR" else f"{value}::{column.sql_type}"

    def _width(self, group: list[int]) -> int:
        size = sum(staged_bytes(self.columns[i]) for i in group) + len(group) - 1
        return min(size, MAX_VARCHAR_BYTES)

    def rows(self, columns: list[Sequence[str]]) -> list[tuple[str, ...]]:
        """Staged rows (one text per line) from a chunk's encoded columns."""
        lines = []
        for group in self.groups:
            if len(group) == 1:
                lines.append(columns[group[0]])
                continue
            joined = list(map(US.join, zip(*[columns[i] for i in group], strict=True)))
            whole = "".join(joined)
            if whole.count(US) != (len(group) - 1) * len(joined) or RS in whole:
                fields = [self._escape(i, columns[i]) for i in group]  # rare: escape, redo
                joined = list(map(US.join, zip(*fields, strict=True)))
            lines.append(joined)
        return list(zip(*lines, strict=True))

    def _escape(self, index: int, values: Sequence[str]) -> Sequence[str]:
        if self.columns[index].kind != "VARCHAR":
            return values  # canonical numbers and dates never hold control characters
        joined = "".join(values)
        if US not in joined and RS not in joined:
            return values
        self.escaped.add(index)
        return [v.replace(RS, RS + "e").replace(US, RS + "d") for v in values]

    def expression(self, lines_table: str, column: ColumnSpec) -> str:
        """SQL reading one column back from a line table as text, '' for NULL."""
        index = self.columns.index(column)
        number, group = next((n, g) for n, g in enumerate(self.groups) if index in g)
        value = f"{lines_table}.line_{number}"
        if len(group) > 1:
            value = f"SPLIT_PART({value}, '{US}', {group.index(index) + 1})"
            if index in self.escaped:
                value = f"REPLACE(REPLACE({value}, '{RS}d', '{US}'), '{RS}e', '{RS}')"
        return value


def _pack(columns: list[ColumnSpec]) -> list[list[int]]:
    """Greedy: columns by staged width, narrow first, into lines of at most 65535 bytes."""
    groups: list[list[int]] = []
    size = MAX_VARCHAR_BYTES + 1
    for index in sorted(range(len(columns)), key=lambda i: staged_bytes(columns[i])):
        width = staged_bytes(columns[index])
        if size + 1 + width > MAX_VARCHAR_BYTES:
            groups.append([])
            size = -1
        groups[-1].append(index)
        size += 1 + width
    return groups


class Stager(Protocol):
    """Fills the typed staging table; returns the number of rows staged.

    The default sends multi-row INSERTs; with S3 staging configured, copy_stager's
    S3CopyStager writes gzip CSV parts and COPYs them. Either stays inside the load's
    transaction, so publishing is unchanged.
    """

    tracks_origins: bool  # the load keeps each row's source for errors found after staging

    def assembler(self, layout: StagingLayout) -> Assembler:
        """Encoded columns -> the rows stage() receives."""
        ...

    def stage(
        self,
        warehouse: StagingTarget,
        staging: str,
        layout: StagingLayout,
        chunks: Iterator[list[Sequence[str]]],
        on_batch: Callable[[int], None],
    ) -> int: ...


class InsertStager:
    """Multi-row INSERT batches within the warehouse's max_batch_bytes (default: Redshift's
    16 MB statement limit), its max_batch_rows and the bind-parameter limit; a conversion
    into typed staging every `segment_rows` rows."""

    tracks_origins = False  # every bad value is caught while encoding, before it is sent

    def __init__(self, segment_rows: int = 65536) -> None:
        self.segment_rows = segment_rows

    def assembler(self, layout: StagingLayout) -> Assembler:
        # Encoded columns hold canonical text only, which is what layout.rows takes.
        return cast(Assembler, layout.rows)

    def stage(
        self,
        warehouse: StagingTarget,
        staging: str,
        layout: StagingLayout,
        chunks: Iterator[list[Sequence[str]]],
        on_batch: Callable[[int], None],
    ) -> int:
        width = len(layout.groups)
        groups = batches(
            chunks,
            max_rows=min(warehouse.max_batch_rows, MAX_BIND_PARAMS // width),
            max_bytes=warehouse.max_batch_bytes - len(f"INSERT INTO {staging}_lines VALUES "),
            sizes=lambda rows: text_sizes(rows, width * PLACEHOLDER_BYTES + 3),
        )
        # Deep enough for Python to keep encoding while the server converts a segment.
        with Sender(warehouse._execute, depth=64) as sender:
            segments = _Segments(sender, staging, layout, self.segment_rows)
            for group in groups:
                segments.insert(group)
                on_batch(sender.executed)
            segments.close()
        on_batch(sender.executed)
        return sender.executed


class _Segments:
    """One line table at a time (always the same name, so every batch statement keeps the
    same SQL text), converted into typed staging and dropped once it holds a segment."""

    def __init__(self, sender: Sender, staging: str, layout: StagingLayout, size: int) -> None:
        self.sender, self.staging, self.layout, self.size = sender, staging, layout, size
        self.table = f"{staging}_lines"
        self.rows = 0
        self.row_sql = "(" + ",".join(["%s"] * len(layout.groups)) + ")"
        self.statements: dict[int, str] = {}  # by row count: batch sizes are powers of two

    def insert(self, group: list[Sequence[str]]) -> None:
        if self.rows == 0:
            self.sender.send(self.layout.ddl(self.table), (), 0)
        count = len(group)
        if count not in self.statements:
            values = ",".join([self.row_sql] * count)
            self.statements[count] = f"INSERT INTO {self.table} VALUES {values}"
        params = list(itertools.chain.from_iterable(group))
        self.sender.send(self.statements[count], params, count)
        self.rows += count
        if self.rows >= self.size:
            self.close()

    def close(self) -> None:
        """Convert the current segment into typed staging and drop its line table."""
        if self.rows:
            self.sender.send(self.layout.convert(self.table, self.staging), (), 0)
            self.sender.send(f"DROP TABLE {self.table}", (), 0)
            self.rows = 0
