"""The one place services talk to Celery: send a task, send a conversion's parts with their
finishing step, revoke tasks, and ask which tasks a queue or a worker holds.

Services call these after their transaction commits (transaction.on_commit), so a worker
never picks up a task whose rows it cannot see yet.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from celery import chord
from kombu.exceptions import KombuError, OperationalError

from backend.celery_app import app

# What sending or asking raises when the broker does not answer.
BROKER_DOWN = (OperationalError, KombuError, OSError)
logger = logging.getLogger(__name__)


def send(task_name: str, *, kwargs: dict[str, Any], task_id: str) -> None:
    """Queue one task under a known id; raises one of BROKER_DOWN when the broker is down."""
    app.send_task(task_name, kwargs=kwargs, task_id=task_id)


def send_parts(
    *,
    part_task: str,
    parts: list[tuple[str, dict[str, Any]]],
    finish_task: str,
    finish_id: str,
    failed_task: str,
    kwargs: dict[str, Any],
) -> None:
    """Queue parts (task id, their own kwargs) that workers run at once, then the finishing
    step with the parts' results; `failed_task` runs instead if a part fails. Every task gets
    `kwargs` too. With no parts left to run, the finishing step runs on what is stored."""
    header = [
        app.signature(part_task, kwargs={**kwargs, **own}).set(task_id=task_id)
        for task_id, own in parts
    ]
    finish = app.signature(finish_task, kwargs=kwargs).set(task_id=finish_id)
    finish.link_error(app.signature(failed_task, kwargs=kwargs))
    if header:
        chord(header)(finish)
    else:
        finish.apply_async(args=([],))


def revoke(task_ids: list[str], *, terminate: bool) -> None:
    """Tell every worker to drop these tasks; running ones are stopped when `terminate`."""
    app.control.revoke(task_ids, terminate=terminate, signal="SIGTERM")


def held_task_ids() -> set[str] | None:
    """Ids of the tasks a queue or a worker holds now; None when that cannot be told (the
    broker does not answer, or its queue cannot be read and is not empty). Looked at in
    the order a task travels, queue first, so one moving along is seen at least once."""
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1)
            held = _queued_task_ids(conn)
        if held is None:
            return None
        inspect = app.control.inspect(timeout=1.0)
        for look in (inspect.scheduled, inspect.reserved, inspect.active):
            for tasks in (look() or {}).values():
                held |= {(t.get("request") or t).get("id") for t in tasks}
    except BROKER_DOWN as exc:
        logger.warning("the broker does not answer (%s)", exc)
        return None
    return held


def _queued_task_ids(conn) -> set[str] | None:
    queue = app.conf.task_default_queue
    channel = conn.default_channel
    if conn.transport.driver_type == "filesystem":
        return {_message_id(_read(p)) for p in Path(channel.data_folder_in).glob(f"*.{queue}.msg")}
    if conn.transport.driver_type == "redis":
        names = [channel._q_for_pri(queue, pri) for pri in channel.priority_steps]
        return {_message_id(m) for name in set(names) for m in channel.client.lrange(name, 0, -1)}
    # Other brokers (RabbitMQ) cannot be read without taking the messages: an empty queue
    # holds nothing; otherwise wait until it is.
    declared = channel.queue_declare(queue=queue, passive=True)
    return set() if declared.message_count == 0 else None


def _read(message: Path) -> bytes:
    try:
        return message.read_bytes()
    except FileNotFoundError:
        return b""  # taken by a worker meanwhile: the workers are asked next


def _message_id(raw: bytes | str) -> str:
    try:
        return json.loads(raw).get("headers", {}).get("id", "")
    except (ValueError, AttributeError):
        return ""
