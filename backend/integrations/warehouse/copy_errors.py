"""Redshift's load errors, told in the person's terms: which file and row, which column.

COPY reports a bad value by staged part and line only, in its load-error tables
(sys_load_error_detail; stl_load_errors on clusters without the SYS views). A load keeps
where each of its rows came from as runs of consecutive rows (a few entries per source
file, not one per row), so a part and line lead back to the CSV upload or PDF page.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from operator import attrgetter

from .base import SourceRow
from .errors import Rejection

BLOCK_ROWS = 4096
_SOURCE, _ROW = attrgetter("source"), attrgetter("row")


class Origins:
    """Row index within a load -> (source, row number).

    Checked a block at a time with C-level operations (a block of one source with
    consecutive numbers is one comparison), as this runs for every row of a million-row load.
    """

    def __init__(self, first_row: int) -> None:
        self.first_row = first_row
        self._starts: list[int] = []
        self._labels: list[tuple[str, int]] = []
        self._next: tuple[str, int] | None = None  # the label continuing the last run

    def track(self, rows: Iterable[object]) -> Iterator[object]:
        """The rows unchanged, noting where each run of consecutive rows starts (chained in
        C: no Python step per row)."""
        return chain.from_iterable(self._blocks(iter(rows)))

    def _blocks(self, iterator: Iterator[object]) -> Iterator[list]:
        index = 0
        while block := list(islice(iterator, BLOCK_ROWS)):
            self._note(block, index)
            index += len(block)
            yield block

    def _note(self, block: list, start: int) -> None:
        kinds = set(map(type, block))
        if kinds == {SourceRow}:
            sources = list(map(_SOURCE, block))
            numbers = list(map(_ROW, block))
            first = numbers[0]
            if sources.count(sources[0]) == len(block) and numbers == list(
                range(first, first + len(block))
            ):
                self._run(start, (sources[0], first), len(block))
                return
        elif SourceRow not in kinds:
            self._run(start, ("", self.first_row + start), len(block))
            return
        for offset, row in enumerate(block):  # mixed or broken runs: row by row
            index = start + offset
            key = (
                (row.source, row.row)
                if isinstance(row, SourceRow)
                else ("", self.first_row + index)
            )
            self._run(index, key, 1)

    def _run(self, start: int, label: tuple[str, int], count: int) -> None:
        if label != self._next:
            self._starts.append(start)
            self._labels.append(label)
        self._next = (label[0], label[1] + count)

    def locate(self, index: int) -> tuple[str, int]:
        at = bisect_right(self._starts, index) - 1
        source, row = self._labels[at]
        return source, row + index - self._starts[at]


def rejections(
    found: list[tuple], row_index: Callable[[str, int], int | None], origins: Origins
) -> tuple[list[Rejection], int]:
    """Load-error rows as Rejections naming the source row; and the total error count.
    row_index(file URL, line) is the load's row at that line of that staged file."""
    out = []
    for url, line, column, value, reason, _ in found:
        index = row_index(url.strip(), int(line)) if line else None
        if index is None:
            source, row = f"staged file {url.strip()}", int(line or 0)
        else:
            source, row = origins.locate(index)
        out.append(Rejection(source, row, column or "?", value or "", reason or "rejected"))
    return out, int(found[0][5]) if found else 0
