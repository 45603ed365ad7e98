"""Lag from a Once schedule's time to its load starting, with a real beat and worker.

On a scratch VAR_DIR (embedded defaults: SQLite, filesystem broker) it migrates, starts
a worker and beat (backend.beat:DatabaseScheduler) as subprocesses, waits for beat's
heartbeat, then creates Once schedules a few seconds ahead through the schedule service,
one per (empty) bundle, and reads when each load started from its Run. An empty bundle's
load fails fast, but it starts and records its Run like any other.

The times are spread over --spread-s seconds so the figure is beat's precision; with
--spread-s 0 all fire at once and the later ones wait for a free worker process (-c 4).

    .venv/bin/python bench/schedule.py [--schedules 20] [--ahead-s 5] [--spread-s 4]

Last line: p50_lag_s=X p95_lag_s=Y max_lag_s=Z fired=N/20
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="dataops-bench-schedule-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
sys.path.insert(0, str(REPO))

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from backend.beat import BEAT_HEARTBEAT  # noqa: E402
from backend.models import Bundle, Heartbeat, Run  # noqa: E402
from backend.scheduling.spec import ScheduleSpec  # noqa: E402
from backend.services.schedules import schedule_save  # noqa: E402

CELERY = [sys.executable, "-m", "celery", "-A", "backend.celery_app"]


def start(args: list[str], log: Path) -> subprocess.Popen:
    out = open(log, "wb")  # noqa: SIM115  closed with the process at exit
    return subprocess.Popen([*CELERY, *args], cwd=REPO, stdout=out, stderr=subprocess.STDOUT)


def wait(predicate, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {what} (logs in {os.environ['VAR_DIR']})")


def schedule_all(n: int, ahead_s: float, spread_s: float) -> dict[int, object]:
    owner = User.objects.create(username="bench")
    first = timezone.now() + timedelta(seconds=ahead_s)
    planned = {}
    for i in range(n):
        bundle = Bundle.objects.create(owner=owner, name=f"bench {i}", target_table=f"bench_{i}")
        at = first + timedelta(seconds=spread_s * i / max(n - 1, 1))
        spec = ScheduleSpec("once", "UTC", run_date=at.date(), run_time=at.time())
        schedule_save(bundle_id=bundle.pk, owner=owner, spec=spec)
        planned[bundle.pk] = at
    return planned


def lags(planned: dict[int, object], timeout_s: float) -> list[float]:
    def started():
        runs = Run.objects.filter(bundle_id__in=planned, started_at__isnull=False)
        return list(runs) if runs.count() == len(planned) else None

    try:
        wait(started, timeout_s, "every schedule to fire")
    except SystemExit as exc:
        print(exc, file=sys.stderr)
    runs = Run.objects.filter(bundle_id__in=planned, started_at__isnull=False)
    triggers = {r.trigger for r in runs}
    assert triggers <= {Run.Trigger.SCHEDULE}, triggers
    return sorted((r.started_at - planned[r.bundle_id]).total_seconds() for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schedules", type=int, default=20)
    parser.add_argument("--ahead-s", type=float, default=5.0)
    parser.add_argument("--spread-s", type=float, default=4.0)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    var = Path(os.environ["VAR_DIR"])
    procs = [
        start(["worker", "-c", "4", "--loglevel=INFO"], var / "worker.log"),
        start(
            ["beat", "--scheduler", "backend.beat:DatabaseScheduler", "--loglevel=INFO"],
            var / "beat.log",
        ),
    ]
    try:
        wait(lambda: Heartbeat.objects.filter(name=BEAT_HEARTBEAT).exists(), 60, "beat")
        planned = schedule_all(args.schedules, args.ahead_s, args.spread_s)
        measured = lags(planned, timeout_s=args.ahead_s + args.spread_s + 60)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait()
    if not measured:
        raise SystemExit(f"nothing fired fired=0/{args.schedules}")
    p95 = measured[int(0.95 * (len(measured) - 1))]
    print(
        f"p50_lag_s={statistics.median(measured):.3f} p95_lag_s={p95:.3f} "
        f"max_lag_s={measured[-1]:.3f} fired={len(measured)}/{args.schedules}"
    )


if __name__ == "__main__":
    main()
