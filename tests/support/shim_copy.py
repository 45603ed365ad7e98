"""Redshift's `COPY ... FROM 's3://.../manifest' MANIFEST CSV GZIP` for the PostgreSQL shim.

The statement is rewritten on the wire into PostgreSQL's `COPY ... FROM PROGRAM`, whose
program (s3_parts.py, run by the database server) fetches the manifest's parts from the S3
server through presigned URLs and unzips them; so the rows travel S3 -> database as they
do in Redshift, and the same driver code runs. A failed COPY is written, by part and line,
into a `sys_load_error_detail` table (and an `stl_load_errors` view over it) through a
separate connection, as Redshift keeps its load errors outside the failed transaction; the
client then gets Redshift's "Check 'sys_load_error_detail'" error instead of PostgreSQL's.
"""

from __future__ import annotations

import gzip
import json
import re
import shlex
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import psycopg
from botocore.config import Config

FETCH_SCRIPT = Path(__file__).with_name("s3_parts.py")
COPY_S3 = re.compile(
    rb"COPY\s+(?P<table>[^\s(]+)\s*\((?P<columns>[^)]*)\)\s+FROM\s+'(?P<url>s3://[^']+)'"
    rb"(?P<options>[^\0]*)",
    re.IGNORECASE,
)
CONTEXT = re.compile(r'line (\d+)(?:, column ([^:]+): "(.*)")?', re.DOTALL)
ERROR_TABLES = """
CREATE TABLE IF NOT EXISTS public.sys_load_error_detail (
    query_id bigint, session_id int, start_time timestamp DEFAULT now(), file_name text,
    line_number bigint, column_name text, raw_line text, raw_field_value text,
    error_code int, error_message text);
CREATE OR REPLACE VIEW public.stl_load_errors AS SELECT query_id AS query,
    session_id AS session, start_time AS starttime, file_name AS filename, line_number,
    column_name AS colname, raw_line, raw_field_value, error_code AS err_code,
    error_message AS err_reason FROM public.sys_load_error_detail;
"""


@dataclass
class CopyRequest:
    """A COPY FROM S3 the shim saw: what a test's on_copy hook may look at or change."""

    table: str
    url: str
    options: str
    client: Any
    session: int
    parts: list[str] = field(default_factory=list)  # s3:// URLs, from the manifest

    def bucket_key(self, url: str) -> tuple[str, str]:
        bucket, _, key = url.removeprefix("s3://").partition("/")
        return bucket, key


class S3Copies:
    """One per shim: the S3 server to read from, and what every connection's COPYs did."""

    def __init__(
        self, endpoint_url: str, dsn: str, on_copy: Callable[[CopyRequest], None] | None = None
    ) -> None:
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(s3={"addressing_style": "path"}),
        )
        self.dsn, self.on_copy = dsn, on_copy
        self.statements: list[str] = []  # every COPY FROM S3 as the client sent it
        self.error_reads: list[str] = []  # the load-error tables clients queried, in order
        # The database server runs the program as its own OS user: the system's python3.
        self.python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else "python3"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(7315)")  # shims in parallel test runs
            conn.execute(ERROR_TABLES)

    def connection(self) -> ConnectionCopies:
        return ConnectionCopies(self)


class ConnectionCopies:
    """Rewrites one connection's messages: COPY going up, its errors coming back."""

    def __init__(self, copies: S3Copies) -> None:
        self.copies = copies
        self.session = 0
        self.pending: CopyRequest | None = None

    def frontend(self, kind: bytes, body: bytes) -> bytes:
        for table in (b"sys_load_error_detail", b"stl_load_errors"):
            if table in body:
                self.copies.error_reads.append(table.decode())
        found = COPY_S3.search(body)
        if found is None:
            return body
        self.copies.statements.append(found.group(0).decode())
        request = self._request(found)
        if self.copies.on_copy is not None:
            self.copies.on_copy(request)
        self.pending = request
        return body[: found.start()] + self._program_copy(found, request) + body[found.end() :]

    def backend(self, kind: bytes, body: bytes) -> bytes:
        if kind == b"K":
            self.session = struct.unpack("!i", body[:4])[0]
        elif kind == b"C":
            self.pending = None
        elif kind == b"E" and self.pending is not None:
            request, self.pending = self.pending, None
            return self._load_error(request, _fields(body))
        return body

    def _request(self, found: re.Match[bytes]) -> CopyRequest:
        url, options = found.group("url").decode(), found.group("options").decode()
        table = found.group("table").decode()
        request = CopyRequest(table, url, options, self.copies.client, self.session)
        bucket, key = request.bucket_key(url)
        if "MANIFEST" in options.upper():
            manifest = self.copies.client.get_object(Bucket=bucket, Key=key)["Body"].read()
            request.parts = [entry["url"] for entry in json.loads(manifest)["entries"]]
        else:
            request.parts = [url]
        return request

    def _program_copy(self, found: re.Match[bytes], request: CopyRequest) -> bytes:
        urls = []
        for url in request.parts:
            bucket, key = request.bucket_key(url)
            urls.append(
                self.copies.client.generate_presigned_url(
                    "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=600
                )
            )
        # The script's text, not its path: the server's OS user may not read this checkout.
        script = FETCH_SCRIPT.read_text()
        command = " ".join(map(shlex.quote, [self.copies.python, "-c", script, *urls]))
        program = command.replace("'", "''")
        table, columns = found.group("table"), found.group("columns")
        return b"COPY %s (%s) FROM PROGRAM '%s' WITH (FORMAT csv)" % (
            table,
            columns,
            program.encode(),
        )

    def _load_error(self, request: CopyRequest, fields: dict[str, str]) -> bytes:
        where = CONTEXT.search(fields.get("W", ""))
        if where is None:
            return _error_body(fields)  # not about a row (e.g. the fetch failed): as is
        url, line, raw = _locate(request, int(where.group(1)))
        column, value = where.group(2) or "", where.group(3) or ""
        row = (self.session, url, line, column, raw, value, 1207, fields.get("M", ""))
        with psycopg.connect(self.copies.dsn, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO public.sys_load_error_detail (query_id, session_id, file_name, "
                "line_number, column_name, raw_line, raw_field_value, error_code, "
                "error_message) VALUES (0, %s, %s, %s, %s, %s, %s, %s, %s)",
                row,
            )
        return _error_body(
            {
                "S": "ERROR",
                "V": "ERROR",
                "C": "XX000",
                "M": f"Load into table '{request.table}' failed.  "
                "Check 'sys_load_error_detail' system table for details.",
            }
        )


def _locate(request: CopyRequest, line: int) -> tuple[str, int, str]:
    """The part, and the line within it, of line N of the parts read one after another
    (PostgreSQL counts the lines of the input, as Redshift counts those of a file)."""
    for url in request.parts:
        bucket, key = request.bucket_key(url)
        body = request.client.get_object(Bucket=bucket, Key=key)["Body"]
        with gzip.GzipFile(fileobj=body) as part:  # streamed: a part is never held whole
            lines = 0
            for lines, text in enumerate(part, 1):
                if lines == line:
                    return url, line, text.decode().removesuffix("\n")
        line -= lines
    return request.url, line, ""


def _fields(body: bytes) -> dict[str, str]:
    out = {}
    for item in body.split(b"\0"):
        if item:
            out[item[:1].decode()] = item[1:].decode(errors="replace")
    return out


def _error_body(fields: dict[str, str]) -> bytes:
    return b"".join(k.encode() + v.encode() + b"\0" for k, v in fields.items()) + b"\0"


def with_s3_copy(conn: ConnectionCopies, back: Any, front: Any) -> tuple[Any, Any]:
    """The shim's two relays, also rewriting what COPY FROM S3 needs."""
    back_rewrite, front_rewrite = back.rewrite, front.rewrite
    back.kinds += b"CEK"
    back.rewrite = lambda kind, body: conn.backend(kind, back_rewrite(kind, body))
    front.rewrite = lambda kind, body: conn.frontend(kind, front_rewrite(kind, body))
    return back, front
