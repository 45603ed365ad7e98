"""Each fault module gets a broker of its own, so that no worker but its own takes its tasks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.support import private_filesystem_broker


@pytest.fixture(scope="module", autouse=True)
def private_broker(tmp_path_factory) -> Iterator[None]:
    """A filesystem broker folder of the module's own, for this process and every worker and
    beat it starts (they read BROKER_DIR from the environment they inherit). Module-wide,
    because a module's worker fixture outlives its tests; kills and restarts stay inside."""
    folder = tmp_path_factory.mktemp("broker")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BROKER_DIR", str(folder))
        with private_filesystem_broker(folder):
            yield
