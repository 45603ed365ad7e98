"""Reads about documents and their conversions, as plain data for the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from backend.access import owned
from backend.models import Document, Run

RUN_FIELDS = ("status", "pages_done", "pages_total", "tables_found", "error", "task_id")


@dataclass(frozen=True)
class ConversionProgress:
    """The document's latest conversion run, as its progress bar shows it."""

    status: Run.Status | None
    pages_done: int | None
    pages_total: int | None
    tables_found: int | None
    error: str | None
    task_id: str | None


@dataclass(frozen=True)
class DocumentRow:
    id: int
    name: str
    status: Document.Status
    error: str
    warning: str
    created_at: datetime
    size_bytes: int
    page_count: int | None
    options: dict[str, Any]  # without the password
    n_tables: int
    n_to_check: int
    archived: bool
    run: ConversionProgress


# A table whose extraction gave reasons to doubt it and that no one has marked checked.
TO_CHECK = Q(tables__checked=False) & ~Q(tables__quality_reasons=[])


def _documents(owner: User) -> QuerySet[Document]:
    latest = Run.objects.filter(document=OuterRef("pk")).order_by("-queued_at")
    return (
        owned(Document.objects, owner)
        .annotate(n_tables=Count("tables"))
        .annotate(n_to_check=Count("tables", filter=TO_CHECK))
        .annotate(**{f"run_{f}": Subquery(latest.values(f)[:1]) for f in RUN_FIELDS})
    )


def documents_recent(
    *,
    owner: User,
    limit: int = 50,
    hide_superseded_failures: bool = False,
    archived: bool = False,
) -> list[DocumentRow]:
    """The user's newest documents (an administrator's: everyone's), archived ones or the
    others, with their latest conversion run's progress; optionally without a failed upload
    whose same file was uploaded again later and converted."""
    documents = _documents(owner).filter(archived=archived)
    if hide_superseded_failures:
        converted_later = Document.objects.filter(
            owner=OuterRef("owner"),
            sha256=OuterRef("sha256"),
            created_at__gt=OuterRef("created_at"),
            status=Document.Status.CONVERTED,
        )
        documents = documents.exclude(Q(status=Document.Status.FAILED) & Exists(converted_later))
    return [_document_row(d) for d in documents.order_by("-created_at")[:limit]]


def document_detail(*, owner: User, document_id: int) -> DocumentRow | None:
    """One document as on the list, or None if the user may not see it."""
    document = _documents(owner).filter(pk=document_id).first()
    return _document_row(document) if document else None


def _document_row(d: Document) -> DocumentRow:
    # n_tables, n_to_check and run_* are the annotations _documents adds.
    annotated: Any = d
    return DocumentRow(
        id=d.pk,
        name=d.name,
        status=Document.Status(d.status),
        error=d.error,
        warning=d.warning,
        created_at=d.created_at,
        size_bytes=d.size_bytes,
        page_count=d.page_count,
        options={k: v for k, v in d.options.items() if "password" not in k},
        n_tables=annotated.n_tables,
        n_to_check=annotated.n_to_check,
        archived=d.archived,
        run=_progress(annotated),
    )


def _progress(annotated: Any) -> ConversionProgress:
    latest = {f: getattr(annotated, f"run_{f}") for f in RUN_FIELDS}
    status = latest.pop("status")
    return ConversionProgress(status=Run.Status(status) if status else None, **latest)


def progress_text(run: ConversionProgress) -> str:
    """ "page 12 of 65, 9 tables", or what the run is waiting for."""
    if run.status == Run.Status.QUEUED:
        return "waiting for a worker"
    if not run.pages_total:
        return "opening the file"
    tables = run.tables_found or 0
    noun = "table" if tables == 1 else "tables"
    return f"page {run.pages_done} of {run.pages_total}, {tables} {noun}"
