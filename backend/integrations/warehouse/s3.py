"""The S3 side of loading: where staged parts go, the client that writes them, the sweep.

Uploads use boto3's own credential chain (instance role, AWS_* variables, profile) unless
keys are given. S3 errors become WarehouseErrors here, so a load never ends in a botocore
traceback.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import botocore.exceptions
from botocore.config import Config

from .errors import WarehouseError, WarehouseUnreachable, redact
from .s3_staging import S3Staging

DELETE_BATCH = 1000  # DeleteObjects takes at most this many keys
STAGED_NAME = r"_stg_[0-9a-f]{16}/(?:part-[0-9]{5}\.csv\.gz|manifest)"  # see copy_stager


@functools.lru_cache(maxsize=8)
def s3_client(staging: S3Staging) -> Any:
    """A boto3 S3 client for the staging bucket (path-style on a custom endpoint). Kept per
    process: making one reads service models (~0.2 s), and clients are thread-safe."""
    options: dict[str, Any] = {"region_name": staging.region or None}
    if staging.endpoint_url:
        options["endpoint_url"] = staging.endpoint_url
        options["config"] = Config(s3={"addressing_style": "path"})
    if staging.access_key_id:
        options["aws_access_key_id"] = staging.access_key_id
        options["aws_secret_access_key"] = staging.secret_access_key
    return boto3.session.Session().client("s3", **options)


def copy_credentials(staging: S3Staging) -> str:
    """The authorization clause of COPY: the IAM role, else the keys the uploads use."""
    if staging.iam_role:
        return f"IAM_ROLE {sql_text(staging.iam_role)}"
    if staging.access_key_id:
        key, secret, token = staging.access_key_id, staging.secret_access_key, None
    else:
        found = boto3.session.Session().get_credentials()  # boto3's own chain
        if found is None:
            raise WarehouseError(
                "The S3 staging of loads has neither an IAM role for COPY (LOAD_S3_IAM_ROLE) "
                "nor AWS credentials Redshift could use; set one of them."
            )
        key, secret, token = found.get_frozen_credentials()
    clause = f"ACCESS_KEY_ID {sql_text(key)} SECRET_ACCESS_KEY {sql_text(secret)}"
    return clause + (f" SESSION_TOKEN {sql_text(token)}" if token else "")


def sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@contextlib.contextmanager
def s3_errors(staging: S3Staging) -> Iterator[None]:
    """botocore's errors as WarehouseErrors: network trouble is retryable, a refusal is not."""
    where = f"the S3 staging bucket {staging.bucket!r}"
    try:
        yield
    except (botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError) as exc:
        message = f"Can't reach {where}: {exc}. The load will be retried."
        raise WarehouseUnreachable(redact(message, *staging.secrets)) from None
    except botocore.exceptions.ClientError as exc:
        error = exc.response.get("Error", {})
        code, text = error.get("Code", "?"), error.get("Message", "")
        retryable = code in {"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout"}
        message = f"{where} refused the request ({code}): {text}."
        if not retryable:
            message += " Check the bucket name and that these credentials may write to it."
        raise (WarehouseUnreachable if retryable else WarehouseError)(
            redact(message, *staging.secrets)
        ) from None
    except botocore.exceptions.BotoCoreError as exc:
        raise WarehouseError(redact(f"{where}: {exc}.", *staging.secrets)) from None


def delete_keys(client: Any, bucket: str, keys: list[str]) -> None:
    for start in range(0, len(keys), DELETE_BATCH):
        batch = [{"Key": key} for key in keys[start : start + DELETE_BATCH]]
        client.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})


def sweep_staged(staging: S3Staging, *, older_than: timedelta) -> int:
    """Delete staged objects older than `older_than` (left by a worker that was killed);
    returns how many went. A load still running is never that old: its time limit ends it.
    Only names a load writes are touched, whatever else shares the bucket or prefix."""
    client = s3_client(staging)
    cutoff = datetime.now(UTC) - older_than
    staged = re.compile(re.escape(staging.prefix) + STAGED_NAME)
    with s3_errors(staging):
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=staging.bucket, Prefix=staging.prefix
        )
        stale = [
            item["Key"]
            for page in pages
            for item in page.get("Contents", ())
            if item["LastModified"] < cutoff and staged.fullmatch(item["Key"])
        ]
        delete_keys(client, staging.bucket, stale)
    return len(stale)
