"""Streaming type inference: one pass over rows, a few running facts per column, no row kept."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from .coercion import FALSE_TOKENS, TRUE_TOKENS, to_text
from .columns import MAX_NUMERIC_PRECISION, MAX_VARCHAR_BYTES, ColumnSpec

# Width for a column that was empty everywhere: room for the values a later load may bring.
EMPTY_COLUMN_BYTES = 256
BIGINT_DIGITS = 18  # any integer with at most 18 digits fits BIGINT without a range check
_NUMBER_RE = re.compile(r"[+-]?(\d*)(?:\.(\d*))?([eE][+-]?\d+)?\Z", re.ASCII)
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z", re.ASCII)
_TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?\Z", re.ASCII)
_BOOL_TOKENS = TRUE_TOKENS | FALSE_TOKENS


class _Column:
    """Running facts about one column. A flag, once False, stays False."""

    __slots__ = ("boolean", "dates", "int_digits", "integer", "max_bytes", "number", "plain")
    __slots__ += ("scale", "timestamps", "values")

    def __init__(self) -> None:
        self.values = 0  # non-empty values seen
        self.max_bytes = 0
        self.boolean = self.integer = self.plain = self.number = True
        self.dates = self.timestamps = True
        self.int_digits = self.scale = 0

    def add(self, text: str) -> None:
        size = len(text) if text.isascii() else len(text.encode("utf-8"))
        self.max_bytes = max(self.max_bytes, size)
        text = text.strip()
        if not text:
            return  # blank: NULL in typed columns, kept as is in VARCHAR ones
        self.values += 1
        if self.boolean and text.lower() not in _BOOL_TOKENS:
            self.boolean = False
        if self.number:
            self._add_number(text)
        if self.timestamps:
            self._add_temporal(text)

    def _add_number(self, text: str) -> None:
        match = _NUMBER_RE.match(text)
        whole, fraction, exponent = match.groups() if match else ("", None, None)
        if not (whole or fraction) or (len(whole) > 1 and whole[0] == "0"):
            # Not a number, or a code with leading zeros (zip, account): keep it as text.
            self.number = self.integer = self.plain = False
            return
        if exponent:
            self.integer = self.plain = False
            return
        digits = len(whole.lstrip("0"))
        self.int_digits = max(self.int_digits, digits)
        if fraction is not None:
            self.integer = False
            self.scale = max(self.scale, len(fraction))
        elif digits > BIGINT_DIGITS and not -(2**63) <= int(text) < 2**63:
            self.integer = False

    def _add_temporal(self, text: str) -> None:
        try:
            if _DATE_RE.match(text):
                date.fromisoformat(text)
                return
            self.dates = False
            if _TIMESTAMP_RE.match(text):
                datetime.fromisoformat(text)
                return
        except ValueError:
            pass
        self.dates = self.timestamps = False

    def spec(self, name: str) -> ColumnSpec:
        if not self.values:
            return ColumnSpec(name, "VARCHAR", length=max(self.max_bytes, EMPTY_COLUMN_BYTES))
        if self.boolean:
            return ColumnSpec(name, "BOOLEAN")
        if self.integer:
            return ColumnSpec(name, "BIGINT")
        precision = max(self.int_digits + self.scale, 1)
        if self.plain and precision <= MAX_NUMERIC_PRECISION:
            return ColumnSpec(name, "NUMERIC", precision=precision, scale=self.scale)
        if self.number and not self.plain:
            return ColumnSpec(name, "DOUBLE PRECISION")  # exponent notation: a measurement
        # Plain digits too long for NUMERIC are identifiers: text keeps every digit.
        if self.dates:
            return ColumnSpec(name, "DATE")
        if self.timestamps:
            return ColumnSpec(name, "TIMESTAMP")
        return ColumnSpec(name, "VARCHAR", length=min(max(self.max_bytes, 1), MAX_VARCHAR_BYTES))


class TypeInferrer:
    """Feed rows from every member table of a bundle, then ask for the column specs."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self._columns = [_Column() for _ in self.names]

    def update(self, row: Sequence[object]) -> None:
        for column, value in zip(self._columns, row, strict=False):
            if value is None or value == "":
                continue
            column.add(value if isinstance(value, str) else to_text(value))

    def feed(self, rows: Iterable[Sequence[object]]) -> TypeInferrer:
        for row in rows:
            self.update(row)
        return self

    def columns(self) -> list[ColumnSpec]:
        return [state.spec(name) for name, state in zip(self.names, self._columns, strict=True)]


def infer_column_types(names: Sequence[str], rows: Iterable[Sequence[object]]) -> list[ColumnSpec]:
    """Column specs for `rows` (any iterable, e.g. several member tables chained).

    Prefers, in order: BOOLEAN, BIGINT, NUMERIC(p,s), DOUBLE PRECISION, DATE, TIMESTAMP,
    VARCHAR(longest value in UTF-8 bytes, at most 65535). Empty strings are NULL.
    """
    return TypeInferrer(names).feed(rows).columns()
