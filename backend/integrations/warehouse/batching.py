"""Grouping rows into INSERT batches bounded by bytes and bind parameters.

Batch sizes are powers of two: the driver caches one prepared statement per distinct SQL
text (and scans each new text character by character), so a handful of sizes keeps both the
cache and the parsing cost small, whatever the mix of short and long rows.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import accumulate
from typing import TypeVar

Row = TypeVar("Row")


def floor_pow2(n: int) -> int:
    """The largest power of two <= n (n >= 1)."""
    return 1 << (n.bit_length() - 1)


def text_sizes(rows: list[Sequence[str]], overhead: int = 0) -> list[int]:
    """UTF-8 size of each row of text values, plus a fixed overhead per row."""
    joined = list(map("".join, rows))
    if "".join(joined).isascii():
        return [len(text) + overhead for text in joined]
    return [size + overhead for size in map(len, map(str.encode, joined))]


def batches(
    chunks: Iterable[list[Row]],
    *,
    max_rows: int,
    max_bytes: int,
    sizes: Callable[[list[Row]], list[int]],
) -> Iterator[list[Row]]:
    """Regroup chunks of rows into batches, each of a power-of-two length, each within
    max_rows and, unless a single row is larger on its own, within max_bytes (as measured by
    `sizes`, which gives the size of every row of a chunk)."""
    max_rows = floor_pow2(max(1, max_rows))
    buffer: list[Row] = []
    costs: list[int] = []
    for chunk in chunks:
        buffer.extend(chunk)
        costs.extend(sizes(chunk))
        while buffer:
            fit = _fitting(costs, max_rows, max_bytes)
            if fit == len(buffer) and fit < max_rows:
                break  # room for more: wait for the next chunk
            yield from _take(buffer, costs, floor_pow2(fit))
    while buffer:
        yield from _take(buffer, costs, floor_pow2(_fitting(costs, max_rows, max_bytes)))


def _fitting(costs: list[int], max_rows: int, max_bytes: int) -> int:
    """How many leading rows fit (at least one: an oversized row travels alone)."""
    totals = list(accumulate(costs[:max_rows]))
    return max(1, bisect_right(totals, max_bytes))


def _take(buffer: list[Row], costs: list[int], count: int) -> Iterator[list[Row]]:
    batch = buffer[:count]
    del buffer[:count], costs[:count]
    yield batch
