"""The people tests act as: an administrator (as the one local user was), and members."""

from __future__ import annotations

from django.contrib.auth.models import User

PASSWORD = "correct horse battery"


def user_default() -> User:
    """The administrator most tests act as; created on first use."""
    user, created = User.objects.get_or_create(
        username="local", defaults={"is_superuser": True, "is_staff": True}
    )
    if created:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return user


def member(username: str) -> User:
    """A member (no administrator role) who signs in with PASSWORD."""
    return User.objects.create_user(username=username, password=PASSWORD)
