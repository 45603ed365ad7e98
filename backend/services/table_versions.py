"""Fixing one table: read again from a person's area and columns, keeping what it was."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F

from backend import task_names
from backend.access import owned_one
from backend.errors import UserFixable
from backend.integrations.pdf import ExtractedTable, PdfError, extract_tables
from backend.models import Bundle, Run, Table, TableVersion
from backend.services.pdf_passwords import document_password
from backend.services.runs import run_enqueue, run_finished, run_started
from backend.services.storage import local_pdf
from backend.services.tables import csv_bytes, extracted_grid, table_profile_store
from backend.vocabulary import DRAWN_STRATEGIES


class FixRefused(UserFixable):
    """The fix cannot work as asked; nothing was queued. The message says what to change."""


class ReextractionFailed(Exception):
    """The drawn area gave no table; the message is for the person who drew it."""


@dataclass(frozen=True)
class TableFix:
    """Where to read a table and how: page, area (top, left, bottom, right, in points from
    the displayed page's top-left), column separators (x, points) and strategy."""

    page: int
    area: tuple[float, float, float, float]
    separators: tuple[float, ...] = ()
    strategy: str = "text"

    def as_json(self) -> dict:
        return {
            "page": self.page,
            "area": [round(v, 1) for v in self.area],
            "separators": sorted(round(x, 1) for x in self.separators),
            "strategy": self.strategy,
        }

    @classmethod
    def from_json(cls, data: dict) -> TableFix:
        return cls(
            page=int(data["page"]),
            area=tuple(data["area"]),
            separators=tuple(data.get("separators", ())),
            strategy=data.get("strategy", "text"),
        )


def table_fix_check(*, fix: TableFix) -> None:
    """Raise FixRefused, saying what to change, for a fix that cannot be read."""
    top, left, bottom, right = fix.area
    if not (0 <= top < bottom and 0 <= left < right):
        raise FixRefused("Draw the area as a box on the page (top above bottom, left of right).")
    if fix.strategy not in DRAWN_STRATEGIES:
        raise FixRefused("Choose ruled lines or whitespace.")
    outside = [x for x in fix.separators if not left < x < right]
    if outside:
        listed = ", ".join(f"{x:g}" for x in outside)
        raise FixRefused(
            f"Column separator(s) at {listed} lie outside the area ({left:g}-{right:g})."
        )


def table_reextract_enqueue(*, owner: User, table_id: int, fix: TableFix) -> Run:
    """Queue the re-extraction of the owner's table with the fix; its Run shows at once."""
    table = owned_one(Table.objects.select_related("document"), owner, table_id, "table")
    if table.document is None:
        raise FixRefused("An uploaded CSV has no page to read again.")
    table_fix_check(fix=fix)
    busy = Run.objects.filter(
        kind=Run.Kind.REEXTRACTION, status__in=Run.ACTIVE, inputs__table_id=table.pk
    )
    if busy.exists():
        raise FixRefused(f"{table.name} is being read again already: wait for that run.")
    return run_enqueue(
        kind=Run.Kind.REEXTRACTION,
        owner=owner,
        task_name=task_names.REEXTRACT_TABLE,
        task_kwargs={"table_id": table.pk},
        document=table.document,
        inputs={"table_id": table.pk, "table": table.name, **fix.as_json()},
    )


def table_reextract(*, table_id: int, task_id: str) -> dict:
    """Read the table again as its Run's inputs say; the result becomes its next version."""
    run = run_started(task_id=task_id)
    fix = TableFix.from_json(run.inputs)
    table = Table.objects.select_related("document").get(pk=table_id)
    document = table.document
    if document is None:
        return _fail(task_id, "The table came from a CSV upload: there is no page to read.")
    try:
        with local_pdf(document) as path:
            result = extract_tables(
                path,
                pages=[fix.page],
                strategy=fix.strategy,
                area=fix.area,
                separators=fix.separators,
                password=document_password(document=document),
            )
    except PdfError as exc:
        return _fail(task_id, f"Page {fix.page} cannot be read: {exc}")
    if not result.tables:
        return _fail(task_id, f"No table in the area drawn on page {fix.page}: {_hint(fix)}")
    # A ruled area may hold several grids: the fix is about the biggest one.
    found = max(result.tables, key=lambda t: t.n_rows * t.n_cols)
    with transaction.atomic():
        table = table_replace(table=table, extracted=found, fix=fix)
        message = (
            f"{table.name} version {table.version}: {table.n_rows} rows × {table.n_cols} columns"
        )
        run_finished(task_id=task_id, status=Run.Status.SUCCEEDED, tables_found=1, message=message)
    return {"table_id": table.pk, "version": table.version}


def _hint(fix: TableFix) -> str:
    if fix.strategy == "lines":
        return "no ruled grid lies inside it; try whitespace."
    return "draw it around the table's text."


def _fail(task_id: str, message: str) -> dict:
    run_finished(task_id=task_id, status=Run.Status.FAILED, error=message)
    raise ReextractionFailed(message)


def table_replace(*, table: Table, extracted: ExtractedTable, fix: TableFix) -> Table:
    """Make `extracted` the table's content; the current content becomes a TableVersion and
    bundles holding the table get a new version, so their next load sees the change."""
    TableVersion.objects.create(
        table=table,
        version=table.version,
        file=table.file.name,  # the stored CSV moves to the version; the table gets a new one
        **{f: getattr(table, f) for f in _KEPT},
    )
    rows = extracted.rows
    table.file.save(table.name, ContentFile(csv_bytes(rows)), save=False)
    table.n_rows, table.n_cols = len(rows), extracted.n_cols
    table.bbox, table.strategy = list(extracted.bbox), extracted.strategy
    table.quality, table.quality_reasons = extracted.quality, extracted.quality_reasons
    table.grid, table.fix = extracted_grid(extracted), fix.as_json()
    table.header_row, table.column_names = (0 if len(rows) > 1 else None), []
    table.version += 1
    table.checked = False
    table.profile = {}
    table.save()
    table_profile_store(table_id=table.pk)
    Bundle.objects.filter(tables=table).update(version=F("version") + 1)
    return table


_KEPT = (
    "n_rows",
    "n_cols",
    "bbox",
    "strategy",
    "grid",
    "fix",
    "quality",
    "quality_reasons",
    "header_row",
    "column_names",
)


def table_mark_checked(*, owner: User, table_id: int, checked: bool = True) -> Table:
    """Record that the owner compared this version of the table with its page (or undo it)."""
    table = owned_one(Table.objects, owner, table_id, "table")
    table.checked = checked
    table.save(update_fields=["checked"])
    return table
