"""The whole product (web, worker, beat) on the test database, and a real Chromium."""

from __future__ import annotations

import os
import shutil
import socket
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from backend.celery_app import app
from tests.support.processes import celery_process, free_port, streamlit_process, wait_for

# Playwright's sync API keeps an event loop on this thread; the test database calls
# made beside it are still synchronous, so Django's async guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


WAIT_MS = 30_000  # the longest a browser test waits for an ordinary page state


@dataclass
class Stack:
    url: str
    logs: Path


def _port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="package")
def stack(django_db_setup, django_db_blocker, tmp_path_factory) -> Stack:
    """web + worker + beat, as `make run` starts them, sharing the test database. Stopped
    when the browser tests end: its worker and its beat's reconciler would otherwise go on
    taking and judging the runs of the tests after them."""
    logs = tmp_path_factory.mktemp("stack-logs")
    port = free_port()
    # Tasks other test modules left queued would keep this worker busy first.
    app.control.purge()
    with ExitStack() as processes:
        web = processes.enter_context(streamlit_process(port, logs / "web.log"))
        processes.enter_context(celery_process(["worker", "-n", "e2e@%h"], logs / "worker.log"))
        processes.enter_context(
            celery_process(
                ["beat", "--scheduler", "backend.beat:DatabaseScheduler"], logs / "beat.log"
            )
        )
        wait_for(lambda: _port_answers(port), timeout_s=60, what="the dashboard", process=web)
        yield Stack(url=f"http://127.0.0.1:{port}", logs=logs)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"no Chromium at {CHROMIUM} (REQUIRE_BROWSER=1)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    # A redraw on a busy machine can outlast expect's 5 s default: every check waits for
    # its state as long as an action may.
    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def signed_in_context(browser, stack: Stack, user):
    """A browser context whose cookie holds a real Django session of `user`."""
    from backend.services.users import session_start
    from dashboard.session import COOKIE

    context = browser.new_context(viewport={"width": 1400, "height": 900})
    key = session_start(user=user)
    context.add_cookies([{"name": COOKIE, "value": key, "url": stack.url}])
    return context


@pytest.fixture
def page(browser, stack, transactional_db):
    from tests.support.users import user_default

    context = signed_in_context(browser, stack, user_default())
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    yield page
    context.close()
