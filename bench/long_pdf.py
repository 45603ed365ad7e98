"""Long PDFs: worker memory on a 500-page document, and the speed-up of two worker processes.

Builds a 500-page PDF from corpus pages, then on a scratch VAR_DIR with real workers:
  1. converts it in one piece (no split) with one worker process, sampling the RSS of the
     worker's processes;
  2. converts it split into parts with one worker process, then with two, and compares.

    .venv/bin/python bench/long_pdf.py [--pages 500] [--source chelsea]
Last line: `pages=N peak_worker_mb=M one_process_s=A two_processes_s=B speedup=R`.
"""

from __future__ import annotations

import argparse
import contextlib
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

from django.core.management import call_command  # noqa: E402

from backend.models import Run  # noqa: E402
from backend.services.documents import ConversionOptions, document_upload  # noqa: E402
from tests.support.pdf_factory import repeated_pages  # noqa: E402
from tests.support.users import user_default  # noqa: E402

CORPUS = Path(os.environ.get("CORPUS_DIR", REPO.parent / "shared" / "corpus"))
SOURCES = {"chelsea": "pdfplumber__chelsea_pdta.pdf", "diesel": "camelot__diesel_engines.pdf"}


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total = 0
    for p in [pid, *children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # the task may have ended meanwhile
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def convert(pdf: Path, *, processes: int, split: bool) -> tuple[float, float]:
    """Seconds from enqueue to done, and the peak RSS of the largest worker process (MB)."""
    env = dict(os.environ, CONVERSION_PARALLEL_MIN_PAGES="100" if split else "100000")
    cmd = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "backend.celery_app",
        "worker",
        "-c",
        str(processes),
    ]
    worker = subprocess.Popen(
        cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    peak = {"mb": 0.0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak["mb"] = max([peak["mb"]] + [rss_mb(c) for c in children(worker.pid)])
            time.sleep(0.2)

    try:
        time.sleep(4)  # the worker's start-up is not the conversion's time
        threading.Thread(target=sample, daemon=True).start()
        outcome = document_upload(
            owner=user_default(),
            name=pdf.name,
            content=io.BytesIO(pdf.read_bytes()),
            options=ConversionOptions(),
            allow_duplicate=True,
        )
        run = outcome.document.runs.get()
        while not Run.objects.filter(pk=run.pk, status__in=["succeeded", "failed"]).exists():
            time.sleep(0.2)
        run.refresh_from_db()
        if run.status != "succeeded":
            raise SystemExit(f"conversion failed: {run.error}")
        return (run.finished_at - run.queued_at).total_seconds(), peak["mb"]
    finally:
        done.set()
        worker.terminate()
        worker.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--source", choices=list(SOURCES), default="chelsea")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    pdf = repeated_pages(
        CORPUS / SOURCES[args.source], Path(os.environ["VAR_DIR"]) / "long.pdf", args.pages
    )
    whole_s, peak = convert(pdf, processes=1, split=False)
    print(f"one piece, one process: {whole_s:.1f} s, peak worker process RSS {peak:.0f} MB")
    one_s, _ = convert(pdf, processes=1, split=True)
    print(f"parts, one process:     {one_s:.1f} s")
    two_s, _ = convert(pdf, processes=2, split=True)
    print(f"parts, two processes:   {two_s:.1f} s")
    print(
        f"pages={args.pages} peak_worker_mb={peak:.0f} one_process_s={one_s:.1f} "
        f"two_processes_s={two_s:.1f} speedup={one_s / two_s:.2f}"
    )


if __name__ == "__main__":
    main()
