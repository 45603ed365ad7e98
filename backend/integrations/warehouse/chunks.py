"""Rows in chunks: numbering, shape checks and error location around a chunk encoder.

Encoding a few thousand rows at a time lets a backend check whole columns at once, while
errors still name the exact CSV row, column and value.

Encoding allocates a few containers per row (the reader's list, zip's tuples) that die by
reference count. At the interpreter's default, a young-generation collection every 700
container allocations, the cyclic collector took a fifth to a quarter of the encoding
thread's time (300,000-row load: 2.05 s of CPU, 1.66 s with collections every 50,000). So
collections are made rarer while rows are staged; not turned off, so cycles still go.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice

from .base import SourceRow
from .coercion import CoercionError
from .errors import ValueDoesNotFit
from .plan import LoadPlan

CHUNK_ROWS = 4096
STAGING_GC_THRESHOLD = 50_000  # container allocations between young collections
Columns = list[Sequence[object]]
ChunkEncoder = Callable[[list[Sequence[object]]], Columns]  # raw rows -> encoded columns
Assembler = Callable[[Columns], list[Sequence[object]]]  # encoded columns -> staged rows


_gc_lock = threading.Lock()
_gc_users = 0
_gc_saved: tuple[int, ...] = ()


@contextlib.contextmanager
def rarer_collections() -> Iterator[None]:
    """Inside the block, young collections run every STAGING_GC_THRESHOLD container
    allocations at most; the interpreter's thresholds come back when the last block ends
    (loads on several threads share them)."""
    global _gc_users, _gc_saved
    with _gc_lock:
        if _gc_users == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(max(_gc_saved[0], STAGING_GC_THRESHOLD), *_gc_saved[1:])
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0:
                gc.set_threshold(*_gc_saved)


def transpose(columns: Sequence[Sequence[object]]) -> list[Sequence[object]]:
    return list(zip(*columns, strict=True))


def encoded_chunks(
    plan: LoadPlan,
    rows: Iterable,
    encode: ChunkEncoder,
    assemble: Assembler,
    first: int,
    size: int = CHUNK_ROWS,
) -> Iterator[list[Sequence[object]]]:
    """Lists of staged rows, in order; raises ValueDoesNotFit naming the row of a bad value."""
    width = len(plan.columns)
    keys = [[c.name for c in plan.columns].index(k) for k in plan.keys]
    iterator, start = iter(rows), first
    while chunk := list(islice(iterator, size)):
        values, where = _unpack(chunk, start)
        start += len(chunk)
        if set(map(len, values)) != {width}:
            index = next(i for i, row in enumerate(values) if len(row) != width)
            reason = f"has {len(values[index])} values but the table has {width} columns"
            raise ValueDoesNotFit(plan.target, *where(index), "(whole row)", values[index], reason)
        try:
            encoded = encode(values)
        except CoercionError as exc:
            index = exc.index or 0
            raise _misfit(plan, where(index), exc) from None
        for key in keys:
            _check_key(plan, encoded[key], values, key, where)
        yield assemble(encoded)


def _unpack(chunk: list, start: int) -> tuple[list, Callable[[int], tuple[int, str]]]:
    """Plain values, and a function giving (row number, source) for an index in the chunk."""
    if not any(isinstance(row, SourceRow) for row in chunk):
        return chunk, lambda index: (start + index, "")
    values = [row.values if isinstance(row, SourceRow) else row for row in chunk]

    def where(index: int) -> tuple[int, str]:
        row = chunk[index]
        return (row.row, row.source) if isinstance(row, SourceRow) else (start + index, "")

    return values, where


def _misfit(plan: LoadPlan, where: tuple[int, str], exc: CoercionError) -> ValueDoesNotFit:
    row, source = where
    return ValueDoesNotFit(plan.target, row, exc.column or "?", exc.value, str(exc), source)


def _check_key(plan: LoadPlan, column: Sequence, values: list, key: int, where: Callable) -> None:
    for empty in (None, ""):
        if empty in column:
            index = column.index(empty)
            row, source = where(index)
            reason = "is empty, but the column is an upsert key"
            name = plan.columns[key].name
            raise ValueDoesNotFit(plan.target, row, name, values[index][key], reason, source)


def per_value_encoder(
    columns: Sequence[str], encoders: Sequence[Callable[[object], object]]
) -> ChunkEncoder:
    """A chunk encoder applying one converter per value (for backends that want values)."""
    pairs = list(zip(columns, encoders, strict=True))

    def encode(rows: list[Sequence[object]]) -> Columns:
        out = []
        for index, row in enumerate(rows):
            try:
                out.append([enc(value) for enc, value in zip(encoders, row, strict=True)])
            except CoercionError:
                raise _locate(pairs, row, index) from None
        return transpose(out)

    return encode


def _locate(pairs: list, row: Sequence[object], index: int) -> CoercionError:
    for (name, encode), value in zip(pairs, row, strict=True):
        try:
            encode(value)
        except CoercionError as exc:
            exc.index, exc.column, exc.value = index, name, value
            return exc
    raise AssertionError("a conversion failed but no column reproduces it")
