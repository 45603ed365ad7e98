"""Liveness marks written by long-lived processes that answer no ping (beat)."""

from __future__ import annotations

import os
import socket

from django.utils import timezone

from backend.models import Heartbeat


def heartbeat_write(*, name: str) -> None:
    """Record that process `name` is alive now, with where it runs."""
    detail = {"host": socket.gethostname(), "pid": os.getpid()}
    Heartbeat.objects.update_or_create(
        name=name, defaults={"beat_at": timezone.now(), "detail": detail}
    )
