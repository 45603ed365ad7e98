"""Uploads converted by a real worker: good files, every kind of bad file, long documents."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from backend.models import Document, Run
from backend.services.documents import (
    ConversionOptions,
    UploadRejected,
    document_enqueue_conversion,
    document_upload,
    document_upload_copy,
)
from tests.support import pdf_factory
from tests.support.factories import upload_document
from tests.support.processes import wait_for

FINISHED = (Run.Status.SUCCEEDED, Run.Status.FAILED)


def finished(document: Document, timeout_s: float = 120) -> Run:
    """The document's latest run once it has ended."""
    return wait_for(
        lambda: (
            Run.objects.filter(document=document, status__in=FINISHED)
            .order_by("-queued_at")
            .first()
        ),
        timeout_s=timeout_s,
        what=f"the conversion of {document.name}",
    )


def bad_files(corpus: Path, tmp: Path) -> dict[str, Path]:
    return {
        "truncated": pdf_factory.truncated(corpus / "camelot__us-020.pdf", tmp / "cut.pdf"),
        "encrypted": corpus / "camelot__health_protected.pdf",
    }


def test_a_batch_with_bad_files_converts_the_good_one_and_explains_the_rest(
    worker, user, corpus, tmp_path
):
    good = upload_document(user, corpus / "camelot__us-020.pdf", pages="2-3")
    bad = {kind: upload_document(user, path) for kind, path in bad_files(corpus, tmp_path).items()}

    assert finished(good).status == Run.Status.SUCCEEDED
    good.refresh_from_db()
    assert good.status == Document.Status.CONVERTED
    (table,) = good.tables.all()
    assert (table.first_page, table.last_page, table.n_cols) == (2, 3, 7)
    assert (table.quality, table.quality_reasons) == (1.0, []), "no sign of trouble was seen"

    expected = {
        "truncated": "damaged or truncated",
        "encrypted": "password",
    }
    for kind, document in bad.items():
        run = finished(document)
        document.refresh_from_db()
        assert run.status == Run.Status.FAILED, kind
        assert expected[kind] in document.error, (kind, document.error)
        assert run.error == document.error
        assert document.file.storage.exists(document.file.name), "the upload is kept"
    assert worker.poll() is None, "the worker survives every bad file"


def test_the_right_password_opens_an_encrypted_pdf_and_is_not_kept(worker, user, corpus):
    document = upload_document(user, corpus / "camelot__health_protected.pdf", password="userpass")
    assert finished(document).status == Run.Status.SUCCEEDED
    document.refresh_from_db()
    assert document.tables.count() >= 1
    assert [k for k in document.options if "password" in k] == []


def test_a_wrong_password_then_a_retry_with_the_right_one(worker, user, corpus):
    document = upload_document(user, corpus / "camelot__health_protected.pdf", password="guess")
    failed = finished(document)
    document.refresh_from_db()
    assert "password does not open" in document.error
    retry = document_enqueue_conversion(
        document=document, owner=user, password="userpass", retry_of=failed
    )
    assert wait_for(
        lambda: Run.objects.filter(pk=retry.pk, status=Run.Status.SUCCEEDED).exists(),
        timeout_s=60,
        what="the retried conversion",
    )


@pytest.mark.parametrize(
    ("make", "options", "message"),
    [
        (lambda tmp, _: _write(tmp / "empty.pdf", b""), {}, "the file is empty (0 bytes)"),
        (
            lambda tmp, _: _write(tmp / "notes.pdf", b"quarterly figures, not a PDF at all\n"),
            {},
            "the file is not a PDF (no PDF header found)",
        ),
        (
            lambda _, corpus: corpus / "camelot__us-020.pdf",
            {"pages": "5-9"},
            "pages '5-9': page 7 requested, the document has 6 pages",
        ),
    ],
)
def test_what_no_conversion_could_read_is_refused_at_upload(
    user, corpus, tmp_path, make, options, message
):
    with pytest.raises(UploadRejected) as refused:
        upload_document(user, make(tmp_path, corpus), **options)
    assert str(refused.value) == message
    assert not Document.objects.exists() and not Run.objects.exists()


def test_an_upload_knows_its_page_count_before_converting(user, corpus):
    document = upload_document(user, corpus / "camelot__us-020.pdf", pages="2-3")
    assert document.page_count == 6


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def test_no_tables_and_image_only_pages_succeed_with_a_warning(worker, user, corpus, tmp_path):
    blank = upload_document(user, pdf_factory.blank(tmp_path / "blank.pdf"))
    scanned = upload_document(user, pdf_factory.image_only(tmp_path / "scan.pdf", n_pages=2))
    for document in (blank, scanned):
        assert finished(document).status == Run.Status.SUCCEEDED
        document.refresh_from_db()
        assert document.tables.count() == 0
        assert "No tables were found" in document.warning
    assert scanned.warning.startswith(
        "Page 1 is a scanned image; no text to read. Page 2 is a scanned image; no text to read. "
        "OCR is not done"
    )


def test_progress_counts_every_page(worker, user, corpus):
    document = upload_document(user, corpus / "pdfplumber__chelsea_pdta.pdf", pages="1-12")
    run = finished(document)
    assert (run.pages_done, run.pages_total) == (12, 12)
    assert run.tables_found == document.tables.count()
    assert run.started_at and run.finished_at and run.duration_s > 0


def test_an_identical_upload_is_recognised(user, corpus):
    path = corpus / "camelot__us-020.pdf"
    first = upload_document(user, path)
    again = document_upload(
        owner=user,
        name="copy.pdf",
        content=io.BytesIO(path.read_bytes()),
        options=ConversionOptions(),
    )
    assert again.document is None
    assert again.duplicate_of == first
    assert Document.objects.count() == 1


def test_a_duplicate_converted_anyway_is_copied_from_the_stored_upload(user, corpus):
    path = corpus / "camelot__us-020.pdf"
    first = upload_document(user, path)
    outcome = document_upload_copy(
        owner=user, name="copy.pdf", earlier_id=first.pk, options=ConversionOptions(pages="1")
    )
    copy = Document.objects.get(pk=outcome.document.pk)
    assert (copy.name, copy.sha256, copy.options["pages"]) == ("copy.pdf", first.sha256, "1")
    assert outcome.duplicate_of == first
    with copy.file.open("rb") as stored:
        assert stored.read() == path.read_bytes()
    assert Run.objects.filter(document=copy, status=Run.Status.QUEUED).exists()


@pytest.mark.parametrize(
    "options, message",
    [
        ({"pages": "1-3,x"}, "page numbers and ranges"),
        ({"strategy": "ocr"}, "strategy must be one of"),
        ({"area": (100, 50, 20, 300)}, "top < bottom"),
    ],
)
def test_options_that_cannot_work_are_refused_before_storing(user, corpus, options, message):
    with pytest.raises(UploadRejected, match=message):
        upload_document(user, corpus / "camelot__us-020.pdf", **options)
    assert Document.objects.count() == 0
