"""What the fault tests share: a slow enough PDF, the pool processes of a worker, kills."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from backend.celery_app import app
from backend.models import Run
from tests.support import pdf_factory
from tests.support.processes import stop, wait_for

logger = logging.getLogger(__name__)

BEAT = ["beat", "--scheduler", "backend.beat:DatabaseScheduler", "--loglevel=INFO"]
# The reconciler looks every second and takes a run for lost after two seconds unheld.
FAST_RECONCILE = {"RECONCILE_EVERY_S": "1", "RUN_LOST_AFTER_S": "2"}


def slow_pdf(corpus: Path, target: Path, pages: int) -> Path:
    """A PDF of `pages` ruled pages, about a sixth of a second each to convert."""
    return pdf_factory.repeated_pages(corpus / "pdfplumber__chelsea_pdta.pdf", target, pages)


def pool_pids(worker: subprocess.Popen) -> list[int]:
    """The worker's pool processes (the prefork children of its main process)."""
    out = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True)
    return [int(pid) for pid in out.stdout.split()]


def kill(pid: int) -> None:
    # Logged with its time, so that a run's time to its final state can be read afterwards.
    logger.info("SIGKILL to process %s", pid)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def log_final(run: Run) -> Run:
    """Log when the run ended, to be read beside the time of the fault."""
    logger.info("run %s ended %s at %s", run.pk, run.status, run.finished_at.time())
    return run


def converting(document) -> Run | None:
    """The document's run once a worker has converted a page of it."""
    return Run.objects.filter(
        document=document, pages_done__gt=0, status=Run.Status.PROGRESS
    ).first()


def successes(log: Path, task_id: str) -> int:
    """How many times the worker log says the task succeeded (twice = converted twice)."""
    return sum(f"[{task_id}] succeeded" in line for line in log.read_text().splitlines())


def forget_connections() -> None:
    """Let this process's app connect anew to the broker its configuration names now."""
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_of_this_process(url: str) -> Iterator[None]:
    """Send this process's tasks to `url` inside the block."""
    previous = app.conf.broker_url, app.conf.broker_transport
    app.conf.broker_url, app.conf.broker_transport = url, None
    forget_connections()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_transport = previous
        forget_connections()


@contextmanager
def private_filesystem_broker(folder: Path) -> Iterator[None]:
    """Send and inspect through a filesystem broker under `folder` inside the block."""
    (folder / "queue").mkdir(parents=True, exist_ok=True)
    (folder / "control").mkdir(exist_ok=True)
    previous = app.conf.broker_transport_options
    app.conf.broker_transport_options = {
        **previous,
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "control"),
    }
    forget_connections()
    try:
        yield
    finally:
        app.conf.broker_transport_options = previous
        forget_connections()


@contextmanager
def private_redis(port: int, log: Path) -> Iterator[subprocess.Popen]:
    """A Redis of the test's own, without persistence: a restart loses every message."""
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(lambda: _answers(port), timeout_s=20, what="redis", process=proc)
            yield proc
        finally:
            stop(proc, timeout_s=5)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False
