"""Shared fixtures: the corpus, the acting user, and a real worker on the test database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support import processes
from tests.support.processes import celery_process, wait_for

# Fixtures that start processes, and folders whose every test does: tests using them carry
# the `processes` mark without saying so. Any other test that starts one marks itself.
PROCESS_FIXTURES = {"worker", "load_worker", "production", "s3_server", "stack", "browser"}
PROCESS_FOLDERS = {"e2e", "faults", "tasks"}

CORPUS = Path(
    os.environ.get("CORPUS_DIR", Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus")
).resolve()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & PROCESS_FIXTURES or item.path.parent.name in PROCESS_FOLDERS:
            item.add_marker(pytest.mark.processes)


def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before any fixture of the test is set up, module-scoped ones included.
    processes.note_processes_mark(item.get_closest_marker("processes") is not None)


@pytest.fixture
def own_warehouse(settings, tmp_path) -> None:
    """A warehouse of this test's own: its listing holds only the tables the test loads,
    whatever earlier tests (browser tests included) left in the shared one."""
    settings.WAREHOUSE_URL = f"sqlite:///{tmp_path / 'warehouse.sqlite3'}"


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.fail(f"the PDF corpus is not at {CORPUS} (set CORPUS_DIR)")
    return CORPUS


@pytest.fixture
def user(transactional_db):
    from tests.support.users import user_default

    return user_default()


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """A prefork worker with two processes on the default queue, as `make run` starts it.
    Per module, so that a module can start workers of its own with other settings."""
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    args = ["worker", "-c", "2", "-n", "tests@%h", "--loglevel=INFO"]
    with celery_process(args, log) as proc:
        from backend.celery_app import app

        wait_for(
            lambda: app.control.ping(timeout=0.5), timeout_s=60, what="the worker", process=proc
        )
        yield proc
