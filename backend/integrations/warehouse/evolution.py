"""A table that grows: how the data's columns compare with the table already in the warehouse.

Two changes are safe to make during a load, inside its transaction: widening a VARCHAR that a
longer value no longer fits (Redshift allows ALTER COLUMN ... TYPE VARCHAR(n) for exactly
this), and adding a column the data has and the table lacks (nullable, so the rows already
there read NULL in it). Anything else (a narrower or other type, a column the data lacks)
is refused before the load, with what to do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .columns import MAX_VARCHAR_BYTES, ColumnSpec, accepts
from .schema import quote_ident


@dataclass(frozen=True)
class SchemaChange:
    action: str  # "widen" or "add"
    column: ColumnSpec  # the column as it will be
    old: ColumnSpec | None = None  # "widen": the column as it is

    def describe(self, *, done: bool = True) -> str:
        widen, add = ("widened", "added") if done else ("widen", "add")
        if self.action == "widen" and self.old is not None:
            return f"{widen} {self.column.name} from {self.old.sql_type} to {self.column.sql_type}"
        return f"{add} column {self.column.name} {self.column.sql_type}"

    def refusal(self, table: str) -> str:
        """Why a load that may not change the table is refused, and what to do."""
        name = self.column.name
        if self.action == "add" or self.old is None:
            what = f"column {name!r} is in the data but not in the table"
        else:
            what = f"column {name!r} holds values longer than its {self.old.sql_type} allows"
        return (
            f"{what}: allow schema changes in the bundle's settings, or change the table "
            f"yourself ({self.sql(table)})"
        )

    def sql(self, table: str) -> str:
        """The statement for Redshift and PostgreSQL (`table` quoted and qualified)."""
        name = quote_ident(self.column.name)
        if self.action == "widen":
            return f"ALTER TABLE {table} ALTER COLUMN {name} TYPE {self.column.sql_type}"
        return f"ALTER TABLE {table} ADD COLUMN {name} {self.column.sql_type}"


@dataclass(frozen=True)
class SchemaDiff:
    columns: list[ColumnSpec]  # what the load writes, in the data's order
    changes: list[SchemaChange] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # each says what to do


def schema_diff(
    existing: Sequence[ColumnSpec],
    incoming: Sequence[ColumnSpec],
    longest: Mapping[str, int] | None = None,
) -> SchemaDiff:
    """Compare the data's columns (with the longest value of each, in UTF-8 bytes, where
    known) with the existing table's."""
    have = {c.name: c for c in existing}
    wanted = {c.name for c in incoming}
    refusals = [
        f"column {name!r} is in the table but not in the data: add it to the files, or load "
        "into another table"
        for name in have
        if name not in wanted
    ]
    columns, changes = [], []
    for column in incoming:
        old = have.get(column.name)
        if old is None:
            changes.append(SchemaChange("add", column))
            columns.append(column)
            continue
        problem = _type_problem(old, column)
        if problem:
            refusals.append(problem)
        size = (longest or {}).get(column.name, 0)
        if old.kind == "VARCHAR" and size > (old.length or MAX_VARCHAR_BYTES):
            wider = ColumnSpec(old.name, "VARCHAR", length=_wider(old, column, size))
            changes.append(SchemaChange("widen", wider, old))
            old = wider
        columns.append(old)
    return SchemaDiff(columns, changes, refusals)


def _wider(old: ColumnSpec, column: ColumnSpec, size: int) -> int:
    """The data's own width (which has headroom) when it is text, else the longest value's."""
    if column.kind == "VARCHAR" and column.length:
        return max(column.length, size)
    return size


def _type_problem(old: ColumnSpec, new: ColumnSpec) -> str:
    """A type the existing column can't take. Precision and scale are not compared: each
    value is checked against the existing column on load, which names its row."""
    if not accepts(old, new):
        return (
            f"column {new.name!r} is {old.sql_type} in the table, the data needs "
            f"{new.sql_type}: set the column's type to {old.sql_type} on the Schema tab if "
            "its values fit it, fix the values, or load into another table"
        )
    return ""


def describe(changes: Sequence[SchemaChange]) -> list[str]:
    return [change.describe() for change in changes]
