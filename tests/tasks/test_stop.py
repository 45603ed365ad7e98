"""Ctrl-C on `make run` stops the dashboard, the worker and beat without cutting any of
their work."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import pytest

from tests.support.processes import REPO, free_port, process_env, wait_for


@pytest.mark.django_db(transaction=True)
def test_ctrl_c_stops_all_three_processes_without_a_kill(tmp_path):
    port = free_port()
    procfile = tmp_path / "Procfile"
    procfile.write_text(
        (REPO / "Procfile")
        .read_text()
        .replace("dashboard/streamlit_app.py", f"dashboard/streamlit_app.py --server.port {port}")
    )
    log = tmp_path / "honcho.log"
    env = process_env(PATH=f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}")
    with open(log, "wb") as out:
        honcho = subprocess.Popen(
            [sys.executable, "-m", "honcho", "-f", str(procfile), "-d", str(REPO), "start"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal gives it
        )
    try:
        ready = ("celery@", " ready.", "beat: Starting", f":{port}")
        wait_for(
            lambda: all(mark in log.read_text() for mark in ready),
            timeout_s=90,
            what="web, worker and beat to start",
            process=honcho,
        )
        os.killpg(honcho.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        wait_for(lambda: honcho.poll() is not None, timeout_s=60, what="honcho to exit")
    finally:
        if honcho.poll() is None:
            os.killpg(honcho.pid, signal.SIGKILL)
            honcho.wait()
    text = log.read_text()
    assert "sending SIGTERM to worker.1" in text
    for name in ("web.1", "worker.1", "beat.1"):
        assert f"{name} stopped" in text
    assert "sending SIGKILL to web.1" not in text and "sending SIGKILL to beat.1" not in text
    if "sending SIGKILL to worker.1" in text:
        # On a busy machine the worker's own teardown (billiard joins its pool threads after
        # fixed one-second sleeps) can outlast honcho's fixed five seconds. With no task
        # running, the kill then cuts only that: the worker had begun its warm shutdown
        # and every task it took (beat's first sweep, say) had ended.
        killed_at = text.index("sending SIGKILL to worker.1")
        assert -1 < text.find("Warm shutdown") < killed_at, text[-2000:]
        for task_id in re.findall(r"\[([0-9a-f-]{36})\] received", text):
            assert f"[{task_id}] succeeded" in text[:killed_at], text[-2000:]
