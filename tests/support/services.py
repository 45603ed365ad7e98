"""Local services (PostgreSQL, Redis, RabbitMQ): use them when they answer."""

from __future__ import annotations

import os
import socket

import pytest

PORTS = {"postgresql": 5432, "redis": 6379, "rabbitmq": 5672}


def service_answers(name: str, host: str = "127.0.0.1", timeout_s: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, PORTS[name]), timeout=timeout_s):
            return True
    except OSError:
        return False


def require_service(name: str) -> None:
    """Skip when the service is down, unless REQUIRE_SERVICES=1 makes that a failure."""
    if service_answers(name):
        return
    message = f"{name} does not answer on 127.0.0.1:{PORTS[name]}"
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(message + " (REQUIRE_SERVICES=1)")
    pytest.skip(message)
