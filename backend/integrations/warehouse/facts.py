"""Running facts about a column's numbers and people-written dates, mergeable across tables."""

from __future__ import annotations

from .columns import MAX_NUMERIC_PRECISION, ColumnSpec
from .forms import date_parts, day_facts

BIGINT_DIGITS = 18  # any integer with at most 18 digits fits BIGINT without a range check


class Facts:
    """Plain attributes (__slots__) that travel as JSON, so a table's facts can be stored."""

    __slots__: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {name: getattr(self, name) for name in self.__slots__}

    @classmethod
    def from_json(cls, data: dict) -> Facts:
        facts = cls()
        for name in cls.__slots__:
            setattr(facts, name, data[name])
        return facts


class Numbers(Facts):
    """Facts about numbers in one written form."""

    __slots__ = ("digits", "integer", "ok", "scale")

    def __init__(self) -> None:
        self.ok = self.integer = True
        self.digits = self.scale = 0

    def add(self, whole: str, fraction: str | None) -> None:
        if len(whole) > 1 and whole[0] == "0":
            self.ok = False  # a code with leading zeros (zip, account): keep it as text
            return
        self.digits = max(self.digits, len(whole.lstrip("0")))
        if fraction is not None:
            self.integer = False
            self.scale = max(self.scale, len(fraction))

    def merge(self, other: Numbers) -> None:
        self.ok &= other.ok
        self.integer &= other.integer
        self.digits, self.scale = max(self.digits, other.digits), max(self.scale, other.scale)

    def spec(self, name: str) -> ColumnSpec | None:
        if self.integer and self.digits <= BIGINT_DIGITS:
            return ColumnSpec(name, "BIGINT")
        precision = max(self.digits + self.scale, 1)
        if precision > MAX_NUMERIC_PRECISION:
            return None
        return ColumnSpec(name, "NUMERIC", precision=precision, scale=self.scale)


class Dates(Facts):
    """Facts about dates written month-first or day-first."""

    __slots__ = ("differ", "dmy", "mdy", "ok", "timed")

    def __init__(self) -> None:
        self.ok = self.mdy = self.dmy = True
        self.timed = self.differ = False

    def add(self, text: str) -> None:
        parts = date_parts(text)
        if parts is None:
            self.ok = False
            return
        mdy, dmy, differ = day_facts(parts[0])
        self.mdy, self.dmy = self.mdy and mdy, self.dmy and dmy
        self.ok = self.mdy or self.dmy
        self.differ = self.differ or differ
        self.timed = self.timed or parts[1] is not None

    def merge(self, other: Dates) -> None:
        self.mdy &= other.mdy
        self.dmy &= other.dmy
        self.ok = self.ok and other.ok and (self.mdy or self.dmy)
        self.differ |= other.differ
        self.timed |= other.timed
