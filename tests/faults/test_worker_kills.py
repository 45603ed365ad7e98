"""A worker's pool process or main process killed with SIGKILL in the middle of a conversion."""

from __future__ import annotations

import re

import pytest

from backend.models import Run, Table
from backend.selectors.tables import table_content
from backend.services.run_actions import run_retry
from tests.backend.services.test_conversion import FINISHED, finished
from tests.faults.support import (
    BEAT,
    FAST_RECONCILE,
    converting,
    kill,
    log_final,
    pool_pids,
    slow_pdf,
)
from tests.support.factories import upload_document
from tests.support.processes import celery_process, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

PARTS = {"CONVERSION_PARALLEL_MIN_PAGES": "20", "CONVERSION_PART_PAGES": "10"}
LONG_PART = 40  # pages: a part that takes seconds, long enough to be killed in its middle


def contents(document) -> list:
    return [
        table_content(table=t)
        for t in Table.objects.filter(document=document).order_by("first_page", "name")
    ]


def test_a_killed_pool_process_s_part_is_sent_again_and_the_document_converts(
    user, corpus, tmp_path
):
    pdf = slow_pdf(corpus, tmp_path / "long.pdf", 30)
    args = ["worker", "-c", "1", "-n", "poolkill@%h", "--loglevel=INFO"]
    with celery_process(args, tmp_path / "worker.log", **PARTS) as worker:
        reference = upload_document(user, pdf)
        assert finished(reference).status == Run.Status.SUCCEEDED
        document = upload_document(user, pdf)
        wait_for(lambda: converting(document), timeout_s=60, what="a part under way")
        (child,) = pool_pids(worker)
        kill(child)
        run = log_final(finished(document))
        assert worker.poll() is None, "the worker lives on"
    assert run.status == Run.Status.SUCCEEDED, run.error
    assert (run.pages_done, run.pages_total) == (30, 30)
    assert contents(document) == contents(reference), "the same tables, none twice"


def test_a_killed_worker_s_conversion_is_sent_again_by_the_reconciler(user, corpus, tmp_path):
    pdf = slow_pdf(corpus, tmp_path / "long.pdf", 30)
    args = ["worker", "-c", "1", "-n", "mainkill@%h", "--loglevel=INFO"]
    with celery_process(BEAT, tmp_path / "beat.log", **FAST_RECONCILE):
        with celery_process(args, tmp_path / "worker-1.log") as worker:
            document = upload_document(user, pdf)
            wait_for(lambda: converting(document), timeout_s=60, what="the conversion under way")
            children = pool_pids(worker)
            kill(worker.pid)  # the filesystem broker deleted the message when it was taken
            for pid in children:
                kill(pid)  # as when the machine goes
        with celery_process(args, tmp_path / "worker-2.log", **FAST_RECONCILE):
            run = log_final(finished(document))
    assert run.status == Run.Status.SUCCEEDED, run.error
    assert run.resends == 1, "sent again once, by the reconciler"
    assert (run.pages_done, run.tables_found) == (
        30,
        Table.objects.filter(document=document).count(),
    )


def test_a_part_that_fails_names_its_pages_and_converting_again_redoes_only_it(
    user, corpus, tmp_path
):
    pdf = slow_pdf(corpus, tmp_path / "long.pdf", 3 * LONG_PART)
    log = tmp_path / "worker.log"
    args = ["worker", "-c", "1", "-n", "partfail@%h", "--loglevel=INFO"]
    long_parts = {**PARTS, "CONVERSION_PART_PAGES": str(LONG_PART)}
    with celery_process(args, log, CONVERSION_MAX_RETRIES="0", **long_parts) as worker:
        reference = upload_document(user, pdf)
        assert finished(reference).status == Run.Status.SUCCEEDED
        document = upload_document(user, pdf)
        # Killed between two parts, the process would lose no part (and the next one, handed
        # to the dying process, waits forever): kill it in the middle of a part, after one
        # part is done. Parts of LONG_PART pages last seconds, so the part is still under way.
        wait_for(
            lambda: second_part_under_way(document),
            timeout_s=60,
            what="one part converted and the next one under way",
        )
        (child,) = pool_pids(worker)
        kill(child)  # no retry is allowed: the part fails
        failed = log_final(finished(document))
        assert failed.status == Run.Status.FAILED
        # The pages of the one part under way when the process went. The broker need not hand
        # parts out in page order, so that part can be any of the three.
        named = re.match(r"Pages (\d+)-(\d+) failed: WorkerLostError", failed.error)
        assert named, failed.error
        first, last = int(named[1]), int(named[2])
        parts = {(start, start + LONG_PART - 1) for start in range(1, 3 * LONG_PART, LONG_PART)}
        assert (first, last) in parts, failed.error
        assert "convert again to redo only these pages" in failed.error
        again = finished_retry(run_retry(run_id=failed.pk, owner=user))
    assert again.status == Run.Status.SUCCEEDED, again.error
    assert contents(document) == contents(reference)
    parts_run = [line for line in log.read_text().splitlines() if "convert_pdf_part" in line]
    assert sum(f"[{again.task_id}-part-" in line and "succeeded" in line for line in parts_run) == 1


def second_part_under_way(document) -> bool:
    """More pages done than one part has, but not a whole number of parts: each part writes
    its progress on its last page, so a part is between its first and last page."""
    run = Run.objects.filter(document=document).first()
    return bool(run) and run.pages_done > LONG_PART and run.pages_done % LONG_PART != 0


def finished_retry(run: Run) -> Run:
    return wait_for(
        lambda: Run.objects.filter(pk=run.pk, status__in=FINISHED).first(),
        timeout_s=120,
        what="the conversion again",
    )
