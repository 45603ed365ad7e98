"""The History page's first screen at scale: 200,000 runs over a year.

Seeds a scratch database with bulk_create (a realistic mix of kinds, statuses,
users, bundles, documents, durations and rows), then times every data call the
History page makes for its first screen, through the selectors the page uses.
Prints one line per call and, last, `runs=N seconds=X` (the first screen's total).

    .venv/bin/python bench/history.py                      # SQLite in a scratch VAR_DIR
    DATABASE_URL=postgres://root@127.0.0.1:5432/bench_history .venv/bin/python bench/history.py
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="dataops-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
sys.path.insert(0, str(REPO))

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from backend.models import Bundle, Document, Run  # noqa: E402
from backend.selectors import runs as selectors  # noqa: E402
from tests.support.users import user_default  # noqa: E402

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)
STATUSES = [("succeeded", 86), ("failed", 9), ("revoked", 3), ("queued", 1), ("progress", 1)]
ERRORS = {
    "conversion": [
        "The file is encrypted: give its password.",
        "Stopped after the 600 s time limit: this file takes too long to convert.",
    ],
    "load": [
        "The warehouse did not answer after 5 tries: connection refused",
        "Column 'amount' holds 'n/a' on row 17, which is not a number.",
    ],
}


def seed(n_runs: int, rng: random.Random) -> None:
    users = [User.objects.create(username=f"user{i}") for i in range(12)]
    bundles = [
        Bundle.objects.create(owner=rng.choice(users), name=f"bundle {i}", target_table=f"t_{i}")
        for i in range(60)
    ]
    documents = Document.objects.bulk_create(
        Document(
            owner=rng.choice(users),
            name=f"report-{i}.pdf",
            file=f"documents/report-{i}.pdf",
            sha256=uuid.uuid4().hex,
            size_bytes=rng.randint(10_000, 9_000_000),
        )
        for i in range(4000)
    )
    queued_at = Run._meta.get_field("queued_at")
    queued_at.auto_now_add = False  # the seed writes a year of history, not "now"
    try:
        for start in range(0, n_runs, 20_000):
            batch = [
                _run(rng, users, bundles, documents) for _ in range(min(20_000, n_runs - start))
            ]
            with transaction.atomic():
                Run.objects.bulk_create(batch, batch_size=2000)
    finally:
        queued_at.auto_now_add = True


def _run(rng: random.Random, users, bundles, documents) -> Run:
    kind = "conversion" if rng.random() < 0.6 else "load"
    status = rng.choices([s for s, _ in STATUSES], weights=[w for _, w in STATUSES])[0]
    # Busier on weekdays and in office hours, like people uploading.
    queued = NOW - timedelta(days=rng.random() * 365, hours=rng.gauss(0, 3))
    wait = rng.expovariate(1 / 2.0)
    median = 25.0 if kind == "conversion" else 8.0
    duration = rng.lognormvariate(0, 0.9) * median
    ended = status in ("succeeded", "failed", "revoked")
    run = Run(
        kind=kind,
        status=status,
        trigger="schedule" if kind == "load" and rng.random() < 0.5 else "manual",
        owner=rng.choice(users),
        task_id=str(uuid.UUID(int=rng.getrandbits(128))),
        queued_at=queued,
        started_at=queued + timedelta(seconds=wait) if status != "queued" else None,
        finished_at=queued + timedelta(seconds=wait + duration) if ended else None,
        duration_s=duration if ended else None,
        error=rng.choice(ERRORS[kind]) if status == "failed" else "",
    )
    if kind == "conversion":
        run.document = rng.choice(documents)
        run.pages_total = max(1, int(rng.lognormvariate(2.5, 1.0)))
        done = run.pages_total if status == "succeeded" else rng.randint(0, run.pages_total)
        run.pages_done = done
        run.tables_found = rng.randint(0, run.pages_done)
    else:
        run.bundle = rng.choice(bundles)
        run.target = run.bundle.target_table
        run.rows_loaded = int(rng.lognormvariate(8, 1.5)) if status == "succeeded" else 0
    return run


def timed(label: str, call) -> float:
    start = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - start
    size = len(result) if hasattr(result, "__len__") else result
    print(f"{label:<34} {seconds * 1000:8.1f} ms  ({size} rows)")
    return seconds


def first_screen(tz: ZoneInfo, days: int | None):
    """The History page's first screen: default filters, first list page, every chart."""
    today = NOW.astimezone(tz).date()
    filters = selectors.history_default_filters(today=today, tz=tz, days=days)
    s, f = selectors, filters
    return [
        ("runs_page", lambda: s.runs_page(by=user_default(), filters=f).rows),
        ("runs_count", lambda: s.runs_count(by=user_default(), filters=f)),
        ("runs_daily (3 charts)", lambda: s.runs_daily(by=user_default(), filters=f, tz=tz)),
        (
            "runs_duration_percentiles",
            lambda: s.runs_duration_percentiles(by=user_default(), filters=f, tz=tz),
        ),
        (
            "runs_failure_rate_by_bundle",
            lambda: s.runs_failure_rate_by_bundle(by=user_default(), filters=f),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200_000)
    parser.add_argument("--tz", default="Europe/Berlin")
    parser.add_argument("--days", type=int, default=selectors.HISTORY_DEFAULT_DAYS)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    existing = Run.objects.count()
    if existing not in (0, args.runs):
        raise SystemExit("the bench needs an empty database (a fresh VAR_DIR or DATABASE_URL)")
    started = time.perf_counter()
    if not existing:  # a database seeded by an earlier run of the bench is reused
        seed(args.runs, random.Random(7))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE backend_run")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    how = "reused" if existing else "seeded"
    seconds = time.perf_counter() - started
    print(f"{how} {args.runs} runs on {connection.vendor} in {seconds:.1f} s")

    tz = ZoneInfo(args.tz)
    if args.days is not None:
        print("-- the whole year (all runs), for comparison")
        year = sum(timed(label, call) for label, call in first_screen(tz, None))
        print(f"whole year total: {year:.3f} s")
        print(f"-- first screen: the last {args.days} days (the page's default range)")
    total = 0.0
    for label, call in first_screen(tz, args.days):
        total += timed(label, call)
    print(f"runs={Run.objects.count()} seconds={total:.3f}")


if __name__ == "__main__":
    main()
