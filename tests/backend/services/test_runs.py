"""A run's times say what happened to it."""

from __future__ import annotations

from backend.models import Run
from backend.services.failures import run_fail
from backend.services.loads import load_fail
from backend.services.runs import run_revoke, run_started
from tests.support.factories import make_run


def test_a_run_revoked_before_it_started_has_no_duration(user):
    make_run(kind="load", owner=user, task_id="never-started")
    assert run_revoke(task_id="never-started", message="Cancelled by local.")
    run = Run.objects.get(task_id="never-started")
    assert run.status == "revoked" and run.finished_at is not None
    assert run.duration_s is None


def test_a_run_revoked_while_running_has_its_duration(user):
    make_run(kind="load", owner=user, task_id="running")
    run_started(task_id="running")
    assert run_revoke(task_id="running", message="Cancelled by local.")
    run = Run.objects.get(task_id="running")
    assert run.duration_s is not None and run.duration_s >= 0


def test_a_failure_the_service_did_not_handle_is_the_systems(user):
    make_run(kind="load", owner=user, task_id="crashed")
    run_fail(task_id="crashed", message="Unexpected error: OSError: disk full")
    make_run(kind="load", owner=user, task_id="bad-input")
    load_fail(task_id="bad-input", message="row 3, column amount: 'lots' is not a number")
    assert Run.objects.get(task_id="crashed").system_failure
    assert not Run.objects.get(task_id="bad-input").system_failure
