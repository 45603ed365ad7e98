"""Who acts: until the dashboard has accounts, one local user."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User


def user_default() -> User:
    """The dashboard's acting user, created on first use."""
    user, _ = User.objects.get_or_create(username=settings.DASHBOARD_USERNAME)
    return user


def user_by_name(*, username: str) -> User:
    """The user a scheduled or queued job acts for; raises User.DoesNotExist."""
    return User.objects.get(username=username)
