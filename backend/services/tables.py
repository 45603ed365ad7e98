"""Tables: CSV files made by conversion or uploaded, and the user's header fixes."""

from __future__ import annotations

import csv
import io
import itertools
import time
from collections.abc import Sequence
from functools import partial
from uuid import uuid4

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction

from backend import dispatch, task_names
from backend.access import owned_one
from backend.errors import UserFixable
from backend.integrations.pdf import ExtractedTable
from backend.models import Document, Table
from backend.selectors.tables import table_columns, table_profile_read


class TableInvalid(UserFixable):
    """A header or column names that cannot be saved; the message says what to change."""


def csv_bytes(rows: Sequence[Sequence[str]]) -> bytes:
    """RFC 4180 CSV in UTF-8, the one format every table is stored in."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def table_file_name(*, stem: str, first_page: int, last_page: int, number: int) -> str:
    """`<stem>-p<first>[-<last>]-t<n>.csv`, as the CLI and the downloads name tables."""
    pages = f"p{first_page}" if first_page == last_page else f"p{first_page}-{last_page}"
    return f"{stem}-{pages}-t{number}.csv"


def extracted_grid(table: ExtractedTable) -> dict:
    """The grid to draw over the page: column edges (mid-gap between whitespace columns) and
    row edges, outer edges included; {} when the rows do not run across the displayed page."""
    if not table.row_edges or not table.columns:
        return {}
    inner = [(a[1] + b[0]) / 2 for a, b in itertools.pairwise(table.columns)]
    columns = [table.columns[0][0], *inner, table.columns[-1][1]]
    return {
        "columns": [round(x, 1) for x in columns],
        "rows": [round(y, 1) for y in table.row_edges],
    }


def table_create_extracted(
    *, document: Document, rows: list[list[str]], number: int, **layout
) -> Table:
    """Store one extracted table's CSV and its row; layout: pages, bbox, strategy, quality."""
    stem = document.name.rsplit(".", 1)[0] or "document"
    name = table_file_name(
        stem=stem, first_page=layout["first_page"], last_page=layout["last_page"], number=number
    )
    table = Table(
        owner=document.owner,
        document=document,
        name=name,
        n_rows=len(rows),
        n_cols=max((len(r) for r in rows), default=0),
        # Most tables open with their header; the user can say otherwise on the preview.
        header_row=0 if len(rows) > 1 else None,
        **layout,
    )
    table.file.save(name, ContentFile(csv_bytes(rows)), save=False)
    table.save()
    table_profile_store(table_id=table.pk)
    return table


def table_profile_store(*, table_id: int) -> bool:
    """Read the table's rows once and store its column facts, from which bundle schemas are
    inferred; False when the table is gone or its header or content changed meanwhile (that
    change asks for facts of its own). Workers only: a large table takes a while."""
    table = Table.objects.filter(pk=table_id).first()
    if table is None:
        return False
    profile = table_profile_read(table=table)
    same = {"header_row": table.header_row, "version": table.version}
    return bool(Table.objects.filter(pk=table.pk, **same).update(profile=profile))


def tables_profile_request(*, table_ids: Sequence[int]) -> int:
    """Have a worker store the column facts of these tables, unless asked within the last
    TABLE_PROFILE_ASK_AGAIN_S; returns how many were asked for."""
    now = time.time()
    asked = 0
    for table in Table.objects.filter(pk__in=table_ids).only("pk", "profile"):
        if now - float(table.profile.get("requested_at", 0)) < settings.TABLE_PROFILE_ASK_AGAIN_S:
            continue
        Table.objects.filter(pk=table.pk).update(profile={"requested_at": now})
        transaction.on_commit(partial(_send_profile_task, table.pk))
        asked += 1
    return asked


def _send_profile_task(table_id: int) -> None:
    dispatch.send(task_names.PROFILE_TABLE, kwargs={"table_id": table_id}, task_id=str(uuid4()))


def column_names_check(*, names: Sequence[str]) -> None:
    """Raise TableInvalid naming the columns whose names are empty or used twice (ignoring case:
    the warehouse does not tell Country from country)."""
    problems = []
    empty = [str(i) for i, name in enumerate(names, start=1) if not name.strip()]
    if empty:
        noun = "column" if len(empty) == 1 else "columns"
        problems.append(f"{noun} {', '.join(empty)} {'has' if len(empty) == 1 else 'have'} no name")
    positions: dict[str, list[int]] = {}
    for i, name in enumerate(names, start=1):
        if name.strip():
            positions.setdefault(name.strip().casefold(), []).append(i)
    for i, name in enumerate(names, start=1):
        where = positions.get(name.strip().casefold(), [])
        if len(where) > 1 and where[0] == i:
            columns = ", ".join(str(w) for w in where)
            problems.append(f"{name.strip()!r} names columns {columns}")
    if problems:
        raise TableInvalid(
            "Column names must be filled in and unique: " + "; ".join(problems) + "."
        )


def table_set_header(
    *, by: User, table_id: int, header_row: int | None, column_names: list[str]
) -> list[str]:
    """Record which row is the header (None: none) and the column names to use; returns
    the names now in use. Names sent with a new header row are dropped: they were typed
    over the old row's names, and the new row brings its own."""
    table = owned_one(Table.objects, by, table_id, "table")
    new_row = header_row != table.header_row
    if new_row:
        column_names = []
    if header_row is not None and not 0 <= header_row < max(table.n_rows, 1):
        raise TableInvalid(f"row {header_row + 1} is outside the table's {table.n_rows} rows")
    if column_names and len(column_names) != table.n_cols:
        raise TableInvalid(f"{len(column_names)} names given for {table.n_cols} columns")
    names = [name.strip() for name in column_names]
    column_names_check(names=names)
    with transaction.atomic():
        table.header_row = header_row
        table.column_names = names
        table.save(update_fields=["header_row", "column_names"])
        if new_row:  # the facts were of other rows: a worker reads them again
            Table.objects.filter(pk=table.pk).update(profile={})
            tables_profile_request(table_ids=[table.pk])
        # A bundle's inferred schema depends on its tables' headers.
        for bundle in table.bundles.all():
            bundle.version += 1
            bundle.save(update_fields=["version"])
    return table_columns(table=table)
