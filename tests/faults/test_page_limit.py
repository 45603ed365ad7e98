"""A PDF longer than PDF_MAX_PAGES is refused with one line before any page is read."""

from __future__ import annotations

import pytest

from backend.models import Run
from backend.services.documents import UploadRejected
from tests.backend.services.test_conversion import finished
from tests.support import hostile_pdfs
from tests.support.factories import upload_document
from tests.support.processes import celery_process

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def test_an_upload_longer_than_the_limit_is_refused_naming_both_counts(user, tmp_path, settings):
    settings.PDF_MAX_PAGES = 40
    pdf = hostile_pdfs.thousands_of_pages(tmp_path / "long.pdf", 41)
    with pytest.raises(UploadRejected) as refused:
        upload_document(user, pdf)
    assert str(refused.value) == "the PDF has 41 pages; the limit is 40"
    assert not Run.objects.exists(), "nothing stored, nothing queued"


def test_a_stored_document_past_the_worker_s_limit_fails_before_any_page(user, tmp_path):
    """As when the limit was lowered after the upload, or the upload could not count pages."""
    pdf = hostile_pdfs.thousands_of_pages(tmp_path / "long.pdf", 41)
    args = ["worker", "-c", "1", "-n", "pagelimit@%h", "--loglevel=INFO"]
    with celery_process(args, tmp_path / "worker.log", PDF_MAX_PAGES="40"):
        run = finished(upload_document(user, pdf))
    assert run.status == Run.Status.FAILED
    assert run.error == "the PDF has 41 pages; the limit is 40"
    assert run.pages_done == 0, "refused before extraction"
