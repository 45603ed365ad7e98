"""Conversion settings that need a worker of their own: parallel parts, time limits."""

from __future__ import annotations

import pytest

from backend.models import Run, Table
from backend.selectors.tables import table_content
from tests.backend.services.test_conversion import finished
from tests.support import pdf_factory
from tests.support.factories import upload_document
from tests.support.processes import celery_process


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_a_long_document_is_split_into_parts_and_a_table_across_parts_is_merged(
    user, corpus, tmp_path
):
    # Parts of two pages: us-020's table on pages 2-3 straddles the first boundary.
    env = {"CONVERSION_PARALLEL_MIN_PAGES": "4", "CONVERSION_PART_PAGES": "2"}
    args = ["worker", "-c", "2", "-Q", "celery", "-n", "parts@%h", "--loglevel=INFO"]
    whole = upload_document(user, corpus / "camelot__us-020.pdf", pages="2-3")
    with celery_process(args, tmp_path / "worker.log", **env):
        assert finished(whole).status == Run.Status.SUCCEEDED
        split = upload_document(user, corpus / "camelot__us-020.pdf")
        run = finished(split)
    assert run.status == Run.Status.SUCCEEDED, run.error
    assert (run.pages_done, run.pages_total) == (6, 6)
    merged = Table.objects.get(document=split, first_page=2)
    assert merged.last_page == 3
    reference = Table.objects.get(document=whole)
    assert table_content(table=merged) == table_content(table=reference)
    storage, folder = split.file.storage, f"conversions/{run.task_id}"
    assert not storage.exists(folder) or storage.listdir(folder) == ([], []), "parts are removed"
    # Every line the worker wrote for the run names it, from the main task and each part.
    lines = (tmp_path / "worker.log").read_text().splitlines()
    mine = [line for line in lines if f" run={run.pk} " in line]
    assert any("6 pages, strategy auto, in parts" in line for line in mine), lines
    assert sum("pages read in" in line for line in mine) == 3, "one line per two-page part"


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_the_time_limit_stops_a_slow_file_and_says_so(user, corpus, tmp_path):
    long_pdf = pdf_factory.repeated_pages(
        corpus / "pdfplumber__chelsea_pdta.pdf", tmp_path / "long.pdf", 120
    )
    env = {"CONVERSION_SOFT_TIME_LIMIT_S": "2", "CONVERSION_PARALLEL_MIN_PAGES": "1000"}
    with celery_process(
        ["worker", "-c", "1", "-n", "limits@%h"], tmp_path / "worker.log", **env
    ) as proc:
        document = upload_document(user, long_pdf)
        run = finished(document)
        assert proc.poll() is None, "the worker survives"
    assert run.status == Run.Status.FAILED
    assert "time limit" in run.error
