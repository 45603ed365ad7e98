"""PDF conversion: a document's pages become Tables, whole or in parallel parts."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from celery import chord
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F

from backend import task_names
from backend.celery_app import app
from backend.integrations.pdf import (
    ExtractedTable,
    PageReport,
    PdfError,
    extract_tables,
    merge_continued_tables,
    parse_page_spec,
)
from backend.integrations.pdf.info import count_pages
from backend.models import Document, Run
from backend.services.runs import run_finished, run_started
from backend.services.tables import table_create_extracted

# Celery's update_state, or anything else that wants (pages_done, pages_total, tables).
ProgressCallback = Callable[[int, int, int], None]


class ConversionFailed(Exception):
    """The document cannot be converted; the message is for the person who uploaded it."""


def document_convert(*, document_id: int, task_id: str, on_progress: ProgressCallback) -> dict:
    """Convert a document: finish it here, or hand its parts to several workers."""
    document = Document.objects.get(pk=document_id)
    run_started(task_id=task_id)
    Document.objects.filter(pk=document_id).update(status=Document.Status.CONVERTING)
    try:
        with local_pdf(document) as path:
            pages = _selected_pages(document, path)
            Run.objects.filter(task_id=task_id).update(pages_total=len(pages))
            if len(pages) >= settings.CONVERSION_PARALLEL_MIN_PAGES:
                return _convert_in_parts(document, task_id, pages)
            result = extract_tables(
                path,
                pages=pages,
                **_extract_options(document),
                on_page=_on_page(task_id, on_progress, whole=True),
            )
    except PdfError as exc:
        conversion_fail(task_id=task_id, message=str(exc))
        raise ConversionFailed(str(exc)) from exc
    return _finish(document, task_id, result.tables, result.image_only_pages)


def document_convert_part(
    *, document_id: int, run_task_id: str, pages: list[int], on_progress: ProgressCallback
) -> str:
    """Convert some pages of a document; returns the stored part for the finishing step."""
    document = Document.objects.get(pk=document_id)
    with local_pdf(document) as path:
        result = extract_tables(
            path,
            pages=pages,
            **_extract_options(document),
            on_page=_on_page(run_task_id, on_progress, whole=False),
        )
    Run.objects.filter(task_id=run_task_id).update(
        tables_found=F("tables_found") + len(result.tables)
    )
    part = {"tables": [asdict(t) for t in result.tables], "image_only": result.image_only_pages}
    name = f"conversions/{run_task_id}/part-{pages[0]:06d}.json"
    return default_storage.save(name, ContentFile(json.dumps(part).encode()))


def document_finish_parts(*, document_id: int, run_task_id: str, part_files: list[str]) -> dict:
    """Join the parts in page order, merging tables that cross a part boundary."""
    tables: list[ExtractedTable] = []
    image_only: list[int] = []
    for name in sorted(part_files):
        with default_storage.open(name, "rb") as fh:
            part = json.loads(fh.read())
        tables += [ExtractedTable(**_tuples(t)) for t in part["tables"]]
        image_only += part["image_only"]
    document = Document.objects.get(pk=document_id)
    outcome = _finish(document, run_task_id, merge_continued_tables(tables), image_only)
    for name in part_files:
        default_storage.delete(name)
    return outcome


def conversion_fail(*, task_id: str, message: str) -> None:
    """Record a failed conversion on its Run and Document; the upload itself is kept."""
    run = Run.objects.select_related("document").get(task_id=task_id)
    run_finished(task_id=task_id, status=Run.Status.FAILED, error=message)
    if run.document is not None:
        _close_document(run.document, status=Document.Status.FAILED, error=message)


@contextmanager
def local_pdf(document: Document) -> Iterator[Path]:
    """A local path to the upload: the file itself, or a temporary copy from remote storage."""
    try:
        yield Path(document.file.path)
        return
    except NotImplementedError:
        pass  # storage without local paths (S3): copy it down once per task
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp, document.file.open("rb") as src:
        for chunk in iter(lambda: src.read(1 << 20), b""):
            tmp.write(chunk)
        tmp.flush()
        yield Path(tmp.name)


def _selected_pages(document: Document, path: Path) -> list[int]:
    page_count = count_pages(path, password=document.options.get("password"))
    Document.objects.filter(pk=document.pk).update(page_count=page_count)
    return parse_page_spec(document.options.get("pages", ""), page_count)


def _extract_options(document: Document) -> dict:
    options = document.options
    area = options.get("area")
    return {
        "strategy": options.get("strategy", "auto"),
        "area": tuple(area) if area else None,
        "password": options.get("password"),
    }


def _on_page(
    task_id: str, on_progress: ProgressCallback, *, whole: bool
) -> Callable[[PageReport], None]:
    def report(page: PageReport) -> None:
        # F() so that parts converted at once by several workers add up; a part's
        # tables are added when it ends, a whole document's counted as they come.
        counters = {"tables_found": page.tables_found} if whole else {}
        Run.objects.filter(task_id=task_id).update(
            status=Run.Status.PROGRESS, pages_done=F("pages_done") + 1, **counters
        )
        on_progress(page.index, page.total, page.tables_found)

    return report


def _convert_in_parts(document: Document, task_id: str, pages: list[int]) -> dict:
    size = settings.CONVERSION_PART_PAGES
    parts = [pages[i : i + size] for i in range(0, len(pages), size)]
    ids = {"document_id": document.pk, "run_task_id": task_id}
    header = [app.signature(task_names.CONVERT_PDF_PART, kwargs={**ids, "pages": p}) for p in parts]
    finish = app.signature(task_names.FINISH_CONVERSION, kwargs=ids)
    finish.link_error(app.signature(task_names.CONVERSION_PARTS_FAILED, kwargs=ids))
    transaction.on_commit(lambda: chord(header)(finish))
    return {"parts": len(parts), "pages": len(pages)}


def _finish(document: Document, task_id: str, tables: list[ExtractedTable], image_only) -> dict:
    with transaction.atomic():
        document.tables.all().delete()  # a re-conversion replaces what an earlier one made
        for number, table in enumerate(tables, start=1):
            table_create_extracted(
                document=document,
                rows=table.rows,
                number=number,
                first_page=table.first_page,
                last_page=table.last_page,
                bbox=list(table.bbox),
                strategy=table.strategy,
            )
        warning = _warning(len(tables), sorted(set(image_only)))
        _close_document(document, status=Document.Status.CONVERTED, warning=warning)
        run_finished(
            task_id=task_id, status=Run.Status.SUCCEEDED, tables_found=len(tables), message=warning
        )
    return {"tables": len(tables), "image_only_pages": sorted(set(image_only))}


def _warning(n_tables: int, image_only: list[int]) -> str:
    notes = []
    if image_only:
        listed = ", ".join(str(p) for p in image_only)
        notes.append(
            f"Page(s) {listed} hold only scanned images: OCR is not done, "
            "so no tables come from them."
        )
    if n_tables == 0:
        notes.append("No tables were found on the converted pages.")
    return " ".join(notes)


def _close_document(document: Document, *, status: str, error: str = "", warning: str = "") -> None:
    # The password is kept only while the file is being converted.
    options = {k: v for k, v in document.options.items() if k != "password"}
    Document.objects.filter(pk=document.pk).update(
        status=status, error=error, warning=warning, options=options
    )


def _tuples(table: dict) -> dict:
    # JSON turned the tuples into lists; ExtractedTable's merge compares them as tuples.
    table["bbox"] = tuple(table["bbox"])
    table["columns"] = [tuple(c) for c in table["columns"]]
    return table
