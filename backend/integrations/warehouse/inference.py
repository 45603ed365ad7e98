"""Streaming type inference: one pass over rows, a few running facts per column, no row kept.

A type is chosen only when every value of the column agrees with it. Numbers and dates may be
written as people write them (see forms.py): the column then carries a `form` the load reads
its values with. Each member table's decimal mark is decided from its own values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice

from .blocks import add_block
from .coercion import FALSE_TOKENS, ISO_DATE, ISO_TIMESTAMP, TRUE_TOKENS, to_text
from .columns import MAX_VARCHAR_BYTES, ColumnSpec
from .facts import Dates, Numbers
from .forms import DATE_FORM, DAY_FIRST, DECIMAL_MARKS, MONTH_FIRST, NUMBER_FORM, grouped_number

# Width for a column that was empty everywhere: room for the values a later load may bring.
EMPTY_COLUMN_BYTES = 256
# Text columns are declared twice as wide as their longest value (at least 16 bytes, rounded
# up to a power of two), so next week's slightly longer value still fits the table a first
# load created. Redshift compresses VARCHAR storage, so unused width costs no disk.
TEXT_HEADROOM, MIN_TEXT_BYTES = 2, 16
CHUNK_ROWS = 2048
PROFILE_VERSION = 1  # of the stored facts' layout: a profile of another version is not used
_NUMBER_RE = re.compile(r"[+-]?(\d*)(?:\.(\d*))?([eE][+-]?\d+)?\Z", re.ASCII)
_BOOL_TOKENS = TRUE_TOKENS | FALSE_TOKENS
_LETTER_PAIRS = ({"t", "f"}, {"y", "n"})


def text_width(longest: int) -> int:
    """Declared VARCHAR width for a longest value of `longest` UTF-8 bytes (with headroom)."""
    wanted = max(longest * TEXT_HEADROOM, MIN_TEXT_BYTES)
    return min(1 << (wanted - 1).bit_length(), MAX_VARCHAR_BYTES)


@dataclass(frozen=True)
class InferredColumn:
    spec: ColumnSpec
    form: str = ""  # "" (canonical text), NUMBER_FORM or DATE_FORM: how the load reads values
    order: str = ""  # DATE_FORM: MONTH_FIRST or DAY_FIRST; "" when the values can't tell
    longest: int = 0  # longest value seen, in UTF-8 bytes


class _Column:
    """Running facts about one column of one table. A flag, once False, stays False."""

    __slots__ = (
        "canonical",
        "dates",
        "exponent",
        "grouped",
        "max_bytes",
        "people_dates",
        "timestamps",
        "tokens",
        "values",
    )

    def __init__(self) -> None:
        self.values = 0  # non-empty values seen
        self.max_bytes = 0
        self.tokens: set[str] | None = set()  # lower-cased values while they could be booleans
        self.canonical = Numbers()  # digits as the warehouse reads them: 1234.5
        self.exponent = False  # some canonical number has an exponent: a measurement
        self.grouped = {mark: Numbers() for mark in DECIMAL_MARKS}  # 1,234.5 / 1.234,5
        self.dates = self.timestamps = True  # ISO forms
        self.people_dates = Dates()

    def to_json(self) -> dict:
        return {
            "values": self.values,
            "max_bytes": self.max_bytes,
            "tokens": None if self.tokens is None else sorted(self.tokens),
            "canonical": self.canonical.to_json(),
            "exponent": self.exponent,
            "grouped": {mark: numbers.to_json() for mark, numbers in self.grouped.items()},
            "dates": self.dates,
            "timestamps": self.timestamps,
            "people_dates": self.people_dates.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict) -> _Column:
        column = cls()
        column.values, column.max_bytes = data["values"], data["max_bytes"]
        column.tokens = None if data["tokens"] is None else set(data["tokens"])
        column.canonical = Numbers.from_json(data["canonical"])  # type: ignore[assignment]
        column.exponent = data["exponent"]
        column.grouped = {m: Numbers.from_json(n) for m, n in data["grouped"].items()}  # type: ignore[misc]
        column.dates, column.timestamps = data["dates"], data["timestamps"]
        column.people_dates = Dates.from_json(data["people_dates"])  # type: ignore[assignment]
        return column

    def dead(self) -> bool:
        """Only text is left: nothing but the width can change."""
        return (
            self.tokens is None
            and not self.canonical.ok
            and not any(g.ok for g in self.grouped.values())
            and not self.timestamps
            and not self.people_dates.ok
        )

    def add(self, text: str) -> None:
        size = len(text) if text.isascii() else len(text.encode("utf-8"))
        self.max_bytes = max(self.max_bytes, size)
        text = text.strip()
        if not text:
            return  # blank: NULL in typed columns, kept as is in VARCHAR ones
        self.values += 1
        if self.tokens is not None:
            self.tokens.add(text.lower())
            if len(self.tokens) > len(_BOOL_TOKENS) or text.lower() not in _BOOL_TOKENS:
                self.tokens = None
        if self.canonical.ok:
            self._add_canonical(text)
        for mark, numbers in self.grouped.items():
            if numbers.ok:
                parts = grouped_number(text, mark)
                if parts is None:
                    numbers.ok = False
                else:
                    numbers.add(parts[1], parts[2] or None)
        if self.timestamps:
            self._add_iso(text)
        if self.people_dates.ok:
            self.people_dates.add(text)

    def _add_canonical(self, text: str) -> None:
        match = _NUMBER_RE.match(text)
        whole, fraction, exponent = match.groups() if match else ("", None, None)
        if not (whole or fraction):
            self.canonical.ok = False
        elif exponent:
            self.exponent = True
        else:
            self.canonical.add(whole, fraction)

    def _add_iso(self, text: str) -> None:
        try:
            if ISO_DATE.match(text):
                date.fromisoformat(text)
                return
            self.dates = False
            if ISO_TIMESTAMP.match(text):
                datetime.fromisoformat(text)
                return
        except ValueError:
            pass
        self.dates = self.timestamps = False

    def settle(self, mark: str) -> _Column:
        """This table's facts with its decimal mark chosen: the other mark's are dropped."""
        self.grouped = {mark: self.grouped[mark]}
        if mark == "," and not self.canonical.integer:
            self.canonical.ok = False  # with a decimal comma, 1.250 is one thousand 250
        return self

    def merge(self, other: _Column) -> None:
        self.values += other.values
        self.max_bytes = max(self.max_bytes, other.max_bytes)
        if self.tokens is not None and other.tokens is not None:
            self.tokens |= other.tokens
        else:
            self.tokens = None
        self.canonical.merge(other.canonical)
        self.exponent |= other.exponent
        [mine], [theirs] = self.grouped.values(), other.grouped.values()
        mine.merge(theirs)
        self.dates &= other.dates
        self.timestamps &= other.timestamps
        self.people_dates.merge(other.people_dates)

    def infer(self, name: str) -> InferredColumn:
        if not self.values:
            spec = ColumnSpec(name, "VARCHAR", length=max(self.max_bytes, EMPTY_COLUMN_BYTES))
            return InferredColumn(spec, longest=self.max_bytes)
        if _boolean(self.tokens):
            return InferredColumn(ColumnSpec(name, "BOOLEAN"), longest=self.max_bytes)
        if self.canonical.ok and (number := self._canonical_number(name)):
            return InferredColumn(number, longest=self.max_bytes)
        [grouped] = self.grouped.values()
        if grouped.ok and (written := grouped.spec(name)):
            return InferredColumn(written, NUMBER_FORM, longest=self.max_bytes)
        if self.dates or self.timestamps:
            kind = "DATE" if self.dates else "TIMESTAMP"
            return InferredColumn(ColumnSpec(name, kind), longest=self.max_bytes)
        if self.people_dates.ok:
            return self._people_date(name)
        spec = ColumnSpec(name, "VARCHAR", length=text_width(self.max_bytes))
        return InferredColumn(spec, longest=self.max_bytes)

    def _canonical_number(self, name: str) -> ColumnSpec | None:
        if self.exponent:
            return ColumnSpec(name, "DOUBLE PRECISION")
        # Plain digits too long for NUMERIC are identifiers: text keeps every digit.
        return self.canonical.spec(name)

    def _people_date(self, name: str) -> InferredColumn:
        dates = self.people_dates
        if dates.mdy and dates.dmy and dates.differ:
            order = ""  # every value reads both ways: the user says which
        else:
            order = MONTH_FIRST if dates.mdy else DAY_FIRST
        spec = ColumnSpec(name, "TIMESTAMP" if dates.timed else "DATE")
        return InferredColumn(spec, DATE_FORM, order, self.max_bytes)


def _boolean(tokens: set[str] | None) -> bool:
    """Only unambiguous tokens: words, or a column holding both t and f (or both y and n)."""
    if not tokens:
        return False
    letters = {t for t in tokens if len(t) == 1}
    return not letters or letters in _LETTER_PAIRS


def decimal_mark(columns: Sequence[_Column]) -> str:
    """',' when some column reads as numbers only with a decimal comma and none only with a
    decimal point; else '.' (so `6,718` is six thousand seven hundred and eighteen)."""
    only = {
        mark: any(c.values and c.grouped[mark].ok and not c.grouped[other].ok for c in columns)
        for mark, other in (DECIMAL_MARKS, DECIMAL_MARKS[::-1])
    }
    return "," if only[","] and not only["."] else "."


class TypeInferrer:
    """Feed the rows of every member table of a bundle (`table()` between members), then ask
    for the columns."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self.marks: list[str] = []  # the decimal mark of each finished table
        self._done: list[_Column] | None = None
        self._current = [_Column() for _ in self.names]

    def table(self, decimal: str | None = None) -> str:
        """Close the current member table; its decimal mark is `decimal`, or found from its
        values. Returns the mark."""
        mark = decimal or decimal_mark(self._current)
        settled = [column.settle(mark) for column in self._current]
        if self._done is None:
            self._done = settled
        else:
            for done, column in zip(self._done, settled, strict=True):
                done.merge(column)
        self.marks.append(mark)
        self._current = [_Column() for _ in self.names]
        return mark

    def profile(self) -> dict:
        """The current table's facts (both decimal marks kept), to store with the table and
        merge later with add_profile instead of reading its rows again."""
        return {"version": PROFILE_VERSION, "columns": [c.to_json() for c in self._current]}

    def add_profile(self, profile: dict, decimal: str | None = None) -> str:
        """A whole member table from its stored profile (in place of feeding its rows); as
        table(), returns its decimal mark."""
        self._current = [_Column.from_json(column) for column in profile["columns"]]
        return self.table(decimal)

    def fits(self, profile: object) -> bool:
        """Whether a stored profile can stand for a table of this inferrer's columns."""
        return (
            isinstance(profile, dict)
            and profile.get("version") == PROFILE_VERSION
            and len(profile.get("columns", ())) == len(self.names)
        )

    def update(self, row: Sequence[object]) -> None:
        for column, value in zip(self._current, row, strict=False):
            if value is None or value == "":
                continue
            column.add(value if isinstance(value, str) else to_text(value))

    def feed(self, rows: Iterable[Sequence[object]]) -> TypeInferrer:
        iterator = iter(rows)
        while chunk := list(islice(iterator, CHUNK_ROWS)):
            self._chunk(chunk)
        return self

    def _chunk(self, chunk: list[Sequence[object]]) -> None:
        width = len(self.names)
        if any(len(row) != width for row in chunk):
            for row in chunk:
                self.update(row)
            return
        for column, values in zip(self._current, zip(*chunk, strict=True), strict=True):
            add_block(column, values)

    def inferred(self) -> list[InferredColumn]:
        """The columns as inferred over every table fed so far."""
        pending = [_copy(c).settle(decimal_mark(self._current)) for c in self._current]
        if self._done is None:
            merged = pending
        else:
            merged = [_copy(done) for done in self._done]
            if any(c.values or c.max_bytes for c in pending):
                for done, column in zip(merged, pending, strict=True):
                    done.merge(column)
        return [column.infer(name) for name, column in zip(self.names, merged, strict=True)]

    def columns(self) -> list[ColumnSpec]:
        return [column.spec for column in self.inferred()]


def _copy(column: _Column) -> _Column:
    import copy

    return copy.deepcopy(column)


def infer_columns(names: Sequence[str], rows: Iterable[Sequence[object]]) -> list[InferredColumn]:
    """Inferred columns (type, form, longest value) of one table's rows."""
    return TypeInferrer(names).feed(rows).inferred()


def infer_column_types(names: Sequence[str], rows: Iterable[Sequence[object]]) -> list[ColumnSpec]:
    """Column specs for `rows` (any iterable, e.g. several member tables chained).

    Prefers, in order: BOOLEAN, BIGINT, NUMERIC(p,s), DOUBLE PRECISION, DATE, TIMESTAMP,
    VARCHAR (twice the longest value in UTF-8 bytes, see text_width). Empty strings are NULL.
    """
    return TypeInferrer(names).feed(rows).columns()
