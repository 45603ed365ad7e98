"""The audit trail: who did what, when and from where."""

from __future__ import annotations

import logging

from django.contrib.auth.models import User

from backend.models import AuditEvent

logger = logging.getLogger(__name__)


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    username: str = "",
    client: str = "",
    detail: str = "",
) -> AuditEvent:
    """Write one audit event (and log it); `username` defaults to the actor's."""
    event = AuditEvent.objects.create(
        action=action,
        actor=actor,
        username=username or (actor.username if actor else ""),
        client=client[:64],
        detail=detail[:255],
    )
    logger.info("audit %s by %s from %s: %s", action, event.username, client or "-", detail)
    return event
