"""Reads of tables: their list, and their content with the user's header fix applied.

Content is streamed row by row, so a large uploaded CSV never sits whole in memory.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any, BinaryIO

from django.contrib.auth.models import User
from django.core.files import File

from backend.access import owned, owned_one
from backend.integrations.warehouse.inference import TypeInferrer
from backend.models import Document, Table


@dataclass(frozen=True)
class TableSummary:
    id: int
    name: str
    document_id: int | None  # None for an uploaded CSV
    pages: str  # "3" or "3-4"; "" for an uploaded CSV
    n_rows: int
    n_cols: int
    strategy: str
    check: str  # what the extraction saw that a person should check; empty when nothing
    header_row: int | None
    column_names: list[str]
    first_page: int | None
    last_page: int | None
    bbox: list[float]
    grid: dict[str, Any]  # the column and row edges the table was read with
    fix: dict[str, Any]  # the drawn area and separators of its latest fix, if any
    version: int
    checked: bool

    @property
    def flag(self) -> str:
        """A table someone compared with its page says so instead of its reasons."""
        return "checked" if self.checked else self.check


def tables_of_document(*, owner: User, document_id: int) -> list[TableSummary]:
    """The document's tables in page order, as plain rows."""
    tables = (
        owned(Table.objects, owner).filter(document_id=document_id).order_by("first_page", "id")
    )
    return [table_summary(t) for t in tables]


def tables_to_check(*, owner: User, document_id: int) -> list[tuple[str, str]]:
    """(name, reasons) of the document's tables flagged for a look and not marked checked."""
    document = owned_one(Document.objects, owner, document_id, "document")
    tables = Table.objects.filter(document=document, checked=False)
    return [(t.name, "; ".join(t.quality_reasons)) for t in tables if t.quality_reasons]


def table_summary(t: Table) -> TableSummary:
    pages = "" if t.first_page is None else str(t.first_page)
    if t.last_page and t.last_page != t.first_page:
        pages += f"-{t.last_page}"
    return TableSummary(
        id=t.pk,
        name=t.name,
        document_id=t.document_id,
        pages=pages,
        n_rows=t.n_rows,
        n_cols=t.n_cols,
        strategy=t.strategy,
        check="; ".join(t.quality_reasons),
        header_row=t.header_row,
        column_names=list(t.column_names),
        first_page=t.first_page,
        last_page=t.last_page,
        bbox=list(t.bbox or []),
        grid=dict(t.grid),
        fix=dict(t.fix),
        version=t.version,
        checked=t.checked,
    )


@contextmanager
def _records(table: Table, padded: bool = True) -> Iterator[Iterator[list[str]]]:
    with table.file.open("rb") as fh:
        text = io.TextIOWrapper(_unwrapped(fh), encoding="utf-8-sig", newline="")
        if not padded:
            yield csv.reader(text)
            return
        yield (row + [""] * (table.n_cols - len(row)) for row in csv.reader(text))


def _unwrapped(fh: File) -> BinaryIO:
    """The storage's own file object under Django's File wrappers: reading a line through
    them calls a Python `closed` property each time, which costs as much as parsing it."""
    raw: Any = fh
    while isinstance(raw, File) and getattr(raw, "file", None) is not None:
        raw = raw.file
    return raw


def table_columns(*, table: Table) -> list[str]:
    """Column names: the user's renames, else the header row, else column_1…column_n."""
    if len(table.column_names) == table.n_cols:
        return list(table.column_names)
    if table.header_row is not None:
        with _records(table) as records:
            header = next(islice(records, table.header_row, None), None)
        if header is not None:
            return header
    return [f"column_{i}" for i in range(1, table.n_cols + 1)]


def table_profile_read(*, table: Table) -> dict:
    """The column facts of the table's data rows, read in one pass over its CSV: what a
    bundle's schema is inferred from. Heavy on a large table, so only workers call it."""
    inferrer = TypeInferrer([""] * len(table_columns(table=table)))
    inferrer.feed(row for _, row in table_data_rows(table=table, padded=False))
    return inferrer.profile()


def table_first_rows(*, table: Table, limit: int) -> list[list[str]]:
    """The table's first rows as stored, header candidates included."""
    with _records(table) as records:
        return list(islice(records, limit))


def table_data_rows(*, table: Table, padded: bool = True) -> Iterator[tuple[int, list[str]]]:
    """(CSV row number, 1-based, row) for each row below the header row, padded to the widest
    row for display unless `padded` is False (loads: a short row is an error, not NULLs). The
    header repeated on a PDF's continuation page is not data: it is skipped."""
    header_at = table.header_row
    header: list[str] | None = None
    with _records(table, padded) as records:
        numbered = enumerate(records, start=1)
        if header_at is not None:
            above = list(islice(numbered, header_at + 1))  # the header is the last of them
            header = above[-1][1] if above else None
        if table.document_id is None or header is None:
            yield from numbered  # an uploaded CSV: every row below its header is data
            return
        for number, row in numbered:
            if not repeats_header(row, header):
                yield number, row


def repeats_header(row: list[str], header: list[str]) -> bool:
    """True when at least three quarters of the header's cells (two or more) recur in place;
    a repeated header often differs in one cell, e.g. a section name in the first column."""
    named = [i for i, cell in enumerate(header) if cell.strip()]
    same = sum(1 for i in named if i < len(row) and row[i] == header[i])
    return same >= 2 and same >= 0.75 * len(named)


def table_content(*, table: Table, limit: int | None = None) -> tuple[list[str], list[list[str]]]:
    """(column names, data rows) for a preview or a download; `limit` caps the rows."""
    rows = (row for _, row in table_data_rows(table=table))
    return table_columns(table=table), list(islice(rows, limit))


# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """The cell as a spreadsheet shows it as text: a leading ' before a formula start."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def table_csv(*, table: Table, raw: bool = False) -> bytes:
    """The table as a download: header row (names) first, then the data rows, UTF-8. Cells a
    spreadsheet would run as formulas get a leading ', unless `raw` (the warehouse never
    reads this: loads read the rows themselves)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    rows = chain([table_columns(table=table)], (row for _, row in table_data_rows(table=table)))
    for row in rows:
        writer.writerow(row if raw else [spreadsheet_safe(cell) for cell in row])
    return out.getvalue().encode("utf-8")


def tables_zip(*, owner: User, document_id: int, raw: bool = False) -> bytes:
    """Every table of the document as CSV files in one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in owned(Table.objects, owner).filter(document_id=document_id):
            archive.writestr(table.name, table_csv(table=table, raw=raw))
    return buffer.getvalue()


@dataclass(frozen=True)
class TableView:
    """What the Documents page shows of one table beside its summary."""

    id: int
    name: str
    header_row: int | None
    columns: list[str]  # the names in use
    rows: list[list[str]]  # the first data rows
    stored_rows: list[list[str]]  # the first rows as stored: where a header may be picked


def table_view(*, owner: User, table_id: int, rows: int, stored_rows: int = 20) -> TableView:
    """A table the user may see, with its first `rows` data rows; AccessDenied otherwise."""
    table = owned_one(Table.objects, owner, table_id, "table")
    columns, data = table_content(table=table, limit=rows)
    return TableView(
        id=table.pk,
        name=table.name,
        header_row=table.header_row,
        columns=columns,
        rows=data,
        stored_rows=table_first_rows(table=table, limit=stored_rows),
    )


def table_download(*, owner: User, table_id: int, raw: bool = False) -> bytes:
    """A table the user may see as a CSV download (see table_csv); AccessDenied otherwise."""
    return table_csv(table=owned_one(Table.objects, owner, table_id, "table"), raw=raw)
