"""Numbers and dates as people write them, read as exactly the value they mean.

- Numbers with thousands separators, under the file's decimal mark: `1,234,567.89` ('.') or
  `1.234.567,89` (','); plain digits are numbers under either mark.
- Dates month-first or day-first with a 2- or 4-digit year (`3/30/12`, `30.03.2012`), and
  timestamps written that way (`5/19/2006 0:00:00`, `5/19/2006 2:05 PM`). A 2-digit year is
  read as C's strptime does: 69-99 are 1969-1999, 00-68 are 2000-2068.

Each reader returns the canonical text the warehouse parses (`6718`, `2012-03-30`), or the
value unchanged when it isn't in the form, so the load's own check names it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache

DECIMAL_MARKS = (".", ",")
MONTH_FIRST, DAY_FIRST = "month-first", "day-first"
DATE_ORDERS = (MONTH_FIRST, DAY_FIRST)
NUMBER_FORM, DATE_FORM = "number", "date"
_GROUPED_TEXT = {
    ".": r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?",
    ",": r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?",
}
_GROUPED = {mark: re.compile(rf"{text}\Z", re.ASCII) for mark, text in _GROUPED_TEXT.items()}
_GROUPED_LINES = {
    mark: re.compile(rf"(?:{text})(?:\n(?:{text}))*\Z", re.ASCII)
    for mark, text in _GROUPED_TEXT.items()
}
_CANONICAL_CLOCK = re.compile(r"(?:[0-9]|[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\Z", re.ASCII)
ColumnReader = Callable[[list[str]], list[str]]
_GROUP_SEPARATOR = {".": ",", ",": "."}
_DAY = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})\Z", re.ASCII)
_CLOCK = re.compile(
    r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(?: ?([AaPp][Mm]))?\Z", re.ASCII
)
Clock = tuple[int, int, int, str, str]  # hour, minute, second, fraction digits, am/pm


def grouped_number(text: str, decimal: str) -> tuple[str, str, str] | None:
    """(sign, whole digits, fraction digits) of a number in `decimal`'s form, else None."""
    if not _GROUPED[decimal].match(text):
        return None
    text = text.replace(_GROUP_SEPARATOR[decimal], "")
    sign = text[0] if text[0] in "+-" else ""
    whole, _, fraction = text.lstrip("+-").partition(decimal)
    return sign, whole, fraction


def number_reader(decimal: str) -> Callable[[str], str]:
    """Text in the file's number form -> canonical number text (`1.234,5` -> `1234.5`)."""
    pattern, separator = _GROUPED[decimal], _GROUP_SEPARATOR[decimal]

    def read(text: str) -> str:
        stripped = text.strip()
        if not pattern.match(stripped):
            return text
        plain = stripped.replace(separator, "")
        return plain.replace(",", ".") if decimal == "," else plain

    return read


def numbers_reader(decimal: str) -> ColumnReader:
    """number_reader over a whole column of a chunk: one regex decides the common case."""
    read, lines = number_reader(decimal), _GROUPED_LINES[decimal]

    def read_many(values: list[str]) -> list[str]:
        texts = [v for v in values if v]
        joined = "\n".join(texts)
        if joined.count("\n") != len(texts) - 1 or not lines.match(joined):
            return [read(v) if v else v for v in values]
        if decimal == ".":
            return [v.replace(",", "") for v in values]
        return [v.replace(".", "").replace(",", ".") for v in values]

    return read_many


@lru_cache(maxsize=65536)
def day_parts(text: str) -> tuple[int, int, int] | None:
    """(first, second, full year) of `3/30/12` or `30.03.2012`, else None. Cached: a file
    holds few distinct days."""
    match = _DAY.match(text)
    if match is None:
        return None
    first, _, second, year = match.groups()
    return int(first), int(second), int(year) if len(year) == 4 else _century(int(year))


def clock_parts(text: str) -> Clock | None:
    """The time of day in `14:05`, `0:00:00`, `2:05:07.5 PM`, if valid, else None."""
    match = _CLOCK.match(text)
    if match is None:
        return None
    hour, minute, second, fraction, half = match.groups()
    clock = (int(hour), int(minute), int(second or 0), fraction or "", (half or "").lower())
    top, low = (12, 1) if clock[4] else (23, 0)
    return clock if low <= clock[0] <= top and clock[1] <= 59 and clock[2] <= 59 else None


def date_parts(text: str) -> tuple[tuple[int, int, int], Clock | None] | None:
    """The day's parts and the clock (None without one) of a people's date or timestamp."""
    head, space, rest = text.partition(" ")
    if not space and "T" in text:
        head, _, rest = text.partition("T")
    day = day_parts(head)
    if day is None:
        return None
    if not rest:
        return day, None
    clock = clock_parts(rest)
    return (day, clock) if clock is not None else None


@lru_cache(maxsize=65536)
def day_facts(day: tuple[int, int, int]) -> tuple[bool, bool, bool]:
    """(valid month-first, valid day-first, the two readings differ)."""
    first, second, year = day
    return valid_date(year, first, second), valid_date(year, second, first), first != second


def _century(year: int) -> int:
    return 1900 + year if year >= 69 else 2000 + year


def valid_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def date_reader(order: str) -> Callable[[str], str]:
    """Text in a people's date form -> ISO date or timestamp text in the given order."""
    return _date_readers(order)[0]


def dates_reader(order: str) -> ColumnReader:
    """date_reader over a whole column of a chunk; the days of a file repeat, so each is read
    once, and an H:MM:SS clock only needs padding."""
    return _date_readers(order)[1]


def _date_readers(order: str) -> tuple[Callable[[str], str], ColumnReader]:
    @lru_cache(maxsize=65536)
    def iso_day(day: tuple[int, int, int]) -> str | None:
        first, second, year = day
        month, mday = (first, second) if order == MONTH_FIRST else (second, first)
        return f"{year:04d}-{month:02d}-{mday:02d}" if valid_date(year, month, mday) else None

    def read(text: str) -> str:
        parts = date_parts(text.strip())
        iso = None if parts is None else iso_day(parts[0])
        if iso is None:
            return text
        clock = parts[1]  # type: ignore[index]
        return iso if clock is None else f"{iso} {_clock_text(clock)}"

    def read_many(values: list[str]) -> list[str]:
        out = []
        for value in values:
            head, space, clock = value.partition(" ")
            day = day_parts(head) if value else None
            iso = iso_day(day) if day else None
            if iso is not None and not space:
                out.append(iso)
            elif iso is not None and _CANONICAL_CLOCK.match(clock):
                out.append(f"{iso} {clock}" if len(clock) == 8 else f"{iso} 0{clock}")
            else:
                out.append(read(value) if value else value)
        return out

    return read, read_many


def _clock_text(clock: Clock) -> str:
    hour, minute, second, fraction, half = clock
    if half:
        hour = hour % 12 + (12 if half == "pm" else 0)
    text = f"{hour:02d}:{minute:02d}:{second:02d}"
    return f"{text}.{fraction.ljust(6, '0')}" if fraction else text
