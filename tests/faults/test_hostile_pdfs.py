"""Hostile PDFs through a real worker: each ends with one line, and the worker goes on."""

from __future__ import annotations

import pytest

from backend.models import Run
from backend.services.documents import UploadRejected
from tests.backend.services.test_conversion import finished
from tests.support import hostile_pdfs
from tests.support.factories import upload_document

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

# What the person who uploaded each class reads: refused at upload, or the run's outcome.
EXPECTED = {
    "not a PDF": ("refused", "not a PDF"),
    "empty": ("refused", "empty"),
    "truncated": (Run.Status.FAILED, "damaged"),
    "thousands of pages": (Run.Status.SUCCEEDED, "No tables"),
    "nested page tree": (Run.Status.FAILED, "nested too deep"),
    "decompression bomb": (Run.Status.FAILED, "MB of memory a conversion may use"),
    "100k text objects": (Run.Status.SUCCEEDED, ""),
    "wrong password": (Run.Status.FAILED, "password does not open"),
}
SMALLER = {  # enough to be what they are, small enough for a test's time
    "thousands of pages": lambda corpus, tmp: hostile_pdfs.thousands_of_pages(tmp / "p.pdf", 1200),
    "decompression bomb": lambda corpus, tmp: hostile_pdfs.decompression_bomb(tmp / "b.pdf", 1024),
}


def outcome(user, corpus, tmp_path, name: str) -> tuple[str, str]:
    build, password = hostile_pdfs.CLASSES[name]
    path = SMALLER.get(name, build)(corpus, tmp_path)
    try:
        document = upload_document(user, path, password=password)
    except UploadRejected as exc:
        return "refused", str(exc)
    run = finished(document, timeout_s=180)
    return run.status, run.error or run.message


@pytest.mark.parametrize("name", list(EXPECTED))
def test_a_hostile_pdf_ends_with_one_line_and_the_worker_goes_on(
    worker, user, corpus, tmp_path, name
):
    status, message = outcome(user, corpus, tmp_path, name)
    expected_status, expected_words = EXPECTED[name]
    assert (status, expected_words in message) == (expected_status, True), message
    assert "\n" not in message and "Traceback" not in message
    assert worker.poll() is None, "the worker lives on"
    after = finished(upload_document(user, corpus / "camelot__us-020.pdf"))
    assert after.status == Run.Status.SUCCEEDED, "the next task runs normally"
