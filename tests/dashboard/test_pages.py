"""Every page renders through Streamlit's AppTest, against the test database."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "dashboard" / "streamlit_app.py"
PAGES = {
    "upload": "Upload",
    "documents": "Documents",
    "bundles": "Bundles",
    "warehouse": "Warehouse",
    "schedules": "Schedules",
    "history": "History",
    "system": "System",
}


def open_page(page: str) -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=30)
    app.run()
    app.switch_page(f"app_pages/{page}.py")
    app.run()
    return app


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page", list(PAGES))
def test_page_renders_without_exception(page):
    app = open_page(page)
    assert not app.exception, app.exception
    assert app.title[0].value == PAGES[page]


@pytest.mark.django_db(transaction=True)
def test_system_page_reports_database_and_broker_without_worker_or_beat():
    app = open_page("system")
    healthy = [s.body for s in app.success]
    unhealthy = [e.body for e in app.error]
    # The embedded database and broker are always there; no worker or beat runs here.
    assert healthy == ["healthy", "healthy"]
    assert unhealthy == ["not healthy", "not healthy"]
    captions = " ".join(c.value for c in app.caption)
    assert "sqlite" in captions
    assert "no worker answered a ping" in captions
    assert "beat has never written a heartbeat" in captions
