"""How rows travel to Redshift's staging table: a few text "lines" per row, one bind
parameter each, split back into columns by the one publish statement.

Measured with the real driver against PostgreSQL: the driver's per-parameter cost and the
server's cost of wide VALUES lists both grow with parameters per row, so rows are packed
into as few VARCHAR(65535) lines as fit (usually one), fields joined by the US control
character (0x1F) and read back with SPLIT_PART. Narrow fields go first so SPLIT_PART scans
little. A field holding US or RS (0x1E) itself is escaped (RS+'d', RS+'e') and unescaped
with REPLACE at publish.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Protocol

from .batching import batches, text_sizes
from .columns import MAX_VARCHAR_BYTES, ColumnSpec
from .sender import Sender

if TYPE_CHECKING:
    from .redshift import RedshiftWarehouse

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

    def ddl(self, staging: str) -> str:
        lines = ", ".join(f"line_{n} VARCHAR({self._width(g)})" for n, g in enumerate(self.groups))
        return f"CREATE TEMP TABLE {staging} ({lines})"

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

    def expression(self, staging: str, column: ColumnSpec) -> str:
        """SQL reading one column back from staging as text, '' for NULL."""
        index = self.columns.index(column)
        number, group = next((n, g) for n, g in enumerate(self.groups) if index in g)
        value = f"{staging}.line_{number}"
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
    """Fills the staging table; returns the number of rows staged.

    The default sends multi-row INSERTs. A later S3 + COPY stager plugs in here: write the
    staged rows (one field per line) as gzipped CSV parts to S3, then run
    `COPY <staging> FROM 's3://...' IAM_ROLE '...' CSV GZIP` on the warehouse's connection.
    It stays inside the load's transaction, so publishing is unchanged.
    """

    def stage(
        self,
        warehouse: RedshiftWarehouse,
        staging: str,
        width: int,
        chunks: Iterator[list[Sequence[str]]],
        on_batch: Callable[[int], None],
    ) -> int: ...


class InsertStager:
    """Multi-row INSERT batches within the warehouse's max_batch_bytes (default: Redshift's
    16 MB statement limit), its max_batch_rows and the bind-parameter limit."""

    def stage(
        self,
        warehouse: RedshiftWarehouse,
        staging: str,
        width: int,
        chunks: Iterator[list[Sequence[str]]],
        on_batch: Callable[[int], None],
    ) -> int:
        prefix = f"INSERT INTO {staging} VALUES "
        row_sql = "(" + ",".join(["%s"] * width) + ")"
        overhead = width * PLACEHOLDER_BYTES + 3
        statements: dict[int, str] = {}  # by row count: batch sizes are powers of two
        groups = batches(
            chunks,
            max_rows=min(warehouse.max_batch_rows, MAX_BIND_PARAMS // width),
            max_bytes=warehouse.max_batch_bytes - len(prefix),
            sizes=lambda rows: text_sizes(rows, overhead),
        )
        with Sender(warehouse._execute) as sender:
            for group in groups:
                sql = statements.get(len(group)) or prefix + ",".join([row_sql] * len(group))
                statements[len(group)] = sql
                sender.send(sql, list(itertools.chain.from_iterable(group)), len(group))
                on_batch(sender.executed)
        on_batch(sender.executed)
        return sender.executed
