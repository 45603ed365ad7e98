"""Expired sign-ins leave the session table: by the service, and on beat's schedule through a
real beat and worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from backend.services.users import session_start, session_user, sessions_clear_expired
from tests.support.processes import celery_process, wait_for
from tests.support.users import member

BEAT = ["beat", "--scheduler", "backend.beat:DatabaseScheduler", "--loglevel=INFO"]


def expired_and_live(username: str) -> tuple[str, str]:
    """Two sessions of one person: one past its expiry, one not."""
    person = member(username)
    expired, live = session_start(user=person), session_start(user=person)
    past = timezone.now() - timedelta(minutes=1)
    Session.objects.filter(session_key=expired).update(expire_date=past)
    return expired, live


@pytest.mark.django_db
def test_expired_sessions_are_deleted_and_live_ones_kept():
    expired, live = expired_and_live("ann")
    assert session_user(session_key=expired) is None  # already refused, but still stored
    assert Session.objects.filter(session_key=expired).exists()
    assert sessions_clear_expired() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
    assert session_user(session_key=live) is not None
    assert sessions_clear_expired() == 0


@pytest.mark.django_db(transaction=True)
def test_beat_clears_expired_sessions_on_its_schedule(worker, tmp_path):
    expired, live = expired_and_live("bob")
    with celery_process(BEAT, tmp_path / "beat.log", SESSIONS_CLEAR_EVERY_S="1") as beat:
        wait_for(
            lambda: not Session.objects.filter(session_key=expired).exists(),
            timeout_s=60,
            what=f"beat's session sweep (logs in {tmp_path})",
            process=beat,
        )
    assert Session.objects.filter(session_key=live).exists()
    assert "clear_expired_sessions" in (tmp_path / "beat.log").read_text()
