"""A real S3 API on this machine: moto's standalone server on 127.0.0.1, on a free port.

Tests and the benchmark talk to it with boto3 exactly as production talks to AWS; only the
endpoint differs. moto keeps the objects in the server's memory and accepts any keys.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from backend.integrations.warehouse import S3Staging
from tests.support.processes import free_port, require_processes_mark, stop

KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
REGION = "us-east-1"


@contextlib.contextmanager
def moto_server(log: Path | None = None, timeout_s: float = 30) -> Iterator[str]:
    """Run `moto_server` until the block ends; yields its endpoint URL."""
    require_processes_mark()
    port = free_port()
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    cmd = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_listening(proc, port, timeout_s)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc, timeout_s=10)
        if log:
            out.close()  # type: ignore[union-attr]


def _wait_listening(proc: subprocess.Popen, port: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"moto_server exited ({proc.returncode}) before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"moto_server did not listen on port {port} within {timeout_s:.0f} s")


def s3_client(endpoint_url: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=REGION,
        config=Config(s3={"addressing_style": "path"}),
        **KEYS,
    )


def new_bucket(endpoint_url: str) -> str:
    name = f"test-{uuid.uuid4().hex[:12]}"
    s3_client(endpoint_url).create_bucket(Bucket=name)
    return name


def staging_for(endpoint_url: str, bucket: str, **overrides: object) -> S3Staging:
    """Load staging settings as production would have them, pointed at the test server."""
    values: dict = {
        "bucket": bucket,
        "prefix": "load-staging/",
        "region": REGION,
        "endpoint_url": endpoint_url,
        "access_key_id": KEYS["aws_access_key_id"],
        "secret_access_key": KEYS["aws_secret_access_key"],
    }
    return S3Staging(**{**values, **overrides})


def object_keys(endpoint_url: str, bucket: str, prefix: str = "") -> list[str]:
    pages = s3_client(endpoint_url).get_paginator("list_objects_v2")
    found = pages.paginate(Bucket=bucket, Prefix=prefix)
    return sorted(item["Key"] for page in found for item in page.get("Contents", ()))


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The endpoint URL of a moto server shared by the test session."""
    with moto_server(tmp_path_factory.mktemp("moto") / "moto.log") as endpoint:
        yield endpoint
