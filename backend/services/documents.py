"""Documents: uploads are stored, recognised when repeated, and queued for conversion."""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files import File
from django.db import transaction
from django.db.models import F

from backend import task_names
from backend.access import check_owner, owned_one, require_active
from backend.errors import UserFixable
from backend.integrations.pdf import EmptyPdf, NotAPdf, PdfError, TooManyPages, parse_page_spec
from backend.integrations.pdf.info import count_pages
from backend.models import Bundle, Document, Run
from backend.services.page_images import page_images_delete, page_images_folder
from backend.services.pdf_passwords import password_option
from backend.services.runs import run_enqueue
from backend.vocabulary import STRATEGIES

PAGE_SPEC = re.compile(r"^\s*(all|\d+\s*(-\s*\d*)?(\s*,\s*\d+\s*(-\s*\d*)?)*)?\s*$", re.I)


class UploadRejected(UserFixable):
    """The upload's options cannot work; nothing was stored."""


@dataclass(frozen=True)
class ConversionOptions:
    pages: str = ""
    strategy: str = "auto"
    area: tuple[float, float, float, float] | None = None
    password: str = ""
    # Column boundaries (x, points) inside the area, from a table template.
    separators: tuple[float, ...] = ()
    template: str = ""

    def as_json(self) -> dict[str, Any]:
        options: dict[str, Any] = {"pages": self.pages.strip(), "strategy": self.strategy}
        if self.area:
            options["area"] = list(self.area)
        if self.separators:
            options["separators"] = list(self.separators)
        if self.template:
            options["template"] = self.template
        return options | password_option(password=self.password)


@dataclass(frozen=True)
class UploadOutcome:
    document: Document | None  # None when the upload was recognised and not stored again
    duplicate_of: Document | None


def area_from_text(text: str) -> tuple[float, float, float, float] | None:
    """An area typed as "top,left,bottom,right" (points); None when left empty."""
    if not text.strip():
        return None
    try:
        top, left, bottom, right = (float(v) for v in text.split(","))
    except ValueError:
        raise UploadRejected("area: give four numbers, top,left,bottom,right") from None
    return top, left, bottom, right


def conversion_options_check(*, options: ConversionOptions) -> None:
    """Raise UploadRejected with a message the form can show, for options that cannot work."""
    if options.strategy not in STRATEGIES:
        raise UploadRejected(f"strategy must be one of {', '.join(STRATEGIES)}")
    if not PAGE_SPEC.match(options.pages):
        raise UploadRejected(f"pages {options.pages!r}: use page numbers and ranges like 1,3-5")
    if options.area is not None:
        top, left, bottom, right = options.area
        if not (0 <= top < bottom and 0 <= left < right):
            raise UploadRejected(
                "area must be top,left,bottom,right with top < bottom, left < right"
            )


def document_upload(
    *,
    owner: User,
    name: str,
    content: BinaryIO,
    options: ConversionOptions,
    allow_duplicate: bool = False,
) -> UploadOutcome:
    """Store the upload and queue its conversion, unless the same bytes were uploaded before."""
    require_active(owner)
    conversion_options_check(options=options)
    digest, size = _sha256(content)
    if size > settings.UPLOAD_MAX_MB * 1024 * 1024:
        raise UploadRejected(f"{name} is larger than the {settings.UPLOAD_MAX_MB} MB limit")
    page_count = upload_check_pdf(content=content, options=options)
    earlier = Document.objects.filter(owner=owner, sha256=digest).order_by("-created_at").first()
    if earlier is not None and not allow_duplicate:
        return UploadOutcome(document=None, duplicate_of=earlier)
    with transaction.atomic():
        document = Document(
            owner=owner,
            name=name,
            sha256=digest,
            size_bytes=size,
            page_count=page_count,
            options=options.as_json(),
        )
        # A generated file name: what the browser sent never becomes a storage path.
        stored = f"{uuid.uuid4().hex}.pdf"
        document.file.save(stored, File(content, name=stored), save=False)
        document.save()
        document_enqueue_conversion(document=document, owner=owner)
    return UploadOutcome(document=document, duplicate_of=earlier)


def document_upload_copy(
    *, owner: User, name: str, earlier_id: int, options: ConversionOptions
) -> UploadOutcome:
    """Store and queue, as a new upload named `name`, the bytes of an earlier upload: the
    duplicate a person chose to convert anyway. The page that asked need not keep the bytes."""
    earlier = owned_one(Document.objects, owner, earlier_id, "document")
    with earlier.file.open("rb") as stored:
        # A stored file reads, seeks and tells as the binary file the upload path expects.
        content = cast(BinaryIO, stored)
        return document_upload(
            owner=owner, name=name, content=content, options=options, allow_duplicate=True
        )


def upload_check_pdf(*, content: BinaryIO, options: ConversionOptions) -> int | None:
    """Refuse at once what no conversion could read: an empty file, one that is not a PDF,
    pages the document does not have. Returns the page count when the file opens here; an
    encrypted or damaged file is left to the conversion, which says what is wrong with it."""
    try:
        pages = count_pages(
            content, password=options.password or None, max_pages=settings.PDF_MAX_PAGES
        )
    except (EmptyPdf, NotAPdf, TooManyPages) as exc:
        raise UploadRejected(str(exc)) from None
    except PdfError:
        return None
    finally:
        content.seek(0)
    try:
        parse_page_spec(options.pages, pages)
    except PdfError as exc:
        raise UploadRejected(f"pages {options.pages.strip()!r}: {exc}") from None
    return pages


def document_enqueue_conversion(
    *, document: Document, owner: User, password: str = "", retry_of: Run | None = None
) -> Run:
    """Queue (again) the conversion of a stored document; a password may be given anew."""
    check_owner(owner, document, "the document")
    if password:
        document.options = {**document.options, **password_option(password=password)}
    document.status = Document.Status.QUEUED
    document.error = document.warning = ""
    document.save(update_fields=["options", "status", "error", "warning"])
    return run_enqueue(
        kind=Run.Kind.CONVERSION,
        owner=owner,
        task_name=task_names.CONVERT_PDF,
        task_kwargs={"document_id": document.pk},
        document=document,
        retry_of=retry_of,
    )


def _sha256(content: BinaryIO) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    content.seek(0)
    for chunk in iter(lambda: content.read(1 << 20), b""):
        digest.update(chunk)
        size += len(chunk)
    content.seek(0)
    return digest.hexdigest(), size


def document_convert_again(*, owner: User, document_id: int, password: str = "") -> Run:
    """Queue a new conversion of the owner's document, e.g. with the right password."""
    document = owned_one(Document.objects, owner, document_id, "document")
    previous = document.runs.order_by("-queued_at").first()
    return document_enqueue_conversion(
        document=document, owner=owner, password=password, retry_of=previous
    )


class DocumentBusy(UserFixable):
    """The document is being converted; the message says what to do first."""


def document_delete(*, owner: User, document_id: int) -> str:
    """Delete the owner's document with its tables and files; returns its name. Bundles that
    held its tables get a new version; its runs stay in History."""
    document = owned_one(Document.objects, owner, document_id, "document")
    if document.runs.filter(status__in=Run.ACTIVE).exists():
        raise DocumentBusy(f"{document.name} is being converted: cancel it in History first.")
    tables = document.tables.all()
    versions = [v.file for t in tables for v in t.versions.all()]
    files = [document.file, *(t.file for t in tables), *versions]
    pictures = page_images_folder(document)
    with transaction.atomic():
        bundles = Bundle.objects.filter(tables__document=document).distinct()
        Bundle.objects.filter(pk__in=list(bundles.values_list("pk", flat=True))).update(
            version=F("version") + 1
        )
        document.delete()
    for stored in files:
        # After the commit: a failed delete must not leave rows pointing at missing files.
        if stored.name:
            stored.storage.delete(stored.name)
    page_images_delete(folder=pictures)
    return document.name


def document_set_archived(*, owner: User, document_id: int, archived: bool) -> Document:
    """Archive the owner's document (left out of the lists) or bring it back."""
    document = owned_one(Document.objects, owner, document_id, "document")
    document.archived = archived
    document.save(update_fields=["archived"])
    return document
