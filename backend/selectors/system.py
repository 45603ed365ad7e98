"""Health of the parts the product runs on, as plain data for the System page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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


@dataclass(frozen=True)
class DatabaseInfo:
    engine: str
    location: str  # the file, or host/name: never credentials


@dataclass(frozen=True)
class BrokerStatus:
    url: str  # the password masked
    reachable: bool
    error: str
    queue_length: int | None  # None where the broker cannot say


@dataclass(frozen=True)
class BeatStatus:
    alive: bool
    beat_at: datetime | None  # its last heartbeat; None if it never wrote one
    age_s: float | None
    host: str


@dataclass(frozen=True)
class TaskBrief:
    id: str | None
    name: str | None
    started: float | None


@dataclass(frozen=True)
class WorkerTasks:
    name: str
    concurrency: int | None
    queues: list[str]
    active: list[TaskBrief]
    reserved: list[TaskBrief]


@dataclass(frozen=True)
class RunsWaiting:
    queued: int
    unsent: int  # queued while the broker did not answer: the reconciler sends them


def system_database() -> DatabaseInfo:
    """The database engine in use and where it lives (no credentials)."""
    db = settings.DATABASES["default"]
    location = db["NAME"] if connection.vendor == "sqlite" else f"{db.get('HOST')}/{db['NAME']}"
    return DatabaseInfo(engine=connection.vendor, location=str(location))


def system_broker(*, timeout_s: float = 2.0) -> BrokerStatus:
    """Whether the broker answers, and how many tasks wait in the default queue."""
    url = maybe_sanitize_url(app.conf.broker_url)
    with app.connection_for_write() as conn:
        try:
            conn.ensure_connection(max_retries=1, timeout=timeout_s)
        except Exception as exc:  # any transport's failure means "not reachable"
            return BrokerStatus(url, reachable=False, error=str(exc), queue_length=None)
        return BrokerStatus(url, reachable=True, error="", queue_length=_queue_length(conn))


def _queue_length(conn) -> int | None:
    return _declared_length(conn, app.conf.task_default_queue)


def _declared_length(conn, queue: str) -> int | None:
    # A passive declare counts without creating; brokers that cannot say give None.
    try:
        declared = conn.default_channel.queue_declare(queue=queue, passive=True)
    except Exception:
        return None
    return declared.message_count


def system_beat() -> BeatStatus:
    """When beat last wrote its heartbeat, and whether that is recent enough."""
    beat = Heartbeat.objects.filter(name=BEAT_HEARTBEAT).first()
    if beat is None:
        return BeatStatus(alive=False, beat_at=None, age_s=None, host="")
    age = (timezone.now() - beat.beat_at).total_seconds()
    host = beat.detail.get("host", "")
    return BeatStatus(alive=age <= BEAT_STALE_AFTER_S, beat_at=beat.beat_at, age_s=age, host=host)


def system_workers(*, timeout_s: float = 1.0) -> list[str]:
    """Workers that answer a ping within the timeout (a broadcast: cache the answer)."""
    try:
        replies = app.control.ping(timeout=timeout_s) or []
    except BROKER_DOWN:
        return []  # the broker's own card says why
    return sorted(name for reply in replies for name in reply)


def system_worker_tasks(*, timeout_s: float = 1.0) -> list[WorkerTasks]:
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
        WorkerTasks(
            name=name,
            concurrency=(stats.get(name) or {}).get("pool", {}).get("max-concurrency"),
            queues=sorted(q["name"] for q in queues.get(name) or []),
            active=[_task_brief(t) for t in active.get(name) or []],
            reserved=[_task_brief(t) for t in reserved.get(name) or []],
        )
        for name in sorted(set(stats) | set(active) | set(reserved))
    ]


def _task_brief(task: dict[str, Any]) -> TaskBrief:
    return TaskBrief(id=task.get("id"), name=task.get("name"), started=task.get("time_start"))


def system_queue_lengths(*, queues: list[str]) -> dict[str, int | None]:
    """Messages waiting in each named queue (None where the broker cannot say)."""
    names = sorted({app.conf.task_default_queue, *queues})
    with app.connection_for_write() as conn:
        return {name: _declared_length(conn, name) for name in names}


def system_runs_waiting() -> RunsWaiting:
    """Runs queued, and among them those whose sending found the broker down."""
    queued = Run.objects.filter(status=Run.Status.QUEUED)
    unsent = queued.filter(message=WAITING_FOR_QUEUE).count()
    return RunsWaiting(queued=queued.count(), unsent=unsent)
