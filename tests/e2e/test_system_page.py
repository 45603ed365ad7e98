"""The System page in a real browser shows the running stack as healthy."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_system_page_shows_database_broker_worker_and_beat_healthy(page, stack):
    page.goto(f"{stack.url}/system")
    expect(page.get_by_text("Workers (1)")).to_be_visible(timeout=45_000)
    # Beat writes its first heartbeat within seconds; the page refreshes itself.
    expect(page.get_by_text("healthy", exact=True)).to_have_count(4, timeout=45_000)
    expect(page.get_by_text("not healthy")).to_have_count(0)
    expect(page.get_by_text("filesystem://")).to_be_visible()
    # The worker's own details: concurrency from its stats, and the queue it consumes.
    expect(page.get_by_text(re.compile(r"e2e@\S+ · \d of 2 busy · queues: celery"))).to_be_visible(
        timeout=30_000
    )
