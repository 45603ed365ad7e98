"""Set Django up once per process, and hand out fresh connections per script run."""

from __future__ import annotations

import os

import django
from django.db import close_old_connections


def boot() -> None:
    """Make the ORM usable from this Streamlit script run."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    django.setup()  # idempotent: a second call finds the apps ready
    # Each rerun may land on another thread; drop connections that went stale.
    close_old_connections()
