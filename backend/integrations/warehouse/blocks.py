"""Inference over whole blocks of a column: one regex over the newline-joined values decides
the common cases (canonical integers and decimals, booleans, dates people write, numbers with
thousands separators, columns already known to be text); anything else goes value by value.
A block path updates exactly the facts the value-by-value path would."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from .coercion import FALSE_TOKENS, TRUE_TOKENS, to_text
from .forms import day_facts, day_parts

if TYPE_CHECKING:
    from .inference import _Column

_INT = r"-?(?:0|[1-9][0-9]{0,17})"
_DECIMAL = r"-?(?:0|[1-9][0-9]{0,37})(?:\.[0-9]{1,38})?"
_GROUPED_POINT = r"[+-]?(?:[1-9][0-9]{0,2}(?:,[0-9]{3})+|0|[1-9][0-9]*)(?:\.[0-9]+)?"
_PEOPLE_DAY = r"[0-9]{1,2}[/.-][0-9]{1,2}[/.-](?:[0-9]{4}|[0-9]{2})"  # day_parts checks more
_CLOCK_24 = r"(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"


def _lines(one: str) -> re.Pattern[str]:
    return re.compile(rf"(?:{one})(?:\n(?:{one}))*\Z", re.ASCII)


_INT_BLOCK, _DECIMAL_BLOCK, _GROUPED_BLOCK = _lines(_INT), _lines(_DECIMAL), _lines(_GROUPED_POINT)
_DATE_BLOCK = _lines(rf"{_PEOPLE_DAY}(?: {_CLOCK_24})?")
# A line reading as a number under a decimal comma too: 1.500 (one thousand five hundred).
_COMMA_NUMBER_LINE = re.compile(r"^-?\d{1,3}(?:\.\d{3})+$", re.ASCII | re.MULTILINE)
_BOOL_TOKENS = TRUE_TOKENS | FALSE_TOKENS
_WHOLE = re.compile(r"^[+-]?([0-9]*)", re.ASCII | re.MULTILINE)
_FRACTION = re.compile(r"\.([0-9]+)", re.ASCII)
_DAY_PART = re.compile(r"^[^ \n]*", re.ASCII | re.MULTILINE)


def add_block(column: _Column, values: Sequence[object]) -> None:
    """Feed one column's values of a chunk of rows."""
    try:
        joined = "\n".join(values)  # type: ignore[arg-type]  # raises unless all are str
    except TypeError:
        joined = None
    if joined is None or joined.count("\n") != len(values) - 1:
        for value in values:
            if value is not None and value != "":
                column.add(value if isinstance(value, str) else to_text(value))
        return
    # The join above proved every value a str.
    texts = cast(Sequence[str], [v for v in values if v] if "" in values else values)
    if texts and not _by_block(column, texts, "\n".join(texts)):
        for text in texts:
            column.add(text)


def _by_block(column: _Column, texts: Sequence[str], block: str) -> bool:
    if column.dead():
        _width(column, texts)
    elif column.canonical.ok and column.tokens is None and _INT_BLOCK.match(block):
        _integers(column, texts)
    elif _canonical_decimals(column, block):
        _decimals(column, texts, block)
    elif column.tokens is not None and (tokens := _bool_tokens(texts)) is not None:
        _booleans(column, texts, tokens)
    elif _only(column, "people_dates") and _DATE_BLOCK.match(block):
        _people_dates(column, texts, block)
    elif _only(column, "grouped") and _GROUPED_BLOCK.match(block):
        _grouped_points(column, texts, block)
    else:
        return False
    return True


def _only(column: _Column, reading: str) -> bool:
    """Only this reading of the column is still possible."""
    grouped = [mark for mark, numbers in column.grouped.items() if numbers.ok]
    alive = {
        "tokens": column.tokens is not None,
        "canonical": column.canonical.ok,
        "grouped": grouped == ["."],
        "iso": column.timestamps,
        "people_dates": column.people_dates.ok,
    }
    if reading == "grouped" and grouped and grouped != ["."]:
        return False
    return alive[reading] and not any(v for k, v in alive.items() if k != reading)


def _width(column: _Column, texts: Sequence[str]) -> None:
    column.values += len(texts)
    joined = "".join(texts)
    size = max(map(len, texts)) if joined.isascii() else max(len(t.encode()) for t in texts)
    column.max_bytes = max(column.max_bytes, size)


def _not_dates(column: _Column) -> None:
    column.tokens = None
    column.dates = column.timestamps = column.people_dates.ok = False


def _integers(column: _Column, texts: Sequence[str]) -> None:
    """Canonical integers of at most 18 digits."""
    _width(column, texts)
    digits = max(len(t) - (t[0] == "-") for t in texts)
    for numbers in (column.canonical, *column.grouped.values()):
        numbers.digits = max(numbers.digits, digits)
    _not_dates(column)


def _canonical_decimals(column: _Column, block: str) -> bool:
    return (
        column.canonical.ok
        and column.grouped["."].ok
        and _DECIMAL_BLOCK.match(block) is not None
        and _COMMA_NUMBER_LINE.search(block) is None
    )


def _decimals(column: _Column, texts: Sequence[str], block: str) -> None:
    """Canonical decimals none of which reads as a number with a decimal comma (1.500 would:
    those are left to the value-by-value path)."""
    _width(column, texts)
    _fractions(column, block, canonical=True)
    _not_dates(column)


def _fractions(column: _Column, block: str, *, canonical: bool) -> None:
    """Digits before and after the point, over a block of plain decimals (one per line)."""
    wholes = _WHOLE.findall(block)
    digits = max(map(len, wholes))
    if digits == 1 and set(wholes) <= {"0", ""}:
        digits = 0  # 0.5 has no whole digits (the blocks' patterns allow no other leading 0)
    fractions = _FRACTION.findall(block)
    scale = max(map(len, fractions), default=0)
    dotted = bool(fractions)
    readings = [column.grouped["."]] + ([column.canonical] if canonical else [])
    if "," in column.grouped:
        if dotted:
            column.grouped[","].ok = False  # 12.5 is no number with a decimal comma
        else:
            readings.append(column.grouped[","])  # whole numbers read the same either way
    for numbers in readings:
        numbers.digits, numbers.scale = max(numbers.digits, digits), max(numbers.scale, scale)
        numbers.integer = numbers.integer and not dotted


def _grouped_points(column: _Column, texts: Sequence[str], block: str) -> None:
    """Numbers with thousands separators and a decimal point, when nothing else is possible."""
    _width(column, texts)
    _fractions(column, block.replace(",", ""), canonical=False)


def _bool_tokens(texts: Sequence[str]) -> set[str] | None:
    tokens = {t.strip().lower() for t in set(texts)}
    return tokens if tokens <= _BOOL_TOKENS else None


def _booleans(column: _Column, texts: Sequence[str], tokens: set[str]) -> None:
    _width(column, texts)
    column.tokens = None if column.tokens is None else column.tokens | tokens
    column.canonical.ok = False
    for numbers in column.grouped.values():
        numbers.ok = False
    column.dates = column.timestamps = column.people_dates.ok = False


def _people_dates(column: _Column, texts: Sequence[str], block: str) -> None:
    """Dates (and 24-hour times) as people write them: few distinct days, each read once."""
    _width(column, texts)
    dates = column.people_dates
    heads = set(_DAY_PART.findall(block))
    dates.timed = dates.timed or " " in block
    for head in heads:
        day = day_parts(head)
        if day is None:
            dates.ok = False
            return
        mdy, dmy, differ = day_facts(day)
        dates.mdy, dates.dmy = dates.mdy and mdy, dates.dmy and dmy
        dates.differ = dates.differ or differ
    dates.ok = dates.mdy or dates.dmy
