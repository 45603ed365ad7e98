"""Hostile PDFs through a real worker: time to the run's end, peak memory of the pool
process, and the one line the person who uploaded the file reads.

Each class of tests/support/hostile_pdfs.py is uploaded on a scratch VAR_DIR to one worker
with one pool process, replaced after every task (--max-tasks-per-child 1) so that each
file's peak is its own (VmHWM of the pool processes that ran it, sampled every 50 ms).
Classes refused at upload never reach the worker (time and memory are the web process's).

    .venv/bin/python bench/hostile.py
Last line: `classes=N all_final=yes|no max_pool_mb=M max_s=S memory_budget_mb=B`.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="dataops-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
sys.path.insert(0, str(REPO))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from backend.models import Run  # noqa: E402
from backend.services.documents import (  # noqa: E402
    ConversionOptions,
    UploadRejected,
    document_upload,
)
from tests.support.hostile_pdfs import CLASSES  # noqa: E402
from tests.support.users import user_default  # noqa: E402

CORPUS = Path(os.environ.get("CORPUS_DIR", REPO.parent / "shared" / "corpus"))


def peak_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def pool_pids(worker: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(worker)], capture_output=True, text=True)
    return [int(pid) for pid in out.stdout.split()]


class PoolPeak:
    """The highest VmHWM of any pool process seen since the last reset."""

    def __init__(self, worker: int) -> None:
        self.worker, self.kb, self.stop = worker, 0, threading.Event()
        self.earlier: dict[int, int] = {}
        threading.Thread(target=self._sample, daemon=True).start()

    def reset(self) -> None:
        """From now on, count a pool process that starts, or grows past its peak of now (a
        process that ran the previous file may still be exiting)."""
        self.earlier, self.kb = {pid: peak_kb(pid) for pid in pool_pids(self.worker)}, 0

    def _sample(self) -> None:
        while not self.stop.is_set():
            peaks = {pid: peak_kb(pid) for pid in pool_pids(self.worker)}
            grown = [kb for pid, kb in peaks.items() if kb > self.earlier.get(pid, 0)]
            self.kb = max([self.kb, *grown])
            time.sleep(0.05)


def convert(path: Path, password: str, peak: PoolPeak) -> tuple[float, float, str]:
    started = time.monotonic()
    peak.reset()
    try:
        outcome = document_upload(
            owner=user_default(),
            name=path.name,
            content=io.BytesIO(path.read_bytes()),
            options=ConversionOptions(password=password),
            allow_duplicate=True,
        )
    except UploadRejected as exc:
        return time.monotonic() - started, 0.0, f"refused at upload: {exc}"
    run = outcome.document.runs.get()
    while not Run.objects.filter(pk=run.pk, status__in=["succeeded", "failed"]).exists():
        time.sleep(0.05)
    run.refresh_from_db()
    elapsed = (run.finished_at - run.queued_at).total_seconds()
    # A file that ends before its pool process grows shows that process's size at rest.
    kb = peak.kb or max([peak_kb(pid) for pid in pool_pids(peak.worker)] or [0])
    return elapsed, kb / 1024, f"{run.status}: {run.error or run.message or 'no message'}"


def main() -> None:
    call_command("migrate", verbosity=0)
    files = Path(os.environ["VAR_DIR"])
    cmd = [sys.executable, "-m", "celery", "-A", "backend.celery_app", "worker", "-c", "1"]
    cmd += ["--max-tasks-per-child", "1", "-n", "hostile@%h"]
    worker = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = PoolPeak(worker.pid)
    rows = []
    try:
        time.sleep(4)  # the worker's start-up is not a file's time
        for name, (build, password) in CLASSES.items():
            path = build(CORPUS, files)
            seconds, mb, message = convert(path, password, peak)
            rows.append((name, seconds, mb, message))
            print(f"{name:20} {seconds:6.1f} s {mb:6.0f} MB  {message}", flush=True)
    finally:
        peak.stop.set()
        worker.terminate()
        worker.wait()
    final = all(not m.startswith(("started", "progress", "queued")) for *_, m in rows)
    print(
        f"classes={len(rows)} all_final={'yes' if final else 'no'} "
        f"max_pool_mb={max(r[2] for r in rows):.0f} max_s={max(r[1] for r in rows):.1f} "
        f"memory_budget_mb={settings.CONVERSION_MEMORY_MB}"
    )


if __name__ == "__main__":
    main()
