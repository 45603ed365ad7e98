"""Who is using the dashboard (one local user until sign-in exists)."""

from __future__ import annotations

from django.contrib.auth.models import User

from backend.services.users import user_default


def current_user() -> User:
    return user_default()
