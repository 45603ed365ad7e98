"""Column specs: a name plus one of a few SQL types both backends understand."""

from __future__ import annotations

import re
from dataclasses import dataclass

INTEGER_KINDS = ("BIGINT", "INTEGER", "SMALLINT")
FLOAT_KINDS = ("DOUBLE PRECISION", "REAL")
NUMERIC_KINDS = (*INTEGER_KINDS, "NUMERIC", *FLOAT_KINDS)
MAX_VARCHAR_BYTES = 65535
MAX_NUMERIC_PRECISION = 38

# Spellings found in catalogs (information_schema, SQLite's declared types) -> our kinds.
_ALIASES = {
    "int8": "BIGINT",
    "bigint": "BIGINT",
    "int": "INTEGER",
    "int4": "INTEGER",
    "integer": "INTEGER",
    "int2": "SMALLINT",
    "smallint": "SMALLINT",
    "float8": "DOUBLE PRECISION",
    "float": "DOUBLE PRECISION",
    "double precision": "DOUBLE PRECISION",
    "float4": "REAL",
    "real": "REAL",
    "numeric": "NUMERIC",
    "decimal": "NUMERIC",
    "bool": "BOOLEAN",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "timestamp without time zone": "TIMESTAMP",
    "varchar": "VARCHAR",
    "character varying": "VARCHAR",
    "nvarchar": "VARCHAR",
    "text": "VARCHAR",
    "char": "VARCHAR",
    "character": "VARCHAR",
    "bpchar": "VARCHAR",
}
_TYPE_RE = re.compile(r"\s*([a-z][a-z0-9 ]*?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*\Z")


@dataclass(frozen=True)
class ColumnSpec:
    """One column. `kind` is BIGINT, INTEGER, SMALLINT, DOUBLE PRECISION, REAL, NUMERIC,
    BOOLEAN, DATE, TIMESTAMP or VARCHAR; anything else is a type we don't load into."""

    name: str
    kind: str
    length: int | None = None  # VARCHAR, in UTF-8 bytes (Redshift's unit); None = unbounded
    precision: int | None = None  # NUMERIC
    scale: int | None = None  # NUMERIC

    @property
    def sql_type(self) -> str:
        if self.kind == "VARCHAR" and self.length is not None:
            return f"VARCHAR({self.length})"
        if self.kind == "VARCHAR":
            return f"VARCHAR({MAX_VARCHAR_BYTES})"
        if self.kind == "NUMERIC" and self.precision is not None:
            return f"NUMERIC({self.precision},{self.scale or 0})"
        return self.kind


def parse_sql_type(name: str, declared: str) -> ColumnSpec:
    """A ColumnSpec from a catalog's type text, e.g. 'character varying(20)', 'NUMERIC(10,2)'."""
    match = _TYPE_RE.match(declared.lower())
    kind = _ALIASES.get(match.group(1)) if match else None
    if match is None or kind is None:
        return ColumnSpec(name, declared.upper())
    first = int(match.group(2)) if match.group(2) else None
    second = int(match.group(3)) if match.group(3) else None
    if kind == "VARCHAR":
        return ColumnSpec(name, kind, length=first)
    if kind == "NUMERIC":
        return ColumnSpec(name, kind, precision=first, scale=second or 0)
    return ColumnSpec(name, kind)


def accepts(existing: ColumnSpec, incoming: ColumnSpec) -> bool:
    """Can values inferred as `incoming` be loaded into an existing column of type `existing`?

    Widths are not compared here: each value is checked against the existing column when it
    is converted, so a too-long string names its row instead of failing the whole table.
    """
    if existing.kind == incoming.kind or existing.kind == "VARCHAR":
        return True
    if existing.kind in INTEGER_KINDS:
        return incoming.kind in INTEGER_KINDS
    if existing.kind in ("NUMERIC", *FLOAT_KINDS):
        return incoming.kind in NUMERIC_KINDS
    return existing.kind == "TIMESTAMP" and incoming.kind == "DATE"


def schema_differences(existing: list[ColumnSpec], incoming: list[ColumnSpec]) -> list[str]:
    """Human-readable differences; empty when `incoming` can be loaded into `existing`."""
    have = {c.name: c for c in existing}
    want = {c.name: c for c in incoming}
    diffs = [f"column {n!r} is in the data but not in the table" for n in want if n not in have]
    diffs += [f"column {n!r} is in the table but not in the data" for n in have if n not in want]
    for name, col in want.items():
        old = have.get(name)
        if old is not None and not accepts(old, col):
            diffs.append(
                f"column {name!r} is {old.sql_type} in the table, the data needs {col.sql_type}"
            )
    return diffs
