"""A run's times say what happened to it."""

from __future__ import annotations

from backend.models import Run
from backend.services.runs import run_revoke, run_started


def test_a_run_revoked_before_it_started_has_no_duration(user):
    Run.objects.create(kind="load", owner=user, task_id="never-started")
    assert run_revoke(task_id="never-started", message="Cancelled by local.")
    run = Run.objects.get(task_id="never-started")
    assert run.status == "revoked" and run.finished_at is not None
    assert run.duration_s is None


def test_a_run_revoked_while_running_has_its_duration(user):
    Run.objects.create(kind="load", owner=user, task_id="running")
    run_started(task_id="running")
    assert run_revoke(task_id="running", message="Cancelled by local.")
    run = Run.objects.get(task_id="running")
    assert run.duration_s is not None and run.duration_s >= 0
