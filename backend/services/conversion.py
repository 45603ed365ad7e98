"""PDF conversion: a document's pages become Tables, whole or in parallel parts."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F

from backend import dispatch, task_names
from backend.integrations.pdf import (
    ExtractedTable,
    PageReport,
    PdfError,
    extract_tables,
    merge_continued_tables,
    parse_page_spec,
)
from backend.integrations.pdf.info import count_pages
from backend.limits import memory_budget
from backend.models import Document, Run
from backend.services import conversion_parts, pdf_passwords, storage
from backend.services.runs import (
    RunRevoked,
    run_finished,
    run_mark_system_failure,
    run_raise_if_revoked,
    run_started,
)
from backend.services.tables import extracted_grid, table_create_extracted

# Celery's update_state, or anything else that wants (pages_done, pages_total, tables).
ProgressCallback = Callable[[int, int, int], None]


logger = logging.getLogger(__name__)

# Progress is written at most this often (seconds), and on the last page.
PROGRESS_EVERY_S = 0.5


class ConversionFailed(Exception):
    """The document cannot be converted; the message is for the person who uploaded it."""


def too_big_message() -> str:
    return (
        f"Stopped: converting this file needs more than the {settings.CONVERSION_MEMORY_MB} MB "
        "of memory a conversion may use (a damaged or hostile file, or pages too large)."
    )


def too_slow_message() -> str:
    limit = settings.CONVERSION_SOFT_TIME_LIMIT_S
    return (
        f"Stopped after the {limit} s time limit: this file takes too long to convert. "
        "Try fewer pages, an area, or one strategy."
    )


def document_convert(*, document_id: int, task_id: str, on_progress: ProgressCallback) -> dict:
    """Convert a document: finish it here, or hand its parts to several workers."""
    document = Document.objects.get(pk=document_id)
    run_started(task_id=task_id)
    # A redelivered task counts its pages again from the start.
    Run.objects.filter(task_id=task_id).update(pages_done=0, tables_found=0)
    Document.objects.filter(pk=document_id).update(status=Document.Status.CONVERTING)
    try:
        with memory_budget(settings.CONVERSION_MEMORY_MB):
            return _convert(document, task_id, on_progress)
    except MemoryError:
        conversion_fail(task_id=task_id, message=too_big_message())
        raise ConversionFailed(too_big_message()) from None
    except RunRevoked:
        conversion_cancelled(document=document)  # a cancel may have raced the line above
        raise


def _convert(document: Document, task_id: str, on_progress: ProgressCallback) -> dict:
    started = time.monotonic()
    try:
        with storage.local_pdf(document) as path:
            pages = _selected_pages(document, path)
            Run.objects.filter(task_id=task_id).update(pages_total=len(pages))
            options = _extract_options(document)
            in_parts = len(pages) >= settings.CONVERSION_PARALLEL_MIN_PAGES
            logger.info(
                "document %s: %d pages, strategy %s%s",
                document.pk,
                len(pages),
                options["strategy"],
                ", in parts" if in_parts else "",
            )
            if in_parts:
                return _convert_in_parts(document, task_id, pages)
            result = extract_tables(
                path, pages=pages, **options, on_page=_on_page(task_id, on_progress, whole=True)
            )
    except PdfError as exc:
        logger.info("document %s not converted: %s", document.pk, exc)
        conversion_fail(task_id=task_id, message=str(exc))
        raise ConversionFailed(str(exc)) from exc
    _log_converted(f"document {document.pk}", pages, result.tables, started)
    return _finish(document, task_id, result.tables, result.image_only_pages)


def _log_converted(what: str, pages: list[int], tables: list, started: float) -> None:
    elapsed = time.monotonic() - started
    rate = len(pages) / elapsed if elapsed else 0.0
    logger.info(
        "%s: %d pages read in %.2f s (%.1f pages/s), %d tables",
        what,
        len(pages),
        elapsed,
        rate,
        len(tables),
    )


def document_convert_part(
    *, document_id: int, run_task_id: str, pages: list[int], on_progress: ProgressCallback
) -> str:
    """Convert some pages of a document; returns the stored part for the finishing step."""
    run_raise_if_revoked(task_id=run_task_id)  # a part that starts after a cancel does nothing
    document = Document.objects.get(pk=document_id)
    started = time.monotonic()
    try:
        with memory_budget(settings.CONVERSION_MEMORY_MB), storage.local_pdf(document) as path:
            result = extract_tables(
                path,
                pages=pages,
                **_extract_options(document),
                on_page=_on_page(run_task_id, on_progress, whole=False),
            )
    except (PdfError, MemoryError) as exc:
        error = too_big_message() if isinstance(exc, MemoryError) else str(exc)
        message = conversion_parts.parts_failure_message(pages=pages, error=error)
        conversion_fail(task_id=run_task_id, message=message)
        raise ConversionFailed(message) from exc
    _log_converted(
        f"document {document_id} pages {pages[0]}-{pages[-1]}", pages, result.tables, started
    )
    Run.objects.filter(task_id=run_task_id).update(
        tables_found=F("tables_found") + len(result.tables)
    )
    part = {"tables": [asdict(t) for t in result.tables], "image_only": result.image_only_pages}
    name = conversion_parts.part_file(run_task_id, pages)
    # Replaced, never saved beside an earlier delivery's copy under another name.
    default_storage.delete(name)
    default_storage.save(name, ContentFile(json.dumps(part).encode()))
    # Checked after saving: a cancel either sees this file when it cleans up,
    # or is seen here and the file goes.
    try:
        run_raise_if_revoked(task_id=run_task_id)
    except RunRevoked:
        conversion_parts.conversion_parts_delete(run_task_id=run_task_id)
        raise
    return name


def document_finish_parts(*, document_id: int, run_task_id: str, part_files: list[str]) -> dict:
    """Join the parts in page order, merging tables that cross a part boundary. `part_files`
    are the chord's results; parts kept from an earlier delivery are in the folder too."""
    tables: list[ExtractedTable] = []
    image_only: list[int] = []
    for name in sorted(set(part_files) | set(conversion_parts.stored_parts(run_task_id))):
        with default_storage.open(name, "rb") as fh:
            part = json.loads(fh.read())
        tables += [ExtractedTable(**_tuples(t)) for t in part["tables"]]
        image_only += part["image_only"]
    document = Document.objects.get(pk=document_id)
    try:
        return _finish(document, run_task_id, merge_continued_tables(tables), image_only)
    finally:
        conversion_parts.conversion_parts_delete(run_task_id=run_task_id)


def conversion_fail(*, task_id: str, message: str) -> None:
    """Record a failed conversion on its Run and Document; the upload itself is kept."""
    run = Run.objects.select_related("document").get(task_id=task_id)
    closed = run_finished(task_id=task_id, status=Run.Status.FAILED, error=message)
    if closed and run.document is not None:
        _close_document(run.document, status=Document.Status.FAILED, error=message)


def conversion_cancelled(*, document: Document) -> None:
    """Say on the document that its conversion was cancelled (it can be converted again),
    unless another conversion of it is under way."""
    if Run.objects.filter(document=document, status__in=Run.ACTIVE).exists():
        return
    _close_document(document, status=Document.Status.FAILED, error="The conversion was cancelled.")


def _selected_pages(document: Document, path: Path) -> list[int]:
    page_count = count_pages(
        path,
        password=pdf_passwords.document_password(document=document),
        max_pages=settings.PDF_MAX_PAGES,
    )
    Document.objects.filter(pk=document.pk).update(page_count=page_count)
    return parse_page_spec(document.options.get("pages", ""), page_count)


def _extract_options(document: Document) -> dict:
    options = document.options
    area = options.get("area")
    return {
        "strategy": options.get("strategy", "auto"),
        "area": tuple(area) if area else None,
        "separators": options.get("separators", []),
        "password": pdf_passwords.document_password(document=document),
    }


def _on_page(
    task_id: str, on_progress: ProgressCallback, *, whole: bool
) -> Callable[[PageReport], None]:
    pending = {"pages": 0, "written_at": 0.0}
    started = time.monotonic()

    def report(page: PageReport) -> None:
        now = time.monotonic()
        # Checked here as well as by Celery's soft limit, which pdfminer's own
        # `except Exception` blocks can swallow when it strikes inside them.
        if now - started > settings.CONVERSION_SOFT_TIME_LIMIT_S:
            conversion_fail(task_id=task_id, message=too_slow_message())
            run_mark_system_failure(task_id=task_id)
            raise ConversionFailed(too_slow_message())
        # Written at most every PROGRESS_EVERY_S (and on the last page), so that fast
        # pages do not queue up on the database behind each other's progress writes.
        pending["pages"] += 1
        if page.index < page.total and now - pending["written_at"] < PROGRESS_EVERY_S:
            return
        # F() so that parts converted at once by several workers add up; a part's
        # tables are added when it ends, a whole document's counted as they come.
        counters = {"tables_found": page.tables_found} if whole else {}
        updated = Run.objects.filter(task_id=task_id, status__in=Run.ACTIVE).update(
            status=Run.Status.PROGRESS, pages_done=F("pages_done") + pending["pages"], **counters
        )
        pending.update(pages=0, written_at=now)
        if not updated:
            run_raise_if_revoked(task_id=task_id)  # cancelled: stop at this page
        on_progress(page.index, page.total, page.tables_found)

    return report


def _convert_in_parts(document: Document, task_id: str, pages: list[int]) -> dict:
    parts = conversion_parts.split_pages(pages)
    conversion_parts.parts_adopt_retried(task_id)
    stored = set(conversion_parts.stored_parts(task_id))
    # Parts stored by an earlier delivery of this run, or by the failed run this one
    # retries, are not converted again.
    todo = [
        (n, p)
        for n, p in enumerate(parts, start=1)
        if conversion_parts.part_file(task_id, p) not in stored
    ]
    kept_pages = len(pages) - sum(len(p) for _, p in todo)
    Run.objects.filter(task_id=task_id).update(pages_done=kept_pages)
    # Known ids, so that a cancel can revoke every task of the run by name.
    send = partial(
        dispatch.send_parts,
        part_task=task_names.CONVERT_PDF_PART,
        parts=[(task_names.part_task_id(task_id, n), {"pages": p}) for n, p in todo],
        finish_task=task_names.FINISH_CONVERSION,
        finish_id=task_names.finish_task_id(task_id),
        failed_task=task_names.CONVERSION_PARTS_FAILED,
        kwargs={"document_id": document.pk, "run_task_id": task_id},
    )
    transaction.on_commit(send)
    return {"parts": len(parts), "pages": len(pages)}


def _finish(document: Document, task_id: str, tables: list[ExtractedTable], image_only) -> dict:
    with transaction.atomic():
        # Locked first: a cancel racing this step either comes before (no tables are
        # written) or waits and finds the run succeeded.
        if not Run.objects.select_for_update().filter(task_id=task_id, status__in=Run.ACTIVE):
            raise RunRevoked(task_id)
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
                quality=table.quality,
                quality_reasons=table.quality_reasons,
                grid=extracted_grid(table),
            )
        warning = _warning(len(tables), sorted(set(image_only)))
        _close_document(document, status=Document.Status.CONVERTED, warning=warning)
        run_finished(
            task_id=task_id,
            status=Run.Status.SUCCEEDED,
            tables_found=len(tables),
            pages_done=F("pages_total"),  # a redelivered part counted its pages twice
            message=warning,
        )
    return {"tables": len(tables), "image_only_pages": sorted(set(image_only))}


def _warning(n_tables: int, image_only: list[int]) -> str:
    notes = [scanned_pages_text(image_only)] if image_only else []
    if n_tables == 0:
        notes.append("No tables were found on the converted pages.")
    return " ".join(notes)


def scanned_pages_text(pages: list[int]) -> str:
    """Names each page that is only a picture: "Page 3 is a scanned image; no text to read."."""
    said = [f"Page {p} is a scanned image; no text to read." for p in pages[:5]]
    if len(pages) > 5:
        rest = ", ".join(str(p) for p in pages[5:])
        said.append(f"So are pages {rest}.")
    return " ".join(said) + " OCR is not done, so no tables come from them."


def _close_document(document: Document, *, status: str, error: str = "", warning: str = "") -> None:
    # The password is kept only while the file is being converted.
    options = pdf_passwords.options_without_password(document.options)
    Document.objects.filter(pk=document.pk).update(
        status=status, error=error, warning=warning, options=options
    )


def _tuples(table: dict) -> dict:
    # JSON turned the tuples into lists; ExtractedTable's merge compares them as tuples.
    table["bbox"] = tuple(table["bbox"])
    table["columns"] = [tuple(c) for c in table["columns"]]
    return table
