"""Overlap preparing the next batch with the server executing the current one.

Statements run on one worker thread; the driver releases the GIL while it waits on the
socket, so the caller's thread meanwhile reads and encodes the next rows. The caller's row
iterator and progress callbacks stay on the caller's thread, and nothing else touches the
connection until the worker has stopped.

While a sender runs, the interpreter's thread switch interval is lowered from 5 ms to
0.5 ms: each statement hands the GIL back and forth a few times (send, then each reply),
and at 5 ms per hand-off the worker spent ~12 ms a statement just waiting for the encoding
thread to let go. It is restored when the last sender stops.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable, Sequence
from types import TracebackType

Execute = Callable[[str, Sequence[object]], None]
_POLL_S = 0.1
SWITCH_INTERVAL_S = 0.0005
_switch_lock = threading.Lock()
_switch_users = 0
_switch_saved = 0.0


def _lower_switch_interval() -> None:
    global _switch_users, _switch_saved
    with _switch_lock:
        if _switch_users == 0:
            _switch_saved = sys.getswitchinterval()
            sys.setswitchinterval(min(_switch_saved, SWITCH_INTERVAL_S))
        _switch_users += 1


def _restore_switch_interval() -> None:
    global _switch_users
    with _switch_lock:
        _switch_users -= 1
        if _switch_users == 0:
            sys.setswitchinterval(_switch_saved)


class Sender:
    def __init__(self, execute: Execute, depth: int = 2) -> None:
        self._execute = execute
        self._queue: queue.Queue[tuple[str, Sequence[object], int] | None] = queue.Queue(depth)
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self.executed = 0  # rows whose statements have run
        self._thread = threading.Thread(target=self._run, name="warehouse-sender", daemon=True)

    def __enter__(self) -> Sender:
        _lower_switch_interval()
        self._thread.start()
        return self

    def send(self, sql: str, params: Sequence[object], rows: int) -> None:
        """Queue a statement; raises the worker's error, if it has failed."""
        while True:
            self._raise_failure()
            try:
                self._queue.put((sql, params, rows), timeout=_POLL_S)
                return
            except queue.Full:
                continue

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self._stop.set()  # the caller failed: skip what is still queued
        while self._thread.is_alive():
            try:
                self._queue.put(None, timeout=_POLL_S)
                break
            except queue.Full:
                continue
        self._thread.join()
        _restore_switch_interval()
        if exc_type is None:
            self._raise_failure()

    def _raise_failure(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._stop.is_set() or self._error is not None:
                continue
            sql, params, rows = item
            try:
                self._execute(sql, params)
                self.executed += rows
            except BaseException as exc:  # handed to the caller's thread
                self._error = exc
