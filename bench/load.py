"""Warehouse load throughput: Redshift by INSERT and by S3 + COPY, SQLite, raw PostgreSQL
COPY, and the driver's write_dataframe.

Writes a 12-column CSV of mixed types (streamed to a temp file), infers its types in one
pass, then loads it through the `redshift` backend (real redshift-connector, through the
wire shim, into a scratch schema of the local PostgreSQL) and through `sqlite`. Then loads
the first rows (20,000 by default) of the same data into the same target with
redshift-connector's cursor.write_dataframe, and scales its rate. Peak memory (VmHWM) is
read before pandas is imported, so it is the loaders' own.

The S3 + COPY path stages gzip CSV parts in a moto S3 server on 127.0.0.1; the shim turns
COPY FROM 's3://...' into PostgreSQL's COPY FROM PROGRAM that fetches them. PostgreSQL's own
COPY of the same CSV file (psycopg, COPY FROM STDIN) is this machine's limit. Through the
shim both Redshift paths end in PostgreSQL, which takes multi-row INSERTs almost as fast as
COPY; Redshift funnels INSERTs through its leader node, so s3_copy_vs_insert here is far
below what a cluster shows. The S3 path is Python's encoding, then COPY: they can't overlap,
as one COPY reads every part. Each load prints where its time went, from its own progress
reports: rows staged, then until publishing (the S3 path's COPY), then publishing.

    .venv/bin/python bench/load.py [--rows 1000000] [--dataframe-rows 20000]

Last line: insert_rows_per_s=N s3_copy_rows_per_s=N pg_copy_rows_per_s=N peak_mb=M
    s3_copy_vs_insert=R s3_copy_vs_pg_copy=R s3_copy_peak_mb=M write_dataframe_rows_per_s=N
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from backend.integrations.warehouse import LoadProgress, S3Staging, connect_warehouse  # noqa: E402
from backend.integrations.warehouse.schema import TypeInferrer, ddl_for  # noqa: E402
from bench.measure import peak_mb, write_rows  # noqa: E402
from tests.support.s3_server import moto_server, new_bucket, staging_for  # noqa: E402

PG_DSN = "host=127.0.0.1 port=5432 dbname=postgres user=postgres"
HEADER = ["id", "qty", "price", "amount", "active", "day", "seen_at"]
HEADER += ["code", "city", "note", "score", "ratio"]
CITIES = ["Paris", "Zürich", "São Paulo", "Kraków", "Oslo", "Lima", "東京", "Cairo"]
WORDS = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit"]
WORDS += ["sed", "do", "eiusmod", "tempor"]


def fake_row(i: int, rnd: random.Random, day0: date, ts0: datetime) -> list[str]:
    maybe = lambda text: "" if rnd.random() < 0.05 else text  # noqa: E731  some NULLs
    return [
        str(i),
        maybe(str(rnd.randint(-1000, 100_000))),
        f"{rnd.lognormvariate(3, 1):.6e}",
        f"{rnd.uniform(-5000, 50_000):.2f}",
        rnd.choice(("true", "false")),
        (day0 + timedelta(days=rnd.randint(0, 3650))).isoformat(),
        maybe((ts0 + timedelta(seconds=rnd.randint(0, 10**8))).isoformat(sep=" ")),
        f"C{rnd.randint(0, 99999):05d}",
        rnd.choice(CITIES),
        maybe(" ".join(rnd.choices(WORDS, k=rnd.randint(3, 30)))),
        maybe(f"{rnd.random() * 100:.4f}"),
        repr(rnd.random()),
    ]


def write_csv(path: Path, rows: int) -> None:
    rnd, day0, ts0 = random.Random(7), date(2015, 1, 1), datetime(2020, 1, 1)
    write_rows(path, HEADER, (fake_row(i, rnd, day0, ts0) for i in range(rows)))


def read_csv(path: Path, limit: int | None = None) -> Iterator[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        yield from islice(reader, limit)


def timed_load(
    url: str, columns: list, path: Path, rows: int, s3_staging: S3Staging | None = None
) -> float:
    with connect_warehouse(url, s3_staging=s3_staging) as warehouse:
        phases = Phases()
        result = warehouse.load(
            target="bench_rows",
            columns=columns,
            rows=read_csv(path),
            load_id=uuid.uuid4().hex,
            on_progress=phases.note,
        )
    assert result.rows == rows, result
    print(phases.describe())
    return rows / phases.total


class Phases:
    """Where a load's time went, from its own progress reports: staging ends with the last
    rows staged (for S3, the last part uploaded); then the rest of staging (for S3: the
    manifest, COPY and its row count) until publishing starts; then publishing."""

    def __init__(self) -> None:
        self.started = self.staged = time.perf_counter()
        self.publishing = self.done = self.started

    def note(self, progress: LoadProgress) -> None:
        now = time.perf_counter()
        if progress.phase == "staging":
            self.staged = now
        elif progress.phase == "publishing":
            self.publishing = now
        else:
            self.done = now

    @property
    def total(self) -> float:
        return self.done - self.started

    def describe(self) -> str:
        return (
            f"  rows staged {self.staged - self.started:.1f}s, then until publishing "
            f"{self.publishing - self.staged:.1f}s, publishing {self.done - self.publishing:.1f}s"
        )


def start_shim(s3_endpoint: str) -> tuple[subprocess.Popen, int]:
    # Its own process: the proxy's work doesn't share this process's GIL (or its memory).
    shim = subprocess.Popen(
        [sys.executable, "-m", "tests.support.redshift_shim", "--s3-endpoint", s3_endpoint],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert shim.stdout is not None
    return shim, int(shim.stdout.readline())


def pg_copy_rate(schema: str, columns: list, path: Path, rows: int) -> float:
    """PostgreSQL's own COPY of the CSV file into a table of the same types."""
    ddl = ddl_for("bench_pg_copy", columns, "redshift", schema=schema)
    with psycopg.connect(PG_DSN) as conn:
        conn.execute(ddl)
        target = sql.Identifier(schema, "bench_pg_copy")
        started = time.perf_counter()
        statement = sql.SQL("COPY {} FROM STDIN WITH (FORMAT csv, HEADER)").format(target)
        with conn.cursor().copy(statement) as copy, path.open("rb") as handle:
            while block := handle.read(1 << 20):
                copy.write(block)
        conn.commit()
        elapsed = time.perf_counter() - started
        count = conn.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(target)).fetchone()
    assert count is not None and count[0] == rows, count
    return rows / elapsed


def write_dataframe_rate(port: int, schema: str, columns: list, path: Path, rows: int) -> float:
    import pandas as pd
    import redshift_connector

    values = [[v if v != "" else None for v in row] for row in read_csv(path, rows)]
    frame = pd.DataFrame(values, columns=[c.name for c in columns], dtype=object)
    conn = redshift_connector.connect(
        host="127.0.0.1", port=port, database="postgres", user="postgres", ssl=False
    )
    try:
        cursor = conn.cursor()
        started = time.perf_counter()
        cursor.write_dataframe(frame, f"{schema}.bench_rows")
        conn.commit()
        return len(frame) / (time.perf_counter() - started)
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dataframe-rows", type=int, default=20_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="warehouse-bench-"))
    path = work / "rows.csv"
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    s3 = moto_server()
    endpoint = s3.__enter__()
    shim, port = start_shim(endpoint)
    admin = psycopg.connect(PG_DSN, autocommit=True)
    admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        run(args, path, schema, port, staging_for(endpoint, new_bucket(endpoint)))
    finally:
        s3.__exit__(None, None, None)
        admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
        admin.close()
        shim.terminate()
        shim.wait()
        path.unlink(missing_ok=True)
        work.rmdir()


def run(args: argparse.Namespace, path: Path, schema: str, port: int, staging: S3Staging) -> None:
    started = time.perf_counter()
    write_csv(path, args.rows)
    size_mb = path.stat().st_size / 2**20
    print(f"csv: {args.rows} rows, {size_mb:.0f} MB in {time.perf_counter() - started:.1f}s")
    started = time.perf_counter()
    columns = TypeInferrer(HEADER).feed(read_csv(path)).columns()
    print(f"inference: {time.perf_counter() - started:.1f}s")
    print(ddl_for("bench_rows", columns, "redshift"))
    url = f"redshift://postgres@127.0.0.1:{port}/postgres?ssl=false&schema={schema}"
    s3_copy = timed_load(url, columns, path, args.rows, staging)
    s3_peak = peak_mb()  # first, so the high-water mark is this path's own
    print(f"redshift backend, S3 + COPY: {s3_copy:,.0f} rows/s, peak {s3_peak:.0f} MB")
    redshift = timed_load(url, columns, path, args.rows)
    print(f"redshift backend, INSERT: {redshift:,.0f} rows/s")
    pg_copy = pg_copy_rate(schema, columns, path, args.rows)
    print(f"PostgreSQL COPY of the file: {pg_copy:,.0f} rows/s")
    sqlite = timed_load(f"sqlite:///{path.parent / 'warehouse.sqlite3'}", columns, path, args.rows)
    (path.parent / "warehouse.sqlite3").unlink()
    print(f"sqlite backend: {sqlite:,.0f} rows/s")
    peak = peak_mb()
    print(f"peak memory of the loads: {peak:.0f} MB")
    frame_rate = write_dataframe_rate(port, schema, columns, path, args.dataframe_rows)
    print(f"write_dataframe ({args.dataframe_rows} rows): {frame_rate:,.0f} rows/s")
    print(
        f"insert_rows_per_s={redshift:.0f} s3_copy_rows_per_s={s3_copy:.0f} "
        f"pg_copy_rows_per_s={pg_copy:.0f} peak_mb={peak:.0f} "
        f"s3_copy_vs_insert={s3_copy / redshift:.1f} s3_copy_vs_pg_copy={s3_copy / pg_copy:.2f} "
        f"s3_copy_peak_mb={s3_peak:.0f} write_dataframe_rows_per_s={frame_rate:.0f} "
        f"insert_vs_write_dataframe={redshift / frame_rate:.1f}"
    )


if __name__ == "__main__":
    main()
