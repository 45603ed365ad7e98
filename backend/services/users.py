"""People: sign-in with Django's users and password hashers, server-side sessions, the
first administrator, and the administrators' changes to accounts."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, authenticate
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from backend.access import require_admin
from backend.errors import UserFixable
from backend.models import AuditEvent
from backend.services.audit import audit_record


class SignInRefused(UserFixable):
    """Wrong name or password, a locked-out name or client, or a refused new password."""


def user_by_name(*, username: str) -> User:
    """The user a scheduled or queued job acts for; raises User.DoesNotExist."""
    return User.objects.get(username=username)


def users_exist() -> bool:
    return User.objects.exists()


def _password_check(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise SignInRefused(" ".join(exc.messages)) from None


def user_create_first_admin(*, username: str, password: str, client: str = "") -> User:
    """Create the first administrator; refused once any user exists."""
    with transaction.atomic():
        if User.objects.select_for_update().exists():
            raise SignInRefused("An administrator exists already: sign in instead.")
        user = User(username=username.strip(), is_superuser=True, is_staff=True)
        _password_check(password, user)
        user.set_password(password)
        user.save()
    audit_record(
        action=AuditEvent.Action.USER_CHANGED,
        actor=user,
        client=client,
        detail=f"created the first administrator {user.username}",
    )
    return user


def sign_in_lockout(*, username: str, client: str) -> str:
    """Why sign-in is refused for this name or client now; "" when it is not."""
    since = timezone.now() - timedelta(seconds=settings.SIGN_IN_LOCKOUT_S)
    failures = AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_FAILED, at__gte=since)
    minutes = settings.SIGN_IN_LOCKOUT_S // 60
    limit = settings.SIGN_IN_MAX_FAILURES
    if failures.filter(username=username).count() >= limit:
        return f"Too many failed sign-ins for {username}: try again in {minutes} minutes."
    if client and failures.filter(client=client).count() >= limit:
        return f"Too many failed sign-ins from this address: try again in {minutes} minutes."
    return ""


def user_sign_in(*, username: str, password: str, client: str = "") -> str:
    """Check the password with Django's hashers and open a session; returns its key.
    Refused (and recorded) when wrong, or while the name or client is locked out."""
    locked = sign_in_lockout(username=username, client=client)
    if locked:
        raise SignInRefused(locked)
    user = authenticate(username=username, password=password)
    if user is None:
        audit_record(action=AuditEvent.Action.SIGN_IN_FAILED, username=username, client=client)
        raise SignInRefused("Wrong user name or password (or the account is deactivated).")
    return session_start(user=user, client=client)


def session_start(*, user: User, client: str = "") -> str:
    """A new server-side session for the user, expiring after SESSION_COOKIE_AGE."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    # A password reset changes this hash, which ends every session opened before it.
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.set_expiry(settings.SESSION_COOKIE_AGE)
    session.create()
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    audit_record(action=AuditEvent.Action.SIGN_IN, actor=user, client=client)
    assert session.session_key is not None  # create() gave it one
    return session.session_key


def session_user(*, session_key: str) -> User | None:
    """The active user of an unexpired session, or None."""
    if not session_key:
        return None
    session = SessionStore(session_key=session_key)
    user_id = session.get(SESSION_KEY)
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not constant_time_compare(
        session.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()
    ):
        return None
    return user


def sessions_clear_expired() -> int:
    """Delete the sessions past their expiry, as `manage.py clearsessions` does; returns how
    many there were."""
    engine = import_module(settings.SESSION_ENGINE)
    expired = Session.objects.filter(expire_date__lt=timezone.now()).count()
    engine.SessionStore.clear_expired()
    return expired


def session_end(*, session_key: str, client: str = "") -> None:
    """Sign out: the session is deleted, so every tab that shares it is signed out."""
    user = session_user(session_key=session_key)
    SessionStore(session_key=session_key).delete()
    if user is not None:
        audit_record(action=AuditEvent.Action.SIGN_OUT, actor=user, client=client)


def user_from_identity(*, email: str, name: str = "", client: str = "") -> User:
    """The Django user of a person signed in through OpenID Connect, created on first
    sign-in (as a member; the first one ever becomes the administrator)."""
    user = User.objects.filter(username=email).first()
    if user is None:
        first = not User.objects.exists()
        user = User(username=email, email=email, first_name=name[:150], is_superuser=first)
        user.set_unusable_password()
        user.save()
        audit_record(
            action=AuditEvent.Action.USER_CHANGED,
            actor=user,
            client=client,
            detail=f"created {email} at first sign-in through OpenID Connect",
        )
    return user


def user_create(
    *, by: User, username: str, password: str, admin: bool = False, client: str = ""
) -> User:
    """An administrator creates an account."""
    require_admin(by)
    if User.objects.filter(username=username).exists():
        raise SignInRefused(f"The user name {username} is taken.")
    user = User(username=username.strip(), is_superuser=admin, is_staff=admin)
    _password_check(password, user)
    user.set_password(password)
    user.save()
    role = "administrator" if admin else "member"
    _changed(by, client, f"created {role} {user.username}")
    return user


def user_set_active(*, by: User, user_id: int, active: bool, client: str = "") -> User:
    """Deactivate (sessions end, schedules stop loading) or reactivate an account."""
    require_admin(by)
    user = User.objects.get(pk=user_id)
    if user.pk == by.pk and not active:
        raise SignInRefused("You cannot deactivate your own account.")
    User.objects.filter(pk=user.pk).update(is_active=active)
    _changed(by, client, f"{'reactivated' if active else 'deactivated'} {user.username}")
    return User.objects.get(pk=user_id)


def user_set_password(*, by: User, user_id: int, password: str, client: str = "") -> User:
    """Reset a password; the user's open sessions end with it."""
    require_admin(by)
    user = User.objects.get(pk=user_id)
    _password_check(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    _changed(by, client, f"reset the password of {user.username}")
    return user


def user_set_admin(*, by: User, user_id: int, admin: bool, client: str = "") -> User:
    """Make an account an administrator, or a member again."""
    require_admin(by)
    if user_id == by.pk and not admin:
        raise SignInRefused("You cannot take away your own administrator role.")
    User.objects.filter(pk=user_id).update(is_superuser=admin, is_staff=admin)
    user = User.objects.get(pk=user_id)
    _changed(by, client, f"made {user.username} {'an administrator' if admin else 'a member'}")
    return user


def _changed(by: User, client: str, detail: str) -> None:
    audit_record(action=AuditEvent.Action.USER_CHANGED, actor=by, client=client, detail=detail)
