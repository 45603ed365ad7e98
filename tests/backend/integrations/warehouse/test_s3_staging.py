"""Redshift loads staged through S3 and COPY: the real driver and boto3, a moto S3 server and
the PostgreSQL shim that runs COPY FROM S3 (see tests/support/shim_copy.py)."""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
import signal
import subprocess
import sys
import threading
from datetime import timedelta

import psycopg
import pytest
from psycopg import sql

from backend.integrations.warehouse import (
    ColumnSpec,
    CopyRejected,
    SourceRow,
    WarehouseError,
    WarehouseUnreachable,
)
from backend.integrations.warehouse.s3 import sweep_staged
from tests.support.processes import REPO, wait_for
from tests.support.s3_server import s3_client
from tests.support.s3_warehouse import S3Backend, s3_backend, s3_server, s3_shim
from tests.support.shim_copy import CopyRequest
from tests.support.warehouse_fixtures import PG_DSN, contents, staging_tables

__all__ = ["s3_backend", "s3_server", "s3_shim"]  # fixtures, imported for pytest

COLUMNS = [
    ColumnSpec("id", "BIGINT"),
    ColumnSpec("name", "VARCHAR", length=40),
    ColumnSpec("amount", "NUMERIC", precision=10, scale=2),
    ColumnSpec("active", "BOOLEAN"),
    ColumnSpec("day", "DATE"),
    ColumnSpec("seen_at", "TIMESTAMP"),
]


def source_rows(source: str, first_id: int, count: int) -> list[SourceRow]:
    """Rows as a CSV upload gives them: numbered from 2 (the header is row 1)."""
    return [
        SourceRow(
            [
                str(first_id + i),
                f"name {i}",
                f"{i}.25",
                "yes" if i % 2 else "no",
                "2024-01-02",
                "2024-01-02 10:00:00",
            ],
            2 + i,
            source,
        )
        for i in range(count)
    ]


def expected(rows: list[SourceRow]) -> list[tuple]:
    return sorted(
        (
            (
                int(r.values[0]),
                r.values[1],
                float(r.values[2]),
                int(r.values[3] == "yes"),
                "2024-01-02",
                "2024-01-02 10:00:00",
            )
            for r in rows
        ),
        key=repr,
    )


def part_lines(request: CopyRequest, url: str) -> list[list[str]]:
    bucket, key = request.bucket_key(url)
    body = request.client.get_object(Bucket=bucket, Key=key)["Body"].read()
    return list(csv.reader(io.StringIO(gzip.decompress(body).decode())))


def test_a_load_copies_gzip_parts_named_by_a_manifest_then_deletes_them(
    s3_backend: S3Backend,
) -> None:
    seen: dict = {}

    def on_copy(request: CopyRequest) -> None:
        seen.update(request=request, keys=s3_backend.staged_keys())
        seen["first"] = part_lines(request, request.parts[0])[0]

    s3_backend.copies.on_copy = on_copy
    rows = source_rows("jan.csv", 1, 120) + source_rows("feb.csv", 500, 80)
    progress: list[tuple[str, int]] = []
    with s3_backend.connect() as warehouse:
        warehouse.chunk_rows = 16  # type: ignore[attr-defined]
        result = warehouse.load(
            target="people",
            columns=COLUMNS,
            rows=rows,
            load_id="v1",
            on_progress=lambda p: progress.append((p.phase, p.rows)),
        )
        assert result.rows == 200
        assert contents(warehouse, "people") == expected(rows)
        assert staging_tables(warehouse) == []
    request = seen["request"]
    prefix = re.fullmatch(
        r"(load-staging/_stg_[0-9a-f]{16}/)manifest", request.url.split("/", 3)[3]
    )
    assert prefix, request.url
    parts = [url.split("/", 3)[3] for url in request.parts]
    assert len(parts) >= 4 and all(p.startswith(prefix.group(1)) for p in parts)
    assert seen["keys"] == sorted([*parts, prefix.group(0)])
    assert seen["first"] == ["1", "name 0", "0.25", "false", "2024-01-02", "2024-01-02 10:00:00"]
    statement = s3_backend.copies.statements[-1]
    assert re.match(
        r'COPY _stg_\w+ \("id", "name", "amount", "active", "day", "seen_at"\) FROM '
        rf"'s3://{s3_backend.staging.bucket}/{prefix.group(0)}' ",
        statement,
    ), statement
    for option in (
        "MANIFEST CSV GZIP",
        "DATEFORMAT 'YYYY-MM-DD'",
        "TIMEFORMAT 'YYYY-MM-DD HH:MI:SS'",
    ):
        assert option in statement
    assert "ACCEPTINVCHARS" not in statement
    staged = [n for phase, n in progress if phase == "staging"]
    assert staged == sorted(staged) and staged[-1] == 200 and len(staged) >= 4
    assert s3_backend.staged_keys() == []


def test_odd_text_survives_csv_and_every_mode_publishes(s3_backend: S3Backend) -> None:
    columns = [ColumnSpec("k", "BIGINT"), ColumnSpec("v", "VARCHAR", length=60)]
    odd = ['say "hi"', "a,b", "line\nbreak", "cr\r\nlf", " padded ", "\x1f\x1e", "é ü 漢", ""]
    rows = [[str(i), value] for i, value in enumerate(odd)]
    with s3_backend.connect() as warehouse:
        warehouse.load(target="odd", columns=columns, rows=rows, load_id="v1")
        want = [(i, v or None) for i, v in enumerate(odd)]  # empty text is NULL, as with INSERT
        assert contents(warehouse, "odd") == sorted(want, key=repr)
        warehouse.load(
            target="odd",
            columns=columns,
            rows=[["1", "new"], ["99", "x"]],
            load_id="v2",
            mode="upsert",
            keys=["k"],
        )
        want = [w for w in want if w[0] != 1] + [(1, "new"), (99, "x")]
        assert contents(warehouse, "odd") == sorted(want, key=repr)
        warehouse.load(
            target="odd", columns=columns, rows=[["7", "only"]], load_id="v3", mode="replace"
        )
        assert contents(warehouse, "odd") == [(7, "only")]
    assert s3_backend.staged_keys() == []


@pytest.mark.parametrize("line_breaks", [False, True])
def test_a_value_redshift_refuses_is_named_by_file_row_and_column(
    s3_backend: S3Backend, line_breaks: bool
) -> None:
    """Row 4 of part 3 is changed in S3 before COPY reads it: the error names the source row,
    also when values before it hold line breaks (COPY counts lines of the file, not rows)."""
    rows = source_rows("jan.csv", 1, 120) + source_rows("feb.csv", 500, 80)
    if line_breaks:
        # Not the first row: PostgreSQL (under the shim) misses a line break that comes
        # before the input's first end of line.
        for row in rows[1::3]:
            row.values[1] = "two\nlines"
    bad: dict = {}

    def on_copy(request: CopyRequest) -> None:
        before = sum(len(part_lines(request, url)) for url in request.parts[:2])
        lines = part_lines(request, request.parts[2])
        lines[3][2] = "12x"
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(lines)
        bucket, key = request.bucket_key(request.parts[2])
        request.client.put_object(
            Bucket=bucket, Key=key, Body=gzip.compress(text.getvalue().encode())
        )
        bad["row"] = rows[before + 3]

    with s3_backend.connect() as warehouse:
        warehouse.chunk_rows = 16  # type: ignore[attr-defined]
        warehouse.load(target="people", columns=COLUMNS, rows=rows[:5], load_id="v1")
        before = s3_backend.snapshot()
        s3_backend.copies.on_copy = on_copy
        reads = len(s3_backend.copies.error_reads)
        with pytest.raises(CopyRejected) as caught:
            warehouse.load(target="people", columns=COLUMNS, rows=rows, load_id="v2")
        assert s3_backend.copies.error_reads[reads:] == ["sys_load_error_detail"]
        assert staging_tables(warehouse) == []
    row = bad["row"]
    [rejection] = caught.value.rejections
    assert (rejection.source, rejection.row, rejection.column, rejection.value) == (
        row.source,
        row.row,
        "amount",
        "12x",
    )
    message = str(caught.value)
    for part in ("'people'", f"{row.source!r} row {row.row}", "column 'amount'", "'12x'"):
        assert part in message, (part, message)
    assert "Traceback" not in message and "_stg_" not in message
    assert s3_backend.snapshot() == before
    assert s3_backend.staged_keys() == []


def test_the_warehouse_dropped_mid_copy_changes_nothing_and_the_retry_loads_once(
    s3_backend: S3Backend,
) -> None:
    rows = source_rows("jan.csv", 1, 60)
    with s3_backend.connect() as warehouse:
        warehouse.load(target="people", columns=COLUMNS, rows=rows[:3], load_id="v1")
    before = s3_backend.snapshot()
    s3_backend.copies.on_copy = lambda request: s3_backend.shim.drop_connections()
    with s3_backend.connect() as warehouse, pytest.raises(WarehouseUnreachable) as caught:
        warehouse.load(target="people", columns=COLUMNS, rows=rows[3:], load_id="v2")
    assert caught.value.retryable
    assert s3_backend.snapshot() == before
    assert s3_backend.staged_keys() == []
    s3_backend.copies.on_copy = None
    with s3_backend.connect() as warehouse:
        assert (
            warehouse.load(target="people", columns=COLUMNS, rows=rows[3:], load_id="v2").rows == 57
        )
        assert warehouse.load(target="people", columns=COLUMNS, rows=rows[3:], load_id="v2").skipped
        assert contents(warehouse, "people") == expected(rows)


def test_a_load_stopped_while_uploading_deletes_what_it_wrote(s3_backend: S3Backend) -> None:
    """A cancelled run stops at its next progress report, as here."""
    rows = source_rows("jan.csv", 1, 200)

    def stop(progress) -> None:
        if progress.phase == "staging" and progress.rows >= 50:
            raise RuntimeError("the run was cancelled")

    copies_before = len(s3_backend.copies.statements)
    with s3_backend.connect() as warehouse, pytest.raises(RuntimeError, match="cancelled"):
        warehouse.chunk_rows = 16  # type: ignore[attr-defined]
        warehouse.load(target="people", columns=COLUMNS, rows=rows, load_id="v1", on_progress=stop)
    assert len(s3_backend.copies.statements) == copies_before  # it never got to COPY
    assert s3_backend.staged_keys() == []
    assert s3_backend.snapshot() == {"(staging left)": []}


KILLED_LOAD = """
import sys
from backend.integrations.warehouse import SourceRow, connect_warehouse
from backend.integrations.warehouse.s3_staging import S3Staging
from tests.backend.integrations.warehouse.test_s3_staging import COLUMNS, source_rows
url, endpoint, bucket = sys.argv[1:4]
staging = S3Staging(bucket, endpoint_url=endpoint, region="us-east-1", access_key_id="testing",
                    secret_access_key="testing", part_mb=0.001)
with connect_warehouse(url, s3_staging=staging) as warehouse:
    warehouse.chunk_rows = 16
    warehouse.load(target="people", columns=COLUMNS, rows=source_rows("a.csv", 1, 100),
                   load_id="killed")
"""


def test_a_killed_load_leaves_files_that_the_sweep_removes(s3_backend: S3Backend) -> None:
    copying, release = threading.Event(), threading.Event()

    sessions: list[int] = []

    def hold(request: CopyRequest) -> None:
        sessions.append(request.session)
        copying.set()
        release.wait(30)

    s3_backend.copies.on_copy = hold
    args = [s3_backend.url, s3_backend.endpoint, s3_backend.staging.bucket]
    env = {**os.environ, "PYTHONPATH": str(REPO), "DJANGO_SETTINGS_MODULE": "backend.settings"}
    child = subprocess.Popen([sys.executable, "-c", KILLED_LOAD, *args], cwd=REPO, env=env)
    try:
        wait_for(copying.is_set, timeout_s=60, what="the load's COPY", process=child)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        release.set()
        if child.poll() is None:
            child.kill()
    left = s3_backend.staged_keys()
    assert len(left) >= 3 and any(key.endswith("/manifest") for key in left)
    staging = s3_backend.staging
    client = s3_client(s3_backend.endpoint)
    for other in ("load-staging/notes.txt", "elsewhere/_stg_0123456789abcdef/manifest"):
        client.put_object(Bucket=staging.bucket, Key=other, Body=b"not a load's")
    assert sweep_staged(staging, older_than=timedelta(hours=1)) == 0  # could be a live load's
    assert s3_backend.staged_keys() == sorted(
        [*left, "load-staging/notes.txt", "elsewhere/_stg_0123456789abcdef/manifest"]
    )
    assert sweep_staged(staging, older_than=timedelta(0)) == len(left)
    assert s3_backend.staged_keys() == [
        "elsewhere/_stg_0123456789abcdef/manifest",
        "load-staging/notes.txt",
    ]  # not a load's: kept

    def session_gone() -> bool:
        with psycopg.connect(PG_DSN) as conn:
            found = conn.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [sessions[0]])
            return found.fetchone() is None

    assert sessions[0] > 0  # the database session the killed load had
    wait_for(session_gone, timeout_s=30, what="the killed load's session to end")
    assert "people" not in s3_backend.snapshot()  # nothing was published


def test_a_bucket_s3_refuses_is_a_clear_error_and_changes_nothing(s3_backend: S3Backend) -> None:
    with s3_backend.connect(bucket="no-such-bucket") as warehouse:
        with pytest.raises(WarehouseError) as caught:
            warehouse.load(
                target="people", columns=COLUMNS, rows=source_rows("a.csv", 1, 5), load_id="v1"
            )
        assert not caught.value.retryable
        assert "'no-such-bucket'" in str(caught.value) and "NoSuchBucket" in str(caught.value)
        assert "testing" not in str(caught.value)  # no key in the message
        assert not warehouse.table_exists("people")


def test_origins_map_a_row_index_back_to_its_file_and_row() -> None:
    from backend.integrations.warehouse.copy_errors import Origins

    rows = source_rows("a.csv", 1, 5000) + source_rows("b.csv", 1, 10)
    rows += [SourceRow(["x"], 40, "b.csv"), ["plain"], SourceRow(["y"], 41, "b.csv")]
    origins = Origins(first_row=2)
    assert list(origins.track(iter(rows))) == rows
    assert origins.locate(0) == ("a.csv", 2)
    assert origins.locate(4999) == ("a.csv", 5001)
    assert origins.locate(5000) == ("b.csv", 2)
    assert origins.locate(5010) == ("b.csv", 40)
    assert origins.locate(5011) == ("", 2 + 5011)  # a plain row: numbered by position
    assert origins.locate(5012) == ("b.csv", 41)
    plain = Origins(first_row=2)
    list(plain.track([["1"]] * 9000))
    assert plain.locate(8999) == ("", 9001) and len(plain._starts) == 1


def test_many_refusals_show_the_first_ones_each_on_its_line() -> None:
    from backend.integrations.warehouse.copy_errors import Origins, rejections

    origins = Origins(first_row=2)
    list(origins.track(source_rows("jan.csv", 1, 30)))
    part = "s3://b/load-staging/_stg_1/part-00002.csv.gz"
    found = [(part, n, "amount", "x", "Invalid digit, Value 'x', Pos 0", 12) for n in (1, 2)]
    found.append(("s3://b/elsewhere.csv.gz", 3, "day", "y", "Invalid date", 12))
    shown, total = rejections(found, lambda url, line: 9 + line if url == part else None, origins)
    assert [(r.source, r.row) for r in shown[:2]] == [("jan.csv", 12), ("jan.csv", 13)]
    assert shown[2].source == "staged file s3://b/elsewhere.csv.gz"
    message = str(CopyRejected("people", shown, total))
    assert "(the first 3 of 12)" in message
    assert "\n- 'jan.csv' row 12, column 'amount', value 'x': Invalid digit" in message
    assert message.count("\n- ") == 3


def test_clusters_without_the_sys_views_report_through_stl_load_errors(
    s3_backend: S3Backend,
) -> None:
    """Only stl_load_errors answers here (the session cannot see sys_load_error_detail)."""
    schema = s3_backend.schema
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(
            sql.SQL(
                "CREATE VIEW {}.stl_load_errors AS SELECT * FROM public.stl_load_errors"
            ).format(sql.Identifier(schema))
        )

    def corrupt_first_row(request: CopyRequest) -> None:
        lines = part_lines(request, request.parts[0])
        lines[0][0] = "one"
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(lines)
        bucket, key = request.bucket_key(request.parts[0])
        body = gzip.compress(text.getvalue().encode())
        request.client.put_object(Bucket=bucket, Key=key, Body=body)

    s3_backend.copies.on_copy = corrupt_first_row
    with s3_backend.connect() as warehouse:
        warehouse._execute(f'SET search_path TO "{schema}"')  # type: ignore[attr-defined]
        warehouse._commit()  # type: ignore[attr-defined]
        reads = len(s3_backend.copies.error_reads)
        with pytest.raises(CopyRejected, match=r"'may.csv' row 2, column 'id', value 'one'"):
            warehouse.load(
                target="people", columns=COLUMNS, rows=source_rows("may.csv", 1, 9), load_id="v1"
            )
    assert s3_backend.copies.error_reads[reads:] == ["sys_load_error_detail", "stl_load_errors"]


def test_a_part_that_lost_rows_fails_the_load_instead_of_loading_less(
    s3_backend: S3Backend,
) -> None:
    def drop_a_row(request: CopyRequest) -> None:
        lines = part_lines(request, request.parts[0])[1:]
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(lines)
        bucket, key = request.bucket_key(request.parts[0])
        body = gzip.compress(text.getvalue().encode())
        request.client.put_object(Bucket=bucket, Key=key, Body=body)

    s3_backend.copies.on_copy = drop_a_row
    with s3_backend.connect() as warehouse:
        with pytest.raises(WarehouseError, match=r"COPY read 29 rows of the 30 staged"):
            warehouse.load(
                target="people", columns=COLUMNS, rows=source_rows("a.csv", 1, 30), load_id="v1"
            )
        assert not warehouse.table_exists("people")
    assert s3_backend.staged_keys() == []
