"""Real worker and beat processes for tests, on the test database."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

REPO = Path(__file__).resolve().parents[2]


class _Lane:
    marked = True


def note_processes_mark(marked: bool) -> None:
    """Whether the test about to run carries the `processes` mark (tests/conftest.py)."""
    _Lane.marked = marked


def require_processes_mark() -> None:
    """Refuse a process started by a test without the mark, so `make test-fast` (which skips
    marked tests) can never start one and the mark cannot drift from what a test does."""
    if not _Lane.marked:
        raise RuntimeError("this test starts a process: mark it @pytest.mark.processes")


def process_env(**overrides: str) -> dict[str, str]:
    """The environment a child needs to share this test run's database, broker and files."""
    env = dict(os.environ)
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        )
    env["VAR_DIR"] = str(settings.VAR_DIR)
    env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    env.update(overrides)
    return env


@contextmanager
def background_process(cmd: list[str], log: Path, **env: str) -> Iterator[subprocess.Popen]:
    """Run `cmd` from the repo root until the block ends; its output goes to `log`.
    The process leads a group of its own: when the block ends, whatever it started (a
    worker's pool processes, even orphaned by a kill of their parent) ends with it, so
    no process of one test takes the tasks of the next."""
    require_processes_mark()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=REPO,
            env=process_env(**env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield proc
        finally:
            stop(proc, timeout_s=15)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


def stop(proc: subprocess.Popen, timeout_s: float) -> None:
    """Terminate a child, and kill it if it has not exited within timeout_s."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def celery_process(args: list[str], log: Path, **env: str):
    """Run `celery -A backend.celery_app ARGS` (a worker or beat) until the block ends."""
    cmd = [sys.executable, "-m", "celery", "-A", "backend.celery_app", *args]
    return background_process(cmd, log, **env)


def streamlit_process(port: int, log: Path, **env: str):
    """Serve the dashboard on `port` until the block ends."""
    cmd = [sys.executable, "-m", "streamlit", "run", "dashboard/streamlit_app.py"]
    cmd += ["--server.port", str(port), "--server.headless", "true"]
    return background_process(cmd, log, **env)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(
    predicate: Callable[[], object],
    *,
    timeout_s: float,
    what: str,
    process: subprocess.Popen | None = None,
) -> object:
    """Poll until `predicate` returns something truthy; fail with `what` after the timeout,
    or at once when `process` (the one expected to do it) has died."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process exited ({process.returncode}) before {what}")
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


def workers_idle() -> bool:
    """No task waits in a queue and no worker holds one: whatever was sent has run to its end,
    so nothing sent earlier can still change a row."""
    from backend.selectors.system import system_queue_lengths, system_worker_tasks

    queued = system_queue_lengths(queues=[])
    workers = system_worker_tasks()  # a worker too busy to answer is not idle
    holding = [w for w in workers if w.active or w.reserved]
    return bool(workers) and all(n == 0 for n in queued.values()) and not holding


def beat_ticked_after(moment, *, process: subprocess.Popen | None = None) -> None:
    """Wait until beat has finished a whole scheduling tick begun after `moment`. It writes
    its heartbeat as a tick begins, so a second heartbeat after `moment` means the tick of
    the first has ended: whatever was due by `moment` has been sent by then."""
    from backend.models import Heartbeat
    from backend.vocabulary import BEAT_HEARTBEAT, HEARTBEAT_EVERY_S

    def heartbeat_after(at):
        beats = Heartbeat.objects.filter(name=BEAT_HEARTBEAT, beat_at__gt=at)
        return beats.values_list("beat_at", flat=True).first()

    timeout_s = 6 * HEARTBEAT_EVERY_S
    first = wait_for(
        lambda: heartbeat_after(moment), timeout_s=timeout_s, what="a beat tick", process=process
    )
    wait_for(
        lambda: heartbeat_after(first), timeout_s=timeout_s, what="the next tick", process=process
    )
