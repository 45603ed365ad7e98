"""Every log line a worker writes for a Run names the Run.

A task sets the Run it works for with `logging_for_run`; `RunIdFilter`, on the worker's
handlers, stamps each record with it, so `grep run=42` finds all that Run 42 did, across
its parts and processes. Lines written outside any Run say `run=-`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

RUN_LOG_FORMAT = "[%(asctime)s: %(levelname)s/%(processName)s] run=%(run_id)s %(name)s: %(message)s"

_current_run: ContextVar[str] = ContextVar("current_run", default="-")


@contextmanager
def logging_for_run(run_id: int | None) -> Iterator[None]:
    token = _current_run.set(str(run_id) if run_id is not None else "-")
    try:
        yield
    finally:
        _current_run.reset(token)


class RunIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.run_id = _current_run.get()
        return True


def stamp_with_run(logger: logging.Logger) -> None:
    """Give the logger's handlers the Run stamp and a format that shows it."""
    for handler in logger.handlers:
        handler.addFilter(RunIdFilter())
        handler.setFormatter(logging.Formatter(RUN_LOG_FORMAT))
