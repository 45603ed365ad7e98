"""Value conversion: raw CSV text (or Python values) to the canonical value of a column type.

Each converter raises CoercionError with a reason a person can read; the backends wrap it
into ValueDoesNotFit with the table, row and column. Empty strings become NULL.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from .columns import MAX_VARCHAR_BYTES, ColumnSpec

Converter = Callable[[object], object]
TRUE_TOKENS = frozenset({"true", "t", "yes", "y"})
FALSE_TOKENS = frozenset({"false", "f", "no", "n"})
INT_RANGES = {
    "BIGINT": (-(2**63), 2**63 - 1),
    "INTEGER": (-(2**31), 2**31 - 1),
    "SMALLINT": (-(2**15), 2**15 - 1),
}
_INT_RE = re.compile(r"[+-]?\d+\Z", re.ASCII)
# The canonical forms, for inference and loading alike: an ISO date, and an ISO date with a
# time. A TIMESTAMP column also takes a bare date (midnight).
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z", re.ASCII)
ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?\Z", re.ASCII)


class CoercionError(ValueError):
    """The value doesn't fit; str() completes 'value X ...', e.g. 'is not a whole number'.

    Chunk encoders fill in where: the row's index in the chunk, the column and the value.
    """

    index: int | None = None
    column: str | None = None
    value: object = None


def coerce(value: object, column: ColumnSpec) -> object:
    """The canonical Python value of `value` in `column`'s type (None for NULL)."""
    return converter_for(column)(value)


@lru_cache(maxsize=256)
def converter_for(column: ColumnSpec) -> Converter:
    """A fast converter for one column: build once, call per value."""
    kind = column.kind
    if kind in INT_RANGES:
        return _int_converter(*INT_RANGES[kind], kind)
    if kind in ("DOUBLE PRECISION", "REAL"):
        return _to_float
    if kind == "NUMERIC":
        return _numeric_converter(column.precision or 18, column.scale or 0)
    if kind == "BOOLEAN":
        return _to_bool
    if kind == "DATE":
        return _to_date
    if kind == "TIMESTAMP":
        return _to_timestamp
    if kind == "VARCHAR":
        return _varchar_converter(column.length or MAX_VARCHAR_BYTES)
    raise CoercionError(f"can't be loaded: column type {kind} is not supported")


def _int_converter(low: int, high: int, kind: str) -> Converter:
    def convert(value: object) -> int | None:
        if value is None or _blank(value):
            return None
        if isinstance(value, str):
            value = value.strip()  # padded numbers are common in CSV exports
            if not _INT_RE.match(value):
                raise CoercionError("is not a whole number")
            number = int(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, float | Decimal) and value == int(value):
            number = int(value)
        else:
            raise CoercionError("is not a whole number")
        if not low <= number <= high:
            raise CoercionError(f"is out of range for {kind}")
        return number

    return convert


def _to_float(value: object) -> float | None:
    if value is None or _blank(value):
        return None
    if isinstance(value, bool):
        raise CoercionError("is not a number")
    if isinstance(value, str) and "_" in value:
        raise CoercionError("is not a number")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CoercionError("is not a number") from None
    if not math.isfinite(number):
        raise CoercionError("is not a finite number")
    return number


def _numeric_converter(precision: int, scale: int) -> Converter:
    limit = Decimal(10) ** (precision - scale)
    step = Decimal(1).scaleb(-scale)
    numeric = f"NUMERIC({precision},{scale})"

    def convert(value: object) -> Decimal | None:
        if value is None or _blank(value):
            return None
        if isinstance(value, float):
            value = repr(value)  # the shortest text that round-trips, not the binary expansion
        if isinstance(value, bool) or (isinstance(value, str) and "_" in value):
            raise CoercionError("is not a decimal number")
        try:
            number = Decimal(value.strip() if isinstance(value, str) else value)  # type: ignore[arg-type]
        except (InvalidOperation, TypeError, ValueError):
            raise CoercionError("is not a decimal number") from None
        if not number.is_finite():
            raise CoercionError("is not a finite number")
        if number != number.quantize(step, rounding="ROUND_DOWN"):
            raise CoercionError(
                f"has more than {scale} decimal places for NUMERIC({precision},{scale})"
            )
        if abs(number) >= limit:
            raise CoercionError(f"is too large for {numeric}")
        return number.quantize(step)

    return convert


def _to_bool(value: object) -> bool | None:
    if value is None or _blank(value):
        return None
    if isinstance(value, bool):
        return value
    token = value.strip().lower() if isinstance(value, str) else None
    if token in TRUE_TOKENS:
        return True
    if token in FALSE_TOKENS:
        return False
    raise CoercionError("is not true/false (expected true, false, yes, no, t, f, y or n)")


def _to_date(value: object) -> date | None:
    if value is None or _blank(value):
        return None
    if isinstance(value, datetime):
        if value.time() != datetime.min.time() or value.tzinfo is not None:
            raise CoercionError("has a time of day; the column is a DATE")
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and ISO_DATE.match(value := value.strip()):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise CoercionError("is not a valid calendar date") from None
    raise CoercionError("is not a date in YYYY-MM-DD form")


def _to_timestamp(value: object) -> datetime | None:
    if value is None or _blank(value):
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise CoercionError("has a time zone; the column is a TIMESTAMP without time zone")
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str) and _iso_date_or_timestamp(value := value.strip()):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise CoercionError("is not a valid date and time") from None
    raise CoercionError("is not a timestamp in YYYY-MM-DD HH:MM:SS form")


def _varchar_converter(max_bytes: int) -> Converter:
    def convert(value: object) -> str | None:
        if value is None or value == "":
            return None
        text = value if isinstance(value, str) else to_text(value)
        if "\x00" in text:
            raise CoercionError("contains a NUL character, which the warehouse can't store")
        size = len(text) if text.isascii() else len(text.encode("utf-8"))
        if size > max_bytes:
            raise CoercionError(f"is {size} bytes long, more than VARCHAR({max_bytes}) holds")
        return text

    return convert


def _blank(value: object) -> bool:
    return isinstance(value, str) and not value.strip()


def to_text(value: object) -> str:
    """Canonical text of a converted value: what the warehouse parses back to the same value."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _iso_date_or_timestamp(text: str) -> bool:
    return bool(ISO_DATE.match(text) or ISO_TIMESTAMP.match(text))
