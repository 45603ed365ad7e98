"""Retry and cancel from the History page, against a real worker process."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django_celery_results.models import TaskResult

from backend.models import Document, Run, Table
from backend.services.bundles import table_create_from_csv
from backend.services.run_actions import RunActionRefused, run_cancel, run_retry
from tests.backend.services.test_conversion import finished
from tests.support import pdf_factory
from tests.support.factories import make_bundle_row, make_run, upload_document
from tests.support.processes import celery_process, wait_for, workers_idle

PARTS = {"CONVERSION_PARALLEL_MIN_PAGES": "4", "CONVERSION_PART_PAGES": "10"}


def result_status(task_id: str) -> str | None:
    return TaskResult.objects.filter(task_id=task_id).values_list("status", flat=True).first()


def part_files(task_id: str) -> list[str]:
    try:
        return default_storage.listdir(f"conversions/{task_id}")[1]
    except FileNotFoundError:
        return []


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_a_queued_run_cancelled_stays_revoked_when_a_worker_starts_later(user, corpus, tmp_path):
    document = upload_document(user, corpus / "camelot__us-020.pdf")
    run = Run.objects.get(document=document)
    assert run.status == Run.Status.QUEUED

    cancelled = run_cancel(run_id=run.pk, by=user)
    assert cancelled.status == Run.Status.REVOKED
    with pytest.raises(RunActionRefused):
        run_cancel(run_id=run.pk, by=user)

    # This worker never heard of the revoke; the message is still in the queue.
    with celery_process(["worker", "-c", "1", "-n", "late@%h"], tmp_path / "worker.log") as proc:
        wait_for(
            lambda: result_status(run.task_id) == "REVOKED",
            timeout_s=60,
            what="the worker to drop the cancelled task",
            process=proc,
        )
    run.refresh_from_db()
    assert run.status == Run.Status.REVOKED
    assert run.started_at is None
    assert not Table.objects.filter(document=document).exists()
    document.refresh_from_db()
    assert document.status == Document.Status.FAILED
    assert "cancelled" in document.error


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_a_running_conversion_in_parts_cancelled_ends_revoked_without_outputs(
    user, corpus, tmp_path, settings
):
    settings.CONVERSION_PARALLEL_MIN_PAGES = 4  # as the worker, so the part ids agree
    settings.CONVERSION_PART_PAGES = 10
    long_pdf = pdf_factory.repeated_pages(
        corpus / "pdfplumber__chelsea_pdta.pdf", tmp_path / "long.pdf", 120
    )
    args = ["worker", "-c", "2", "-n", "cancel@%h"]
    with celery_process(args, tmp_path / "worker.log", **PARTS) as proc:
        document = upload_document(user, long_pdf)
        run = Run.objects.get(document=document)
        wait_for(
            lambda: part_files(run.task_id),
            timeout_s=120,
            what=f"a first part to be stored (log: {tmp_path / 'worker.log'})",
            process=proc,
        )
        cancelled = run_cancel(run_id=run.pk, by=user)
        assert cancelled.status == Run.Status.REVOKED
        # Running parts are terminated, queued ones dropped. Once no part waits or runs,
        # none can write anything later.
        wait_for(workers_idle, timeout_s=60, what="the parts to stop", process=proc)
        assert proc.poll() is None, "the worker survives"

    run.refresh_from_db()
    assert run.status == Run.Status.REVOKED
    assert run.pages_done < 120
    assert not Table.objects.filter(document=document).exists()
    assert part_files(run.task_id) == []
    # The chord's finishing step never runs: Celery fails it for its revoked parts.
    assert result_status(f"{run.task_id}-finish") in (None, "REVOKED", "FAILURE")


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_a_failed_conversion_retried_with_the_password_succeeds(user, corpus, tmp_path):
    with celery_process(["worker", "-c", "1", "-n", "retry@%h"], tmp_path / "worker.log"):
        document = upload_document(user, corpus / "camelot__health_protected.pdf")
        failed = finished(document)
        assert failed.status == Run.Status.FAILED
        with pytest.raises(RunActionRefused):
            run_retry(
                run_id=make_run(
                    kind="conversion",
                    owner=user,
                    task_id="x",
                    document=document,
                    status="succeeded",
                ).pk,
                owner=user,
            )

        retried = run_retry(run_id=failed.pk, owner=user, password="userpass")
        assert retried.retry_of_id == failed.pk
        assert retried.pk != failed.pk
        done = wait_for(
            lambda: Run.objects.filter(pk=retried.pk, status__in=("succeeded", "failed")).first(),
            timeout_s=120,
            what="the retried conversion",
        )
    assert done.status == Run.Status.SUCCEEDED, done.error
    assert Table.objects.filter(document=document).exists()
    assert list(failed.retries.values_list("pk", flat=True)) == [retried.pk]


@pytest.mark.django_db  # inside a rolled-back transaction: the task is never sent
def test_a_failed_load_is_retried_as_a_new_load_and_only_once_at_a_time():
    from tests.support.users import user_default

    owner = user_default()
    bundle = make_bundle_row(owner, name="sales")
    table_create_from_csv(
        owner=owner, name="sales.csv", content=b"day,sum\n1,2\n", bundle_id=bundle.pk
    )
    failed = make_run(kind="load", status="failed", owner=owner, task_id="load-1", bundle=bundle)
    retried = run_retry(run_id=failed.pk, owner=owner)
    assert (retried.kind, retried.status, retried.bundle_id, retried.retry_of_id) == (
        "load",
        "queued",
        bundle.pk,
        failed.pk,
    )
    with pytest.raises(RunActionRefused, match="under way"):
        run_retry(run_id=failed.pk, owner=owner)
