"""Reads for administrators: the accounts and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User

from backend.access import require_admin
from backend.models import AuditEvent


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    administrator: bool
    active: bool
    groups: str  # their names, comma-separated
    last_sign_in: datetime | None


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    action: str
    who: str
    client: str  # where from: the client's address as the proxy or socket gave it
    detail: str


def users_list(*, by: User) -> list[Account]:
    """Every account with its role and state, for the Users page."""
    require_admin(by)
    return [
        Account(
            id=u.pk,
            username=u.username,
            administrator=u.is_superuser,
            active=u.is_active,
            groups=", ".join(g.name for g in u.groups.all()),
            last_sign_in=u.last_login,
        )
        for u in User.objects.prefetch_related("groups").order_by("username")
    ]


def audit_events(*, by: User, limit: int = 200) -> list[AuditRow]:
    """The newest audit events first."""
    require_admin(by)
    return [
        AuditRow(e.at, e.get_action_display(), e.username, e.client, e.detail)
        for e in AuditEvent.objects.order_by("-at")[:limit]
    ]
