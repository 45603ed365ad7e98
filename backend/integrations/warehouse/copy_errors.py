"""Redshift's load errors, told in the person's terms: which file and row, which column.

COPY reports a bad value by staged part and line only, in its load-error tables
(sys_load_error_detail; stl_load_errors on clusters without the SYS views). A load keeps
where each of its rows came from as runs of consecutive rows (a few entries per source
file, not one per row), so a part and line lead back to the CSV upload or PDF page.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import redshift_connector

from .base import SourceRow
from .errors import Rejection

if TYPE_CHECKING:
    from .redshift import RedshiftWarehouse

SHOWN_ERRORS = 5
_QUERIES = {  # the same five fields from either table; both pad text with blanks
    "sys_load_error_detail": "TRIM(file_name), line_number, TRIM(column_name), "
    "TRIM(raw_field_value), TRIM(error_message)",
    "stl_load_errors": "TRIM(filename), line_number, TRIM(colname), TRIM(raw_field_value), "
    "TRIM(err_reason)",
}


class Origins:
    """Row index within a load -> (source, row number)."""

    def __init__(self, first_row: int) -> None:
        self.first_row = first_row
        self._starts: list[int] = []
        self._labels: list[tuple[str, int]] = []

    def track(self, rows: Iterable[object]) -> Iterator[object]:
        """The rows unchanged, noting where each run of consecutive rows starts."""
        starts, labels = self._starts, self._labels
        expected: tuple[str, int] | None = None
        for index, row in enumerate(rows):
            if isinstance(row, SourceRow):
                key = (row.source, row.row)
            else:
                key = ("", self.first_row + index)
            if key != expected:
                starts.append(index)
                labels.append(key)
            expected = (key[0], key[1] + 1)
            yield row

    def locate(self, index: int) -> tuple[str, int]:
        at = bisect_right(self._starts, index) - 1
        source, row = self._labels[at]
        return source, row + index - self._starts[at]


def read_load_errors(warehouse: RedshiftWarehouse, url_prefix: str) -> list[tuple]:
    """(file, line, column, value, reason, total) of this load's first errors, or []."""
    pattern = url_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    for table, fields in _QUERIES.items():
        file_field = fields.split(",")[0]
        sql = (
            f"SELECT {fields}, COUNT(*) OVER () FROM {table} WHERE {file_field} LIKE %s "
            f"ORDER BY 1, 2 LIMIT {SHOWN_ERRORS}"
        )
        try:
            found = warehouse._query(sql, [pattern])
        except redshift_connector.Error:
            warehouse._rollback()  # no such view on this cluster: try the next one
            continue
        warehouse._rollback()
        return found
    return []


def rejections(
    found: list[tuple], part_starts: dict[str, int], origins: Origins
) -> tuple[list[Rejection], int]:
    """Load-error rows as Rejections naming the source row; and the total error count."""
    out = []
    for url, line, column, value, reason, _ in found:
        start = part_starts.get(url.strip())
        if start is None or not line:
            source, row = f"staged file {url.strip()}", int(line or 0)
        else:
            source, row = origins.locate(start + int(line) - 1)
        out.append(Rejection(source, row, column or "?", value or "", reason or "rejected"))
    return out, int(found[0][5]) if found else 0
