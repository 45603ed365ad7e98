"""Health of the parts the product runs on, as plain data for the System page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu.exceptions import KombuError, OperationalError
from kombu.utils.url import maybe_sanitize_url

from backend.celery_app import app
from backend.models import Heartbeat, Run
from backend.vocabulary import BEAT_HEARTBEAT, HEARTBEAT_EVERY_S, WAITING_FOR_QUEUE

BEAT_STALE_AFTER_S = 3 * HEARTBEAT_EVERY_S
# What a broadcast raises when the broker does not answer.
BROKER_DOWN = (OperationalError, KombuError, OSError)


def system_warehouse() -> str:
    """WAREHOUSE_URL as it may be shown: the password masked, the options (which may hold
    AWS keys) left out."""
    url, _, query = settings.WAREHOUSE_URL.partition("?")
    return maybe_sanitize_url(url) + ("?…" if query else "")


def system_database() -> dict[str, Any]:
    """The database engine in use and where it lives (no credentials)."""
    db = settings.DATABASES["default"]
    location = db["NAME"] if connection.vendor == "sqlite" else f"{db.get('HOST')}/{db['NAME']}"
    return {"engine": connection.vendor, "location": str(location)}


def system_broker(*, timeout_s: float = 2.0) -> dict[str, Any]:
    """Whether the broker answers, and how many tasks wait in the default queue."""
    url = maybe_sanitize_url(app.conf.broker_url)
    with app.connection_for_write() as conn:
        try:
            conn.ensure_connection(max_retries=1, timeout=timeout_s)
        except Exception as exc:  # any transport's failure means "not reachable"
            return {"url": url, "reachable": False, "error": str(exc), "queue_length": None}
        return {"url": url, "reachable": True, "error": "", "queue_length": _queue_length(conn)}


def _queue_length(conn) -> int | None:
    return _declared_length(conn, app.conf.task_default_queue)


def _declared_length(conn, queue: str) -> int | None:
    # A passive declare counts without creating; brokers that cannot say give None.
    try:
        declared = conn.default_channel.queue_declare(queue=queue, passive=True)
    except Exception:
        return None
    return declared.message_count


def system_beat() -> dict[str, Any]:
    """When beat last wrote its heartbeat, and whether that is recent enough."""
    beat = Heartbeat.objects.filter(name=BEAT_HEARTBEAT).first()
    if beat is None:
        return {"alive": False, "beat_at": None, "age_s": None, "host": ""}
    age = (timezone.now() - beat.beat_at).total_seconds()
    return {
        "alive": age <= BEAT_STALE_AFTER_S,
        "beat_at": beat.beat_at,
        "age_s": age,
        "host": beat.detail.get("host", ""),
    }


def system_workers(*, timeout_s: float = 1.0) -> list[dict[str, Any]]:
    """Workers that answer a ping within the timeout (a broadcast: cache the answer)."""
    try:
        replies = app.control.ping(timeout=timeout_s) or []
    except BROKER_DOWN:
        return []  # the broker's own card says why
    names = sorted(name for reply in replies for name in reply)
    return [{"name": name} for name in names]


def system_worker_tasks(*, timeout_s: float = 1.0) -> list[dict[str, Any]]:
    """Each answering worker's concurrency, queues, and active and reserved tasks
    (four broadcasts: cache the answer)."""
    try:
        stats = app.control.inspect(timeout=timeout_s).stats() or {}
    except BROKER_DOWN:
        return []
    if not stats:
        return []
    # Now that we know how many answer, the other broadcasts return once all of them have.
    inspect = app.control.inspect(timeout=timeout_s, limit=len(stats))
    active = inspect.active() or {}
    reserved = inspect.reserved() or {}
    queues = inspect.active_queues() or {}
    return [
        {
            "name": name,
            "concurrency": (stats.get(name) or {}).get("pool", {}).get("max-concurrency"),
            "queues": sorted(q["name"] for q in queues.get(name) or []),
            "active": [_task_brief(t) for t in active.get(name) or []],
            "reserved": [_task_brief(t) for t in reserved.get(name) or []],
        }
        for name in sorted(set(stats) | set(active) | set(reserved))
    ]


def _task_brief(task: dict[str, Any]) -> dict[str, Any]:
    started = task.get("time_start")
    return {"id": task.get("id"), "name": task.get("name"), "started": started}


def system_queue_lengths(*, queues: list[str]) -> dict[str, int | None]:
    """Messages waiting in each named queue (None where the broker cannot say)."""
    names = sorted({app.conf.task_default_queue, *queues})
    with app.connection_for_write() as conn:
        return {name: _declared_length(conn, name) for name in names}


def system_runs_waiting() -> dict[str, int]:
    """Runs queued, and among them those whose sending found the broker down."""
    queued = Run.objects.filter(status=Run.Status.QUEUED)
    return {"queued": queued.count(), "unsent": queued.filter(message=WAITING_FOR_QUEUE).count()}
