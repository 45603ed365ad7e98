"""Reads for administrators: the accounts and the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from backend.access import require_admin
from backend.models import AuditEvent


def users_list(*, by: User) -> list[dict[str, Any]]:
    """Every account with its role and state, for the Users page."""
    require_admin(by)
    return [
        {
            "id": u.pk,
            "username": u.username,
            "administrator": u.is_superuser,
            "active": u.is_active,
            "groups": ", ".join(g.name for g in u.groups.all()),
            "last_sign_in": u.last_login,
        }
        for u in User.objects.prefetch_related("groups").order_by("username")
    ]


def audit_events(*, by: User, limit: int = 200) -> list[dict[str, Any]]:
    """The newest audit events first."""
    require_admin(by)
    return [
        {
            "at": e.at,
            "action": e.get_action_display(),
            "who": e.username,
            "from": e.client,
            "detail": e.detail,
        }
        for e in AuditEvent.objects.order_by("-at")[:limit]
    ]
