"""Grouping rows into INSERT batches bounded by bytes and bind parameters.

Batch sizes are powers of two: the driver caches one prepared statement per distinct SQL
text (and scans each new text character by character), so a handful of sizes keeps both the
cache and the parsing cost small, whatever the mix of short and long rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

Row = TypeVar("Row")


def floor_pow2(n: int) -> int:
    """The largest power of two <= n (n >= 1)."""
    return 1 << (n.bit_length() - 1)


def text_row_bytes(row: list[str]) -> int:
    """UTF-8 size of a row of text values."""
    joined = "".join(row)
    return len(joined) if joined.isascii() else len(joined.encode("utf-8"))


def batches(
    rows: Iterable[Row], *, max_rows: int, max_bytes: int, row_bytes: Callable[[Row], int]
) -> Iterator[list[Row]]:
    """Yield lists of rows, each of a power-of-two length, each within max_rows and, unless a
    single row is larger on its own, within max_bytes (as measured by row_bytes)."""
    max_rows = floor_pow2(max(1, max_rows))
    buffer: list[Row] = []
    costs: list[int] = []
    size = 0
    for row in rows:
        cost = row_bytes(row)
        while buffer and (len(buffer) >= max_rows or size + cost > max_bytes):
            count = floor_pow2(len(buffer))
            yield buffer[:count]
            size -= sum(costs[:count])
            del buffer[:count], costs[:count]
        buffer.append(row)
        costs.append(cost)
        size += cost
    while buffer:
        count = floor_pow2(len(buffer))
        yield buffer[:count]
        del buffer[:count]
