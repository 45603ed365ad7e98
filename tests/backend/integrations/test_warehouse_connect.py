"""Connecting: URLs, unreachable servers, refused credentials, and what the shim does.

The local PostgreSQL trusts 127.0.0.1 (pg_hba `trust`), so it would accept any password.
For the credential tests the shim enforces password authentication itself, checking the
password against the role's real SCRAM verifier in pg_authid: a role created with a password
for the test, so a wrong password is refused as Redshift would refuse it (SQLSTATE 28P01).
"""

from __future__ import annotations

import logging
import socket
import traceback
import uuid
from collections.abc import Iterator

import pandas as pd
import psycopg
import pytest
import redshift_connector
from psycopg import sql

from backend.integrations.warehouse import (
    WarehouseAuthError,
    WarehouseError,
    WarehouseUnreachable,
    WarehouseUrlError,
    connect_warehouse,
)
from backend.integrations.warehouse.urls import parse_redshift_url, parse_sqlite_url
from tests.support.redshift_shim import RedshiftShim, redshift_shim, verify_stored_password

PG_DSN = "host=127.0.0.1 port=5432 dbname=postgres user=postgres"
__all__ = ["redshift_shim"]  # the fixture, imported for pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stored_password(user: str) -> str | None:
    with psycopg.connect(PG_DSN) as conn:
        row = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", [user])
        found = row.fetchone()
    return found[0] if found else None


@pytest.fixture
def login_role(redshift_shim: RedshiftShim) -> Iterator[tuple[str, str]]:
    name, password = f"wh_login_{uuid.uuid4().hex[:8]}", f"Pw-{uuid.uuid4().hex}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(name), sql.Literal(password)
            )
        )
    yield name, password
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


@pytest.fixture
def password_shim(redshift_shim: RedshiftShim) -> Iterator[RedshiftShim]:
    check = lambda user, password: verify_stored_password(stored_password(user), user, password)  # noqa: E731
    with RedshiftShim(authenticate=check) as shim:
        yield shim


def test_a_closed_port_is_unreachable_and_retryable() -> None:
    port = free_port()
    with pytest.raises(WarehouseUnreachable) as caught:
        connect_warehouse(f"redshift://u:Secret-pw@127.0.0.1:{port}/dev?ssl=false")
    assert caught.value.retryable
    assert f"127.0.0.1:{port}/dev" in str(caught.value)
    assert "Secret-pw" not in str(caught.value)


def test_the_right_password_connects(password_shim: RedshiftShim, login_role) -> None:
    user, password = login_role
    url = f"redshift://{user}:{password}@127.0.0.1:{password_shim.port}/postgres?ssl=false"
    with connect_warehouse(url) as warehouse:
        assert warehouse.table_columns("nothing_here") is None


def test_a_wrong_password_fails_fast_without_revealing_it(
    password_shim: RedshiftShim, login_role, caplog: pytest.LogCaptureFixture
) -> None:
    user, password = login_role
    wrong = password[::-1]
    url = f"redshift://{user}:{wrong}@127.0.0.1:{password_shim.port}/postgres?ssl=false"
    caplog.set_level(logging.DEBUG)
    with pytest.raises(WarehouseAuthError) as caught:
        connect_warehouse(url)
    error = caught.value
    assert not error.retryable
    assert f'password authentication failed for user "{user}"' in str(error)
    shown = str(error) + repr(error) + "".join(traceback.format_exception(error)) + caplog.text
    assert wrong not in shown and password not in shown


def test_urls_carry_connection_options() -> None:
    settings = parse_redshift_url(
        "redshift://alice:p%40ss@cluster.example.com:5439/analytics?schema=sales"
    )
    assert (settings.user, settings.password, settings.database) == ("alice", "p@ss", "analytics")
    kwargs = settings.connect_kwargs()
    assert (kwargs["ssl"], kwargs["sslmode"], kwargs["port"]) == (True, "verify-ca", 5439)
    assert settings.schema == "sales" and "p@ss" not in repr(settings)
    assert parse_redshift_url("redshift://h/db?ssl=false").connect_kwargs()["ssl"] is False
    assert parse_redshift_url("redshift://h/db?sslmode=disable").connect_kwargs()["ssl"] is False
    iam = parse_redshift_url(
        "redshift://h/db?iam=true&cluster_identifier=c1&region=eu-west-1&db_user=bob"
        "&db_groups=a,b&profile=prod&secret_access_key=AWS-SECRET"
    )
    assert iam.connect_kwargs()["iam"] is True and iam.connect_kwargs()["db_groups"] == ["a", "b"]
    assert "AWS-SECRET" in iam.secrets and "AWS-SECRET" not in repr(iam)


def test_bad_urls_are_refused_without_echoing_secrets() -> None:
    with pytest.raises(WarehouseUrlError) as caught:
        parse_redshift_url("redshift://u:TopSecret@h/db?colour=blue")
    assert "colour" in str(caught.value) and "TopSecret" not in str(caught.value)
    for bad in ("postgres://u:TopSecret@h/db", "redshift://u:TopSecret@h/db?ssl=perhaps"):
        with pytest.raises(WarehouseUrlError) as caught:
            connect_warehouse(bad)
        assert "TopSecret" not in str(caught.value)
    assert parse_sqlite_url("sqlite:////tmp/w.sqlite3?timeout=2").timeout_s == 2.0
    assert parse_sqlite_url("sqlite:///var/w.sqlite3").path.endswith("/var/w.sqlite3")


def test_a_sqlite_file_that_cannot_be_opened_is_a_plain_error(tmp_path) -> None:
    with pytest.raises(WarehouseError) as caught:
        connect_warehouse(f"sqlite:///{tmp_path}").list_tables()  # a directory, not a file
    assert not caught.value.retryable


def test_the_shim_speaks_enough_redshift_for_the_driver(redshift_shim: RedshiftShim) -> None:
    conn = redshift_connector.connect(
        host="127.0.0.1", port=redshift_shim.port, database="postgres", user="postgres", ssl=False
    )
    try:
        assert (b"server_version", b"8.0.2") in conn.parameter_statuses
        assert "driver_version" in redshift_shim.startups[-1]  # sent, and stripped upstream
        cursor = conn.cursor()
        cursor.execute("CREATE TEMP TABLE shim_check (a BIGINT, b VARCHAR(5))")
        # write_dataframe checks the table in Redshift's svv_all_tables view.
        cursor.write_dataframe(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}), "shim_check")
        cursor.execute("SELECT a, b FROM shim_check ORDER BY a")
        assert [tuple(r) for r in cursor.fetchall()] == [(1, "x"), (2, "y")]
    finally:
        conn.close()
