"""Reads of tables: their list, and their content with the user's header fix applied."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib.auth.models import User

from backend.models import Table


def tables_of_document(*, owner: User, document_id: int) -> list[dict[str, Any]]:
    """The document's tables in page order, as plain rows."""
    tables = Table.objects.filter(owner=owner, document_id=document_id).order_by("first_page", "id")
    return [table_summary(t) for t in tables]


def table_summary(t: Table) -> dict[str, Any]:
    pages = "" if t.first_page is None else str(t.first_page)
    if t.last_page and t.last_page != t.first_page:
        pages += f"-{t.last_page}"
    return {
        "id": t.pk,
        "name": t.name,
        "document_id": t.document_id,
        "pages": pages,
        "n_rows": t.n_rows,
        "n_cols": t.n_cols,
        "strategy": t.strategy,
        "header_row": t.header_row,
        "column_names": list(t.column_names),
    }


def table_stored_rows(*, table: Table) -> list[list[str]]:
    """The CSV's rows exactly as stored."""
    with table.file.open("rb") as fh:
        text = fh.read().decode("utf-8-sig")
    return [list(row) for row in csv.reader(io.StringIO(text))]


def table_content(*, table: Table) -> tuple[list[str], list[list[str]]]:
    """(column names, data rows) after the user's header row and renames, rows padded."""
    rows = table_stored_rows(table=table)
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    if table.header_row is not None and table.header_row < len(rows):
        names = rows[table.header_row]
        rows = rows[table.header_row + 1 :]
    else:
        names = [f"column_{i}" for i in range(1, width + 1)]
    if len(table.column_names) == width:
        names = list(table.column_names)
    return names, rows
