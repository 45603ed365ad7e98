"""Two workers on two "machines" that share nothing but Redis, PostgreSQL and S3.

Each worker has its own empty local folder and its own name. Documents converted on one are
loaded by the other; with both running, a batch is converted (in parts spread over both) and
loaded, each document once and each load published once. The product is driven through its
services in a separate process, as the dashboard would, on the same settings.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest
import redis
from celery import Celery
from psycopg import sql

from tests.support.processes import REPO, background_process, process_env, wait_for
from tests.support.s3_server import KEYS, REGION, new_bucket, object_keys
from tests.support.s3_warehouse import s3_server, s3_shim
from tests.support.services import require_service

__all__ = ["s3_server", "s3_shim"]  # fixtures, imported for pytest
PG = "host=127.0.0.1 port=5432 user=postgres"
BROKER = "redis://127.0.0.1:6379/13"
PDF = "camelot__us-020.pdf"  # pages 2-3: one table of 7 columns across both pages
CLIENT = """
import io, json, sys
import django
django.setup()
from backend.services.bundles import bundle_create, bundle_set_tables
from backend.services.documents import ConversionOptions, document_upload
from backend.services.loads import load_enqueue
from tests.support.users import user_default
from backend.models import Table
user = user_default()
command, *args = sys.argv[1:]
if command == "upload":
    path, count = args[0], int(args[1])
    ids = [document_upload(owner=user, name=f"report-{n}.pdf", allow_duplicate=True,
                           content=io.BytesIO(open(path, "rb").read()),
                           options=ConversionOptions(pages="2-3")).document.pk
           for n in range(count)]
else:
    target, documents = args[0], json.loads(args[1])
    bundle = bundle_create(owner=user, name=target, target_table=target, load_mode="append")
    bundle_set_tables(by=bundle.owner, bundle_id=bundle.pk, table_ids=Table.objects.filter(
        document_id__in=documents).values_list("pk", flat=True))
    bundle.refresh_from_db()
    ids = [load_enqueue(bundle_id=bundle.pk, owner=user).pk]
print(json.dumps(ids))
"""


class Cluster:
    def __init__(self, env: dict[str, str], database: str, tmp: Path) -> None:
        self.env, self.database, self.tmp = env, database, tmp

    def client(self, *args: str) -> list[int]:
        """Run one dashboard action through the services; returns the ids it made."""
        out = subprocess.run(
            [sys.executable, "-c", CLIENT, *args],
            cwd=REPO,
            env=process_env(**self.env_for("client")),
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    def env_for(self, machine: str) -> dict[str, str]:
        local = self.tmp / machine  # the machine's own disk: must stay empty
        return {**self.env, "VAR_DIR": str(local), "MEDIA_ROOT": str(local / "media")}

    def worker(self, machine: str):
        args = ["worker", "-c", "1", "-n", f"worker@{machine}", "--without-mingle"]
        cmd = [sys.executable, "-m", "celery", "-A", "backend.celery_app", *args]
        return background_process(cmd, self.tmp / f"{machine}.log", **self.env_for(machine))

    def query(self, text: str, *params: object) -> list[tuple]:
        with psycopg.connect(f"{PG} dbname={self.database}") as conn:
            return conn.execute(text, params).fetchall()

    def wait_finished(self, table: str, ids: list[int], what: str) -> None:
        ended = ("succeeded", "failed", "converted")  # a Run's or a Document's last states

        def done() -> bool:
            rows = self.query(f"SELECT status FROM {table} WHERE id = ANY(%s)", ids)
            return len(rows) == len(ids) and all(status in ended for (status,) in rows)

        wait_for(done, timeout_s=180, what=what)

    def wait_ready(self, *machines: str) -> None:
        app = Celery("client", broker=BROKER, set_as_current=False)
        names = [f"worker@{machine}" for machine in machines]

        def answered() -> bool:
            replies = app.control.ping(destination=names, timeout=0.5)
            return {name for reply in replies for name in reply} == set(names)

        wait_for(answered, timeout_s=60, what=f"{', '.join(names)} to answer")

    def workers_of(self, run_ids: list[int]) -> set[str]:
        rows = self.query(
            "SELECT r.worker FROM backend_run run JOIN django_celery_results_taskresult r "
            "ON r.task_id = run.task_id WHERE run.id = ANY(%s)",
            run_ids,
        )
        return {worker for (worker,) in rows}


@pytest.fixture
def cluster(s3_server: str, s3_shim, tmp_path: Path, corpus: Path) -> Iterator[Cluster]:
    require_service("redis")
    database, schema = f"scale_{uuid.uuid4().hex[:8]}", f"scale_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{PG} dbname=postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    redis.Redis.from_url(BROKER).flushdb()
    warehouse = (
        f"redshift://postgres:unused@127.0.0.1:{s3_shim.port}/postgres?ssl=false&schema={schema}"
    )
    env = {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "CELERY_BROKER_URL": BROKER,
        "WAREHOUSE_URL": warehouse,
        "FILES_S3_BUCKET": new_bucket(s3_server),
        "LOAD_S3_BUCKET": new_bucket(s3_server),
        "S3_ENDPOINT_URL": s3_server,
        "S3_REGION": REGION,
        "S3_ACCESS_KEY_ID": KEYS["aws_access_key_id"],
        "S3_SECRET_ACCESS_KEY": KEYS["aws_secret_access_key"],
        "CONVERSION_PARALLEL_MIN_PAGES": "1",  # each document in one-page parts
        "CONVERSION_PART_PAGES": "1",
        "PDF_PATH": str(corpus / PDF),
        "SCHEMA": schema,
    }
    setup = Cluster(env, database, tmp_path)
    migrate = [sys.executable, "manage.py", "migrate", "--noinput"]
    admin = process_env(**setup.env_for("admin"))
    subprocess.run(migrate, cwd=REPO, env=admin, check=True, capture_output=True)
    try:
        yield setup
    finally:
        redis.Redis.from_url(BROKER).flushdb()
        with psycopg.connect(f"{PG} dbname=postgres", autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(database)))


def test_two_machines_share_the_work_through_redis_postgresql_and_s3(cluster: Cluster) -> None:
    pdf = cluster.env["PDF_PATH"]
    with cluster.worker("machine-a"):  # only A runs: it converts the first batch
        first = cluster.client("upload", pdf, "2")
        cluster.wait_finished("backend_document", first, "A's conversions")
    with cluster.worker("machine-b"):  # only B runs: it loads what A converted
        loads = cluster.client("bundle", "first_batch", json.dumps(first))
        cluster.wait_finished("backend_run", loads, "B's load")
    with ExitStack() as both:  # both run: a batch shared between them
        for machine in ("machine-a", "machine-b"):
            both.enter_context(cluster.worker(machine))
        cluster.wait_ready("machine-a", "machine-b")  # so both take parts of the batch
        batch = cluster.client("upload", pdf, "4")
        cluster.wait_finished("backend_document", batch, "the shared batch")
        loads += cluster.client("bundle", "second_batch", json.dumps(batch))
        cluster.wait_finished("backend_run", loads, "the second load")

    documents = first + batch
    conversions = cluster.query(
        "SELECT document_id, status, id FROM backend_run WHERE kind = 'conversion'"
    )
    assert sorted(d for d, _, _ in conversions) == sorted(documents)  # each converted once
    assert {status for _, status, _ in conversions} == {"succeeded"}
    tables = cluster.query("SELECT document_id, n_rows FROM backend_table")
    assert sorted(d for d, _ in tables) == sorted(documents)  # one table each, none twice
    runs = cluster.query("SELECT id, status, rows_loaded FROM backend_run WHERE kind = 'load'")
    assert [status for _, status, _ in runs] == ["succeeded", "succeeded"]

    first_runs = [run for d, _, run in conversions if d in first]
    assert cluster.workers_of(first_runs) == {"worker@machine-a"}
    assert cluster.workers_of(loads[:1]) == {"worker@machine-b"}
    parts = cluster.query(
        "SELECT DISTINCT worker FROM django_celery_results_taskresult "
        "WHERE task_name = 'convert_pdf_part'"
    )
    assert {w for (w,) in parts} == {"worker@machine-a", "worker@machine-b"}

    schema = cluster.env["SCHEMA"]
    with psycopg.connect(f"{PG} dbname=postgres") as conn:
        ledger = conn.execute(
            sql.SQL("SELECT load_id, row_count FROM {}._load_ledger").format(sql.Identifier(schema))
        ).fetchall()
        counts = [
            conn.execute(
                sql.SQL("SELECT COUNT(*) FROM {}.{}").format(
                    sql.Identifier(schema), sql.Identifier(target)
                )
            ).fetchone()[0]
            for target in ("first_batch", "second_batch")
        ]
    assert len(ledger) == 2  # each load published once
    assert counts == [rows for _, _, rows in sorted(runs)]
    for machine in ("machine-a", "machine-b"):
        assert not [p for p in (cluster.tmp / machine).rglob("*") if p.is_file()], machine
    assert object_keys(cluster.env["S3_ENDPOINT_URL"], cluster.env["LOAD_S3_BUCKET"]) == []
