"""Column-at-a-time text encoding for staging: canonical text per value, '' for NULL.

A chunk of rows is turned into columns and each column is checked in bulk with C-level
operations (int/float/fromisoformat over the whole column, then "does it print back the
same?"). When the whole column is already canonical, it is sent as is; otherwise every value
goes through the per-value converter, which canonicalises it or says why it doesn't fit.
Bulk checks only accept text the warehouse reads as the value the per-value path would send.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime

from .coercion import CoercionError, converter_for, to_text
from .columns import MAX_VARCHAR_BYTES, ColumnSpec

Column = Sequence[object]
BulkCheck = Callable[[list[str]], bool]
_BOOL_TEXT = frozenset({"true", "false"})
_INT_DIGITS = {"BIGINT": 19, "INTEGER": 10, "SMALLINT": 5}
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_TIME = r"[0-9]{2}:[0-9]{2}:[0-9]{2}"
_MANTISSA = r"[-+]?(?:[0-9]{1,20}(?:\.[0-9]{0,20})?|\.[0-9]{1,20})"
_DOUBLE = _MANTISSA + r"(?:[eE][-+]?[0-9]{1,2})?"


def value_encoder(column: ColumnSpec) -> Callable[[object], str]:
    """Per value: canonical text, '' for NULL; raises CoercionError."""
    convert = converter_for(column)

    def encode(value: object) -> str:
        converted = convert(value)
        return "" if converted is None else to_text(converted)

    return encode


class ColumnEncoder:
    def __init__(self, column: ColumnSpec) -> None:
        self.column = column
        self.one = value_encoder(column)
        self.bulk = _bulk_check(column)

    def encode(self, values: Column) -> Column:
        """The column's staged texts; CoercionError carries the failing index and value."""
        try:
            "".join(values)  # type: ignore[arg-type]  # raises unless every value is a str
            texts = [v for v in values if v] if "" in values else list(values)
            if self.bulk is not None and self.bulk(texts):  # type: ignore[arg-type]
                return values
        except (TypeError, ValueError, ArithmeticError):
            pass  # not plain canonical text: the per-value path decides
        return self._one_by_one(values)

    def _one_by_one(self, values: Column) -> list[str]:
        out = []
        for index, value in enumerate(values):
            try:
                out.append(self.one(value))
            except CoercionError as exc:
                exc.index, exc.column, exc.value = index, self.column.name, value
                raise
        return out


def _bulk_check(column: ColumnSpec) -> BulkCheck | None:
    kind = column.kind
    if kind in _INT_DIGITS:
        # Up to one digit fewer than the type's maximum: always in range, no parsing needed.
        return _lines_match(rf"-?(?:0|[1-9][0-9]{{0,{_INT_DIGITS[kind] - 2}}})")
    if kind == "DOUBLE PRECISION":
        # Bounded digits and exponent: the magnitude stays far from overflow or underflow,
        # and the server rounds the text to the same double Python would.
        return _lines_match(_DOUBLE)
    if kind == "NUMERIC":
        return _numeric_check(column.precision or 18, column.scale or 0)
    if kind == "BOOLEAN":
        return lambda texts: set(texts) <= _BOOL_TEXT
    if kind == "DATE":
        return _valid(_lines_match(_DATE), date.fromisoformat)
    if kind == "TIMESTAMP":
        return _valid(_lines_match(rf"{_DATE} {_TIME}(?:\.[0-9]{{6}})?"), datetime.fromisoformat)
    if kind == "VARCHAR":
        limit = column.length or MAX_VARCHAR_BYTES
        return lambda texts: _fits_varchar(texts, limit)
    return None  # REAL and others: value by value


def _lines_match(one: str) -> BulkCheck:
    """All texts match `one` exactly: one regex pass over the newline-joined column."""
    pattern = re.compile(rf"(?:{one})(?:\n(?:{one}))*")

    def check(texts: list[str]) -> bool:
        joined = "\n".join(texts)
        if joined.count("\n") != len(texts) - 1:
            return False  # a value holds a newline itself
        return not texts or pattern.fullmatch(joined) is not None

    return check


def _valid(layout: BulkCheck, parse: Callable[[str], object]) -> BulkCheck:
    """Canonical layout, and a real date (parse raises on 2023-02-29 and the like)."""

    def check(texts: list[str]) -> bool:
        if not layout(texts):
            return False
        list(map(parse, texts))
        return True

    return check


def _numeric_check(precision: int, scale: int) -> BulkCheck:
    whole = max(precision - scale, 0)
    integer = rf"-?(?:0|[1-9][0-9]{{0,{whole - 1}}})" if whole else "-?0"
    fraction = rf"(?:\.[0-9]{{1,{scale}}})?" if scale else ""
    return _lines_match(integer + fraction)


def _fits_varchar(texts: list[str], limit: int) -> bool:
    joined = "".join(texts)
    if "\x00" in joined:
        return False
    if joined.isascii():
        return max(map(len, texts), default=0) <= limit
    return max(map(len, map(str.encode, texts)), default=0) <= limit


def encode_chunk(encoders: list[ColumnEncoder], rows: Sequence[Sequence[object]]) -> list[Column]:
    """Columns of canonical texts for a chunk of raw rows (all of the right length)."""
    return [enc.encode(col) for enc, col in zip(encoders, zip(*rows), strict=True)]
