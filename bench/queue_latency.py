"""Time from enqueue to task start on the embedded filesystem broker.

Starts a real worker on a scratch VAR_DIR, sends pings one after another and
reads when each started from its stored result. Prints p50/p95/max.

    .venv/bin/python bench/queue_latency.py [--tasks 50]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="dataops-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
sys.path.insert(0, str(REPO))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django_celery_results.models import TaskResult  # noqa: E402

from backend.celery_app import app  # noqa: E402
from backend.task_names import PING  # noqa: E402


def wait_result(task_id: str, timeout_s: float = 30) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        row = TaskResult.objects.filter(task_id=task_id, status="SUCCESS").first()
        if row:
            return json.loads(row.result)
        time.sleep(0.02)
    raise SystemExit(f"task {task_id} did not finish in {timeout_s} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=50)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "backend.celery_app", "worker", "-c", "2"],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_result(app.send_task(PING, kwargs={"sent_at": time.time()}).id, timeout_s=60)
        lags = []
        for _ in range(args.tasks):
            sent = app.send_task(PING, kwargs={"sent_at": time.time()})
            answer = wait_result(sent.id)
            lags.append(answer["started_at"] - answer["sent_at"])
            time.sleep(0.05)  # let the worker go idle, as between real uploads
    finally:
        worker.terminate()
        worker.wait()
    lags.sort()
    p95 = lags[int(0.95 * (len(lags) - 1))]
    print(
        f"enqueue_to_start_p50_s={statistics.median(lags):.3f} "
        f"p95_s={p95:.3f} max_s={lags[-1]:.3f} tasks={len(lags)}"
    )


if __name__ == "__main__":
    main()
