"""Sign-in: the first administrator, lockout, sessions that end (and leave the session table,
by the service and on beat's schedule), and loads of a deactivated account refused when they run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.utils import timezone

from backend.models import AuditEvent, Run
from backend.services.bundles import bundle_create, table_create_from_csv
from backend.services.loads import LoadFailed, load_run
from backend.services.users import (
    SignInRefused,
    session_end,
    session_start,
    session_user,
    sessions_clear_expired,
    user_create_first_admin,
    user_set_active,
    user_set_password,
    user_sign_in,
)
from tests.support.processes import celery_process, wait_for
from tests.support.users import PASSWORD, member, user_default


@pytest.mark.django_db
def test_the_first_administrator_is_created_only_when_no_user_exists():
    admin = user_create_first_admin(username="root", password=PASSWORD)
    assert admin.is_superuser and admin.check_password(PASSWORD)
    with pytest.raises(SignInRefused, match="exists already"):
        user_create_first_admin(username="second", password=PASSWORD)
    assert list(User.objects.values_list("username", flat=True)) == ["root"]


@pytest.mark.django_db
def test_a_weak_first_password_is_refused_with_django_validators():
    with pytest.raises(SignInRefused, match=r"too short|too common"):
        user_create_first_admin(username="root", password="abc")
    assert not User.objects.exists()


@pytest.mark.django_db
@override_settings(SIGN_IN_MAX_FAILURES=3, SIGN_IN_LOCKOUT_S=600)
def test_sign_in_locks_a_name_after_n_failures_even_with_the_right_password():
    member("ann")
    for _ in range(3):
        with pytest.raises(SignInRefused, match="Wrong user name or password"):
            user_sign_in(username="ann", password="wrong", client="10.0.0.1")
    with pytest.raises(SignInRefused, match="Too many failed sign-ins for ann: try again in 10"):
        user_sign_in(username="ann", password=PASSWORD, client="10.0.0.2")
    assert AuditEvent.objects.filter(action="sign_in_failed", username="ann").count() == 3


@pytest.mark.django_db
@override_settings(SIGN_IN_MAX_FAILURES=3, SIGN_IN_LOCKOUT_S=600)
def test_sign_in_locks_a_client_that_tries_many_names():
    member("bob")
    for name in ("x", "y", "z"):
        with pytest.raises(SignInRefused):
            user_sign_in(username=name, password="wrong", client="10.0.0.9")
    with pytest.raises(SignInRefused, match="from this address"):
        user_sign_in(username="bob", password=PASSWORD, client="10.0.0.9")
    assert user_sign_in(username="bob", password=PASSWORD, client="10.0.0.10")


@pytest.mark.django_db
def test_a_session_ends_at_sign_out_at_a_password_reset_and_at_deactivation():
    ann, admin = member("ann"), user_default()
    key = user_sign_in(username="ann", password=PASSWORD)
    assert session_user(session_key=key) == ann
    session_end(session_key=key)
    assert session_user(session_key=key) is None

    key = user_sign_in(username="ann", password=PASSWORD)
    user_set_password(by=admin, user_id=ann.pk, password=PASSWORD + " new")
    assert session_user(session_key=key) is None

    key = user_sign_in(username="ann", password=PASSWORD + " new")
    user_set_active(by=admin, user_id=ann.pk, active=False)
    assert session_user(session_key=key) is None
    with pytest.raises(SignInRefused):
        user_sign_in(username="ann", password=PASSWORD + " new")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"sign_in", "sign_out", "user_changed", "sign_in_failed"} <= actions


@pytest.mark.django_db(transaction=True)
def test_a_scheduled_load_of_a_deactivated_account_fails_and_loads_nothing():
    ann = member("ann")
    bundle = bundle_create(owner=ann, name="sales", target_table="sales", load_mode="append")
    table_create_from_csv(owner=ann, name="s.csv", content=b"a,b\n1,2\n", bundle_id=bundle.pk)
    User.objects.filter(pk=ann.pk).update(is_active=False)
    with pytest.raises(LoadFailed):
        load_run(
            bundle_id=bundle.pk,
            username="ann",
            task_id="scheduled-1",
            trigger=Run.Trigger.SCHEDULE,
            on_progress=lambda **_: None,
        )
    run = Run.objects.get(task_id="scheduled-1")
    assert run.status == Run.Status.FAILED
    assert run.error == "Nothing loaded: The account ann is deactivated."
    assert run.rows_loaded == 0


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
