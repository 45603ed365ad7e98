"""The production path end to end: files in S3 (django-storages), a worker that keeps nothing
on its disk, and Redshift loads staged in S3 and COPYed (moto server + the PostgreSQL shim)."""

from __future__ import annotations

import base64
import csv
import gzip
import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from backend.celery_app import app
from backend.integrations.warehouse import connect_warehouse
from backend.models import Document, Run, Table
from backend.selectors.tables import table_csv, table_data_rows, tables_zip
from backend.services.bundles import bundle_create, bundle_set_tables, table_create_from_csv
from backend.services.loads import load_enqueue
from tests.backend.services.test_conversion import finished
from tests.support.factories import upload_document
from tests.support.processes import celery_process, wait_for
from tests.support.s3_server import KEYS, REGION, new_bucket, object_keys
from tests.support.s3_warehouse import s3_server, s3_shim
from tests.support.shim_copy import CopyRequest
from tests.support.warehouse_fixtures import PG_DSN

__all__ = ["s3_server", "s3_shim"]  # fixtures, imported for pytest

WAREHOUSE_PASSWORD = "wh-Secret-7Qx"
PDF_PASSWORD = "userpass"  # opens camelot__health_protected.pdf
ORDERS = "order id,customer,amount\r\n" + "".join(f"{i},c{i},{i}.50\r\n" for i in range(1, 41))


class Production:
    def __init__(self, endpoint: str, files: str, staging: str, warehouse_url: str) -> None:
        self.endpoint, self.files, self.staging = endpoint, files, staging
        self.warehouse_url = warehouse_url

    def env(self, media: Path) -> dict[str, str]:
        return {
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_REGION": REGION,
            "S3_ACCESS_KEY_ID": KEYS["aws_access_key_id"],
            "S3_SECRET_ACCESS_KEY": KEYS["aws_secret_access_key"],
            "FILES_S3_BUCKET": self.files,
            "LOAD_S3_BUCKET": self.staging,
            "LOAD_S3_PART_MB": "0.0005",  # a few hundred bytes: several parts per load
            "WAREHOUSE_URL": self.warehouse_url,
            "MEDIA_ROOT": str(media),
            # Every document in one-page parts: the parts wait for the join in S3 too.
            "CONVERSION_PARALLEL_MIN_PAGES": "1",
            "CONVERSION_PART_PAGES": "1",
            "LOAD_RETRY_BASE_S": "0.2",  # a load cut off is tried again at once
            # The filesystem broker keeps what the worker took, for the secret search.
            "BROKER_KEEP_PROCESSED": "1",
        }

    def storages(self) -> dict:
        options = {
            "bucket_name": self.files,
            "location": "files",
            "region_name": REGION,
            "endpoint_url": self.endpoint,
            "access_key": KEYS["aws_access_key_id"],
            "secret_key": KEYS["aws_secret_access_key"],
            "addressing_style": "path",
            "file_overwrite": False,
        }
        return {"default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}}


@pytest.fixture(scope="module")
def production(s3_server: str, s3_shim, django_db_setup, tmp_path_factory) -> Iterator[Production]:
    """Buckets, a warehouse schema and a worker configured as production would be."""
    schema = f"prod_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    # The shim's PostgreSQL trusts local connections: the password is there to be looked for.
    url = f"redshift://postgres:{WAREHOUSE_PASSWORD}@127.0.0.1:{s3_shim.port}/postgres"
    url += f"?ssl=false&schema={schema}"
    setup = Production(s3_server, new_bucket(s3_server), new_bucket(s3_server), url)
    media = tmp_path_factory.mktemp("worker-media")  # must stay empty
    log = tmp_path_factory.mktemp("s3-worker") / "worker.log"
    setup.log = log
    args = ["worker", "-c", "1", "-n", "s3prod@%h", "--loglevel=INFO"]
    try:
        with celery_process(args, log, **setup.env(media)) as proc:
            wait_for(
                lambda: app.control.ping(timeout=0.5), timeout_s=60, what="the worker", process=proc
            )
            yield setup
        assert not [p for p in media.rglob("*") if p.is_file()], "the worker kept files locally"
    finally:
        s3_shim.copies.on_copy = None
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def s3_files(production: Production, settings, tmp_path) -> Production:
    """This process stores files in the same bucket as the worker, and nothing locally."""
    settings.STORAGES = production.storages()
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return production


def load_and_wait(bundle, user) -> Run:
    run = load_enqueue(bundle_id=bundle.pk, owner=user)
    return wait_for(
        lambda: Run.objects.filter(pk=run.pk, status__in=["succeeded", "failed"]).first(),
        timeout_s=90,
        what=f"the load of {bundle.name}",
    )


def test_a_pdf_and_a_csv_go_through_s3_into_redshift_by_copy(
    s3_files, user, corpus, tmp_path, s3_shim
):
    copies = len(s3_shim.copies.statements)
    document = upload_document(user, corpus / "camelot__us-020.pdf", pages="2-3")
    assert finished(document).status == Run.Status.SUCCEEDED
    (table,) = Table.objects.filter(document=document)
    stored = object_keys(s3_files.endpoint, s3_files.files)
    assert not [key for key in stored if "/conversions/" in key]  # parts joined and deleted
    assert document.file.name in {k.removeprefix("files/") for k in stored}
    assert table.file.name in {k.removeprefix("files/") for k in stored}
    rows = list(table_data_rows(table=table))
    assert rows and len(rows[0][1]) == 7  # the CSV the worker wrote, read back from S3
    with zipfile.ZipFile(io.BytesIO(tables_zip(owner=user, document_id=document.pk))) as zipped:
        [name] = zipped.namelist()
        assert zipped.read(name) == table_csv(table=table)  # the download, from S3 too

    bundle = bundle_create(
        owner=user, name="s3 orders", target_table="orders_s3", load_mode="append"
    )
    table_create_from_csv(
        owner=user, name="orders.csv", content=ORDERS.encode(), bundle_id=bundle.pk
    )
    run = load_and_wait(bundle, user)
    assert run.status == Run.Status.SUCCEEDED, run.error
    assert run.rows_loaded == 40
    assert len(s3_shim.copies.statements) == copies + 1  # one COPY, no INSERT batches
    with connect_warehouse(s3_files.warehouse_url) as warehouse:
        assert warehouse.preview("orders_s3", 100).rows[0] == (1, "c1", pytest.approx(1.5))
        assert len(warehouse.preview("orders_s3", 100).rows) == 40
    assert object_keys(s3_files.endpoint, s3_files.staging) == []  # staged parts deleted
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]


def test_a_value_copy_refuses_is_shown_by_pdf_page_row_and_column(s3_files, user, corpus, s3_shim):
    document = upload_document(user, corpus / "camelot__us-020.pdf", pages="2-3")
    assert finished(document).status == Run.Status.SUCCEEDED
    (table,) = Table.objects.filter(document=document)
    first_row = next(table_data_rows(table=table))[0]
    bundle = bundle_create(
        owner=user, name="s3 pdf", target_table=f"pdf_{uuid.uuid4().hex[:6]}", load_mode="append"
    )
    bundle_set_tables(by=bundle.owner, bundle_id=bundle.pk, table_ids=[table.pk])

    def corrupt_first_value(request: CopyRequest) -> None:
        bucket, key = request.bucket_key(request.parts[0])
        body = request.client.get_object(Bucket=bucket, Key=key)["Body"].read()
        lines = list(csv.reader(io.StringIO(gzip.decompress(body).decode())))
        lines[0][0] = "x" * 300  # fits no column the table inferred
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(lines)
        request.client.put_object(
            Bucket=bucket, Key=key, Body=gzip.compress(text.getvalue().encode())
        )

    s3_shim.copies.on_copy = corrupt_first_value
    run = load_and_wait(bundle, user)
    s3_shim.copies.on_copy = None
    assert run.status == Run.Status.FAILED
    where = f"'camelot__us-020.pdf pages 2-3 ({table.name})' row {first_row}, column '"
    for part in ("Redshift refused", where, "value 'xxxx"):
        assert part in run.error, (part, run.error)
    assert "Traceback" not in run.error and "_stg_" not in run.error
    assert object_keys(s3_files.endpoint, s3_files.staging) == []
    with connect_warehouse(s3_files.warehouse_url) as warehouse:
        assert not warehouse.table_exists(bundle.target_table)
    document.refresh_from_db()
    assert document.status == Document.Status.CONVERTED


def test_the_sweep_removes_staged_files_only_once_no_load_can_use_them(s3_server, settings):
    from backend.services.loads import load_staging_sweep
    from tests.support.s3_server import s3_client, staging_for

    bucket = new_bucket(s3_server)
    staging = staging_for(s3_server, bucket)
    settings.LOAD_S3_STAGING = {**staging.__dict__, "prefix": "load-staging/"}
    key = "load-staging/_stg_0123456789abcdef/part-00001.csv.gz"
    s3_client(s3_server).put_object(Bucket=bucket, Key=key, Body=b"left by a killed worker")
    assert load_staging_sweep() == 0  # younger than a load's time limit: may be in use
    assert object_keys(s3_server, bucket) == [key]
    settings.LOAD_SOFT_TIME_LIMIT_S = -1260  # a limit long past: every staged file is stale
    assert load_staging_sweep() == 1
    assert object_keys(s3_server, bucket) == []
    settings.LOAD_S3_STAGING = {"bucket": ""}
    assert load_staging_sweep() == 0  # no staging bucket: nothing to sweep


def test_a_load_cut_off_mid_copy_is_retried_and_published_once(s3_files, user, s3_shim):
    bundle = bundle_create(
        owner=user,
        name="s3 retried",
        target_table=f"retried_{uuid.uuid4().hex[:6]}",
        load_mode="append",
    )
    table_create_from_csv(
        owner=user, name="orders.csv", content=ORDERS.encode(), bundle_id=bundle.pk
    )
    cuts: list[str] = []

    def cut_the_first_copy(request: CopyRequest) -> None:
        if not cuts:
            cuts.append(request.url)
            s3_shim.drop_connections()

    s3_shim.copies.on_copy = cut_the_first_copy
    run = load_and_wait(bundle, user)
    s3_shim.copies.on_copy = None
    assert run.status == Run.Status.SUCCEEDED, run.error
    assert len(cuts) == 1 and run.rows_loaded == 40
    with connect_warehouse(s3_files.warehouse_url) as warehouse:
        assert len(warehouse.preview(bundle.target_table, 100).rows) == 40  # once, not twice
    assert object_keys(s3_files.endpoint, s3_files.staging) == []  # both tries cleaned up


def _decoded(raw: bytes) -> str:
    """A kombu message as text, its body decoded (kombu sends bodies base64-encoded)."""
    text = raw.decode("utf-8", errors="replace")
    try:
        message = json.loads(text)
    except ValueError:
        return text
    if not isinstance(message, dict) or not isinstance(message.get("body"), str):
        return text
    if message.get("properties", {}).get("body_encoding") == "base64":
        text += "\n" + base64.b64decode(message["body"]).decode("utf-8", errors="replace")
    return text


def broker_contents() -> str:
    """Everything the broker holds, decoded: every file of the filesystem broker (queues,
    control, the messages workers took), or every key of a Redis broker."""
    url = app.conf.broker_url
    if url.startswith("filesystem"):
        files = [p for p in settings.BROKER_DIR.rglob("*") if p.is_file()]
        return "\n".join(_decoded(p.read_bytes()) for p in files)
    if url.startswith("redis"):
        import redis

        client = redis.Redis.from_url(url)
        texts = []
        for key in client.scan_iter():
            kind = client.type(key).decode()
            values = {
                "list": lambda k: client.lrange(k, 0, -1),
                "hash": lambda k: client.hvals(k),
                "set": lambda k: client.smembers(k),
                "zset": lambda k: client.zrange(k, 0, -1),
                "string": lambda k: [client.get(k)],
            }.get(kind, lambda k: [])(key)
            texts += [key.decode(errors="replace")] + [_decoded(v) for v in values if v]
        return "\n".join(texts)
    pytest.fail(f"the secret search does not know how to read the broker {url.split(':')[0]}")


def test_no_secret_reaches_a_run_a_task_result_a_document_or_the_worker_log(s3_files, user, corpus):
    """A conversion with a PDF password and a load with a password in WAREHOUSE_URL, both on a
    real worker; then every place a secret could leak is searched for both."""
    from django_celery_results.models import TaskResult

    from backend.selectors.run_detail import run_detail

    document = upload_document(
        user, corpus / "camelot__health_protected.pdf", password=PDF_PASSWORD
    )
    assert finished(document).status == Run.Status.SUCCEEDED
    bundle = bundle_create(owner=user, name="Health", target_table="health", load_mode="append")
    tables = [t.pk for t in Table.objects.filter(document=document)]
    bundle_set_tables(by=user, bundle_id=bundle.pk, table_ids=tables[:1])
    assert load_and_wait(bundle, user).status == Run.Status.SUCCEEDED
    places = {
        "runs": repr(list(Run.objects.values())),
        "run details": repr([run_detail(by=user, run_id=r.pk) for r in Run.objects.all()]),
        "task results": repr(list(TaskResult.objects.values())),
        "documents": repr(list(Document.objects.values())),
        "worker log": s3_files.log.read_text(errors="replace"),
        "broker": broker_contents(),
    }
    assert TaskResult.objects.exists() and "succeeded in" in places["worker log"]
    if app.conf.broker_url.startswith("filesystem"):
        # The messages themselves were read, decoded: the search is not of an empty folder.
        assert "load_to_redshift" in places["broker"] and "convert_pdf" in places["broker"]
        assert f'"bundle_id": {bundle.pk}' in places["broker"]
    for secret in (PDF_PASSWORD, WAREHOUSE_PASSWORD):
        leaked = [where for where, text in places.items() if secret in text]
        assert leaked == [], f"{secret!r} found in {leaked}"
