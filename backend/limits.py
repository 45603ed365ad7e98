"""A memory budget for work that reads untrusted files, in the process doing it."""

from __future__ import annotations

import resource
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _virtual_bytes() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


@contextmanager
def memory_budget(megabytes: int) -> Iterator[None]:
    """Inside the block, allocations beyond `megabytes` more than the process holds now
    raise MemoryError instead of growing the process until the machine kills it.
    Where the address space cannot be read or limited (not Linux), the block runs as is."""
    now = _virtual_bytes()
    if now is None or megabytes <= 0:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = now + megabytes * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
