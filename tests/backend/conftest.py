"""Fixtures for the backend tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def own_warehouse(settings, tmp_path) -> None:
    """A warehouse of this test's own, so the tables it loads do not show in other tests'
    listings of the shared one."""
    settings.WAREHOUSE_URL = f"sqlite:///{tmp_path / 'warehouse.sqlite3'}"
