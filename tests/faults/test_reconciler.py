"""The reconciler on runs whose task no worker and no queue holds."""

from __future__ import annotations

import json

import pytest

from backend.celery_app import app
from backend.dispatch import held_task_ids
from backend.models import Document, Run
from backend.services.reconcile import runs_reconcile
from backend.vocabulary import WAITING_FOR_QUEUE
from tests.faults.support import broker_of_this_process
from tests.support.factories import upload_document

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lost_quickly(settings):
    settings.RUN_LOST_AFTER_S = 0


def vanish(run: Run) -> None:
    """Take the run's message out of the queue, as a broker restart or a dead worker does."""
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)
    assert run.task_id not in held_task_ids()


def test_a_run_whose_task_vanished_is_sent_again_then_closed(user, corpus, lost_quickly, settings):
    document = upload_document(user, corpus / "camelot__health_protected.pdf", password="userpass")
    assert "userpass" not in json.dumps(document.options), "sealed, never plain text"
    run = Run.objects.get(document=document)
    vanish(run)
    assert runs_reconcile() == {"watched": 1}, "a first look only notes the run"
    assert runs_reconcile() == {"resent": 1}
    run.refresh_from_db()
    assert (run.status, run.resends) == (Run.Status.QUEUED, 1)
    assert "its queue lost the task; sent again at" in run.message.lower()
    assert run.task_id in held_task_ids(), "the task is in the queue again"
    assert runs_reconcile() == {"held": 1}

    settings.RECONCILE_MAX_RESENDS = 1
    vanish(run)
    runs_reconcile()
    assert runs_reconcile() == {"closed": 1}
    run.refresh_from_db()
    document.refresh_from_db()
    assert run.status == Run.Status.FAILED and run.system_failure
    assert run.error.startswith("Closed at ") and "after 1 sends again" in run.error
    assert document.status == Document.Status.FAILED
    forgotten = [k for k in document.options if "password" in k]
    assert forgotten == [], "closing a conversion forgets its password"


def test_an_upload_while_the_broker_is_down_waits_for_the_queue(user, corpus, lost_quickly):
    broken = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    with broker_of_this_process(broken):
        document = upload_document(user, corpus / "camelot__us-020.pdf")
        run = Run.objects.get(document=document)
        assert run.message == WAITING_FOR_QUEUE
        assert runs_reconcile() == {"undecided": 1}, "nothing is decided while the broker is away"
    runs_reconcile()
    assert runs_reconcile() == {"resent": 1}
    run.refresh_from_db()
    assert run.status == Run.Status.QUEUED and run.task_id in held_task_ids()
